/*
 * SHA-256 backends and run-time dispatch.
 *
 * - portable: FIPS 180-4 in plain C, the reference the others are tested against.
 * - openssl:  libcrypto's EVP interface with the MD fetched once and a context per thread.
 * - sha-ni:   x86-64 SHA extensions. SHA256RNDS2 has more latency than throughput, so the batch
 *             path hashes four (then two) independent messages interleaved (a Merkle level is all independent
 *             messages). Compiled per function with target attributes: no global CPU flags, so the
 *             package still builds and runs on CPUs (and architectures) without SHA-NI.
 */
#include "CCaldera.h"

#include <openssl/evp.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#define CAL_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* ------------------------------------------------------------------ message framing
 * Every backend sees a message as (optional one-byte prefix) || data[0..len), padded per FIPS 180-4.
 * block_at() returns a pointer to 64-byte block b of the padded message, either straight into
 * `data` (the common, copy-free case) or into `tmp` when the block straddles the prefix or padding.
 */
typedef struct {
    const uint8_t *data;
    size_t len;     /* bytes of data */
    int prefix;     /* -1: none */
    size_t total;   /* len + (prefix >= 0) */
    size_t blocks;  /* padded blocks */
} msg_t;

static inline msg_t msg_make(const void *data, size_t len, int prefix) {
    msg_t m;
    m.data = (const uint8_t *)data;
    m.len = len;
    m.prefix = prefix;
    m.total = len + (prefix >= 0 ? 1 : 0);
    m.blocks = (m.total + 8) / 64 + 1;
    return m;
}

static inline const uint8_t *block_at(const msg_t *m, size_t b, uint8_t tmp[64]) {
    size_t start = b * 64; /* offset in the prefixed message */
    size_t shift = m->prefix >= 0 ? 1 : 0;
    if (start >= shift && start + 64 <= m->total) return m->data + (start - shift);
    /* assemble: bytes of the prefixed message in [start, start+64), then 0x80, zeros, bit length */
    memset(tmp, 0, 64);
    size_t pos = 0;
    if (start == 0 && shift) tmp[pos++] = (uint8_t)m->prefix;
    size_t d = start + pos - shift; /* index into data of tmp[pos] */
    if (d < m->len) {
        size_t n = m->len - d < 64 - pos ? m->len - d : 64 - pos;
        memcpy(tmp + pos, m->data + d, n);
    }
    if (m->total >= start && m->total < start + 64) tmp[m->total - start] = 0x80;
    if (b == m->blocks - 1) {
        uint64_t bits = (uint64_t)m->total * 8;
        for (int i = 0; i < 8; i++) tmp[63 - i] = (uint8_t)(bits >> (8 * i));
    }
    return tmp;
}

/* ------------------------------------------------------------------ portable */

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void portable_compress(uint32_t s[8], const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        uint32_t t2 = (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s[0] += a; s[1] += b; s[2] += c; s[3] += d; s[4] += e; s[5] += f; s[6] += g; s[7] += h;
}

static void portable_hash(const msg_t *m, uint8_t *out) {
    uint32_t s[8];
    uint8_t tmp[64];
    memcpy(s, H0, sizeof s);
    for (size_t b = 0; b < m->blocks; b++) portable_compress(s, block_at(m, b, tmp));
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s[i] >> 24); out[4 * i + 1] = (uint8_t)(s[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s[i] >> 8); out[4 * i + 3] = (uint8_t)s[i];
    }
}

/* ------------------------------------------------------------------ OpenSSL */

static _Atomic(EVP_MD *) g_md = NULL;
static _Thread_local EVP_MD_CTX *t_ctx = NULL;

static const EVP_MD *openssl_md(void) {
    EVP_MD *md = atomic_load_explicit(&g_md, memory_order_acquire);
    if (md) return md;
    EVP_MD *fresh = EVP_MD_fetch(NULL, "SHA256", NULL);
    EVP_MD *expected = NULL;
    if (!atomic_compare_exchange_strong(&g_md, &expected, fresh)) {
        EVP_MD_free(fresh); /* another thread won; keep theirs */
        return expected;
    }
    return fresh;
}

static int openssl_hash(const msg_t *m, uint8_t *out) {
    const EVP_MD *md = openssl_md();
    if (!md) return CAL_ERR_LIBCRYPTO;
    if (!t_ctx && !(t_ctx = EVP_MD_CTX_new())) return CAL_ERR_LIBCRYPTO;
    unsigned int outlen = 0;
    uint8_t p = (uint8_t)m->prefix;
    if (EVP_DigestInit_ex(t_ctx, md, NULL) != 1) return CAL_ERR_LIBCRYPTO;
    if (m->prefix >= 0 && EVP_DigestUpdate(t_ctx, &p, 1) != 1) return CAL_ERR_LIBCRYPTO;
    if (m->len && EVP_DigestUpdate(t_ctx, m->data, m->len) != 1) return CAL_ERR_LIBCRYPTO;
    if (EVP_DigestFinal_ex(t_ctx, out, &outlen) != 1) return CAL_ERR_LIBCRYPTO;
    return CAL_OK;
}

/* ------------------------------------------------------------------ SHA-NI */
#ifdef CAL_X86
#define SHANI __attribute__((target("sha,sse4.1,ssse3")))
#define SHANI_INLINE static inline __attribute__((always_inline, target("sha,sse4.1,ssse3")))

/* State in the ABEF/CDGH layout SHA256RNDS2 wants. */
typedef struct { __m128i abef, cdgh; } ni_state;

SHANI_INLINE ni_state ni_init(void) {
    __m128i tmp = _mm_loadu_si128((const __m128i *)&H0[0]);
    __m128i s1 = _mm_loadu_si128((const __m128i *)&H0[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);  /* CDAB */
    s1 = _mm_shuffle_epi32(s1, 0x1B);    /* EFGH */
    ni_state s;
    s.abef = _mm_alignr_epi8(tmp, s1, 8);   /* ABEF */
    s.cdgh = _mm_blend_epi16(s1, tmp, 0xF0);/* CDGH */
    return s;
}

SHANI_INLINE void ni_store(ni_state s, uint8_t *out) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_shuffle_epi32(s.abef, 0x1B);  /* FEBA */
    __m128i s1 = _mm_shuffle_epi32(s.cdgh, 0xB1);   /* DCHG */
    __m128i s0 = _mm_blend_epi16(tmp, s1, 0xF0);     /* DCBA */
    s1 = _mm_alignr_epi8(s1, tmp, 8);                /* ABEF -> HGFE */
    _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(s0, bswap));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(s1, bswap));
}

/*
 * Compresses one block into each of L states, the L streams interleaved round group by round group.
 * The 16 groups of four rounds follow Intel's reference schedule: group i uses message words W[i%4],
 * and the schedule for later groups is produced by SHA256MSG1/MSG2 as the rounds go.
 */
SHANI_INLINE void ni_compress_lanes(ni_state *st, const uint8_t *const *blk, const int L) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i w[4][4], s0[4], s1[4], save0[4], save1[4];
    for (int l = 0; l < L; l++) {
        s0[l] = save0[l] = st[l].abef;
        s1[l] = save1[l] = st[l].cdgh;
    }
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) {
        const __m128i k = _mm_loadu_si128((const __m128i *)&K256[4 * i]);
#pragma GCC unroll 4
        for (int l = 0; l < L; l++) {
            if (i < 4) w[l][i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(blk[l] + 16 * i)), bswap);
            __m128i msg = _mm_add_epi32(w[l][i & 3], k);
            s1[l] = _mm_sha256rnds2_epu32(s1[l], s0[l], msg);
            if (i >= 3 && i <= 14) {
                __m128i t = _mm_alignr_epi8(w[l][i & 3], w[l][(i + 3) & 3], 4);
                w[l][(i + 1) & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(w[l][(i + 1) & 3], t), w[l][i & 3]);
            }
            msg = _mm_shuffle_epi32(msg, 0x0E);
            s0[l] = _mm_sha256rnds2_epu32(s0[l], s1[l], msg);
            if (i >= 1 && i <= 12) w[l][(i + 3) & 3] = _mm_sha256msg1_epu32(w[l][(i + 3) & 3], w[l][i & 3]);
        }
    }
    for (int l = 0; l < L; l++) {
        st[l].abef = _mm_add_epi32(s0[l], save0[l]);
        st[l].cdgh = _mm_add_epi32(s1[l], save1[l]);
    }
}

SHANI static void ni_hash1(const msg_t *m, uint8_t *out) {
    ni_state s = ni_init();
    uint8_t tmp[64];
    for (size_t b = 0; b < m->blocks; b++) {
        const uint8_t *p = block_at(m, b, tmp);
        ni_compress_lanes(&s, &p, 1);
    }
    ni_store(s, out);
}

/* Two messages of the same framing (same length and prefix), hashed interleaved. */
SHANI static void ni_hash2(const msg_t *m0, const msg_t *m1, uint8_t *o0, uint8_t *o1) {
    ni_state s[2] = {ni_init(), ni_init()};
    uint8_t t0[64], t1[64];
    for (size_t b = 0; b < m0->blocks; b++) {
        const uint8_t *p[2] = {block_at(m0, b, t0), block_at(m1, b, t1)};
        ni_compress_lanes(s, p, 2);
    }
    ni_store(s[0], o0);
    ni_store(s[1], o1);
}

/* Four messages interleaved: more independent SHA256RNDS2 chains in flight per core. */
SHANI static void ni_hash4(const msg_t *m, uint8_t *const *o) {
    ni_state s[4] = {ni_init(), ni_init(), ni_init(), ni_init()};
    uint8_t t[4][64];
    for (size_t b = 0; b < m[0].blocks; b++) {
        const uint8_t *p[4] = {block_at(&m[0], b, t[0]), block_at(&m[1], b, t[1]), block_at(&m[2], b, t[2]),
                               block_at(&m[3], b, t[3])};
        ni_compress_lanes(s, p, 4);
    }
    for (int l = 0; l < 4; l++) ni_store(s[l], o[l]);
}

/* CPUID traps to the hypervisor on many VMs (microseconds): ask once, remember the answer. */
static int cpu_probe_shani(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return ssse3 && sse41 && ((b >> 29) & 1);
}

static atomic_int g_has_shani = -1;

static int cpu_has_shani(void) {
    int v = atomic_load_explicit(&g_has_shani, memory_order_relaxed);
    if (v < 0) {
        v = cpu_probe_shani();
        atomic_store_explicit(&g_has_shani, v, memory_order_relaxed);
    }
    return v;
}
#else
static int cpu_has_shani(void) { return 0; }
#endif

/* ------------------------------------------------------------------ dispatch */

static atomic_int g_auto = -1;

int cal_sha256_backend_auto(void) {
    int b = atomic_load_explicit(&g_auto, memory_order_relaxed);
    if (b < 0) {
        b = cpu_has_shani() ? CAL_SHA256_SHANI : CAL_SHA256_OPENSSL;
        atomic_store_explicit(&g_auto, b, memory_order_relaxed);
    }
    return b;
}

int cal_sha256_backend_available(int backend) {
    switch (backend) {
    case CAL_SHA256_AUTO: case CAL_SHA256_PORTABLE: case CAL_SHA256_OPENSSL: return 1;
    case CAL_SHA256_SHANI: return cpu_has_shani();
    default: return 0;
    }
}

const char *cal_sha256_backend_name(int backend) {
    switch (backend) {
    case CAL_SHA256_AUTO: return "auto";
    case CAL_SHA256_PORTABLE: return "portable";
    case CAL_SHA256_OPENSSL: return "openssl";
    case CAL_SHA256_SHANI: return "sha-ni";
    default: return "unknown";
    }
}

/* Resolves AUTO and rejects what this CPU can't run: a backend id, or CAL_ERR_BACKEND. */
static int resolve(int backend) {
    if (backend == CAL_SHA256_AUTO) return cal_sha256_backend_auto();
    if (backend == CAL_SHA256_SHANI) return cpu_has_shani() ? backend : CAL_ERR_BACKEND;
    if (backend == CAL_SHA256_PORTABLE || backend == CAL_SHA256_OPENSSL) return backend;
    return CAL_ERR_BACKEND;
}

static int hash_one(int b, const msg_t *m, uint8_t *out) {
    switch (b) {
    case CAL_SHA256_PORTABLE: portable_hash(m, out); return 0;
    case CAL_SHA256_OPENSSL: return openssl_hash(m, out);
#ifdef CAL_X86
    case CAL_SHA256_SHANI: ni_hash1(m, out); return 0;
#endif
    default: return CAL_ERR_BACKEND;
    }
}

int cal_sha256(int backend, const void *data, size_t len, void *out32) {
    int b = resolve(backend);
    if (b < 0) return b;
    msg_t m = msg_make(data, len, -1);
    return hash_one(b, &m, (uint8_t *)out32);
}

int cal_sha256_many(int backend, const void *data, size_t count, size_t len, size_t stride, int prefix,
                    void *out) {
    int b = resolve(backend);
    if (b < 0) return b;
    if (prefix > 255) return CAL_ERR_PARAM;
    if (prefix < 0) prefix = -1;
    const uint8_t *in = (const uint8_t *)data;
    uint8_t *o = (uint8_t *)out;
    size_t i = 0;
#ifdef CAL_X86
    if (b == CAL_SHA256_SHANI) { /* four lanes measured ~25% faster than two on Zen; two for the rest */
        for (; i + 4 <= count; i += 4) {
            msg_t m[4];
            uint8_t d[4][32];
            uint8_t *outs[4] = {d[0], d[1], d[2], d[3]};
            for (int l = 0; l < 4; l++) m[l] = msg_make(in + (i + l) * stride, len, prefix);
            ni_hash4(m, outs);
            memcpy(o + 32 * i, d, 128);
        }
    }
    if (b == CAL_SHA256_SHANI) {
        for (; i + 2 <= count; i += 2) {
            /* Read both inputs before writing: with out == data (a level hashed in place) output i
             * lands on input bytes < 64*i, already consumed. */
            msg_t m0 = msg_make(in + i * stride, len, prefix), m1 = msg_make(in + (i + 1) * stride, len, prefix);
            uint8_t d0[32], d1[32];
            ni_hash2(&m0, &m1, d0, d1);
            memcpy(o + 32 * i, d0, 32);
            memcpy(o + 32 * (i + 1), d1, 32);
        }
    }
#endif
    for (; i < count; i++) {
        msg_t m = msg_make(in + i * stride, len, prefix);
        uint8_t d[32];
        int rc = hash_one(b, &m, d);
        if (rc) return rc;
        memcpy(o + 32 * i, d, 32);
    }
    return CAL_OK;
}

int cal_sha256_many_var(int backend, const void *data, const uint64_t *offsets, size_t count, int prefix,
                        void *out) {
    const uint8_t *in = (const uint8_t *)data;
    uint8_t *o = (uint8_t *)out;
    size_t i = 0;
    int rc = resolve(backend);
    if (rc < 0) return rc;
    while (i < count) {
        /* a run of equal-length, evenly spaced messages is one batch */
        uint64_t len = offsets[i + 1] - offsets[i];
        size_t j = i + 1;
        while (j < count && offsets[j + 1] - offsets[j] == len) j++;
        if ((rc = cal_sha256_many(backend, in + offsets[i], j - i, (size_t)len, (size_t)len, prefix, o + 32 * i)))
            return rc;
        i = j;
    }
    return CAL_OK;
}
