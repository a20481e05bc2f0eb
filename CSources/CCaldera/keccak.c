/* Keccak-256 (Keccak[c=512] with the original 0x01 domain padding, as Ethereum uses). Portable C, compiled
 * twice on x86-64: once plain, once with BMI1/BMI2 (andn, rorx: about 8 % faster; era1 decoding spends
 * two thirds of its time here), chosen at run time. */
#include "CCaldera.h"
#include <stdatomic.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};
#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

/* Keccak-f[1600], the round body unrolled over named lanes (aXY = lane x, y). */
static inline __attribute__((always_inline)) void keccakf_body(uint64_t s[25]) {
    uint64_t a00 = s[0], a10 = s[1], a20 = s[2], a30 = s[3], a40 = s[4], a01 = s[5], a11 = s[6], a21 = s[7], a31 = s[8], a41 = s[9], a02 = s[10], a12 = s[11], a22 = s[12], a32 = s[13], a42 = s[14], a03 = s[15], a13 = s[16], a23 = s[17], a33 = s[18], a43 = s[19], a04 = s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];
    for (int round = 0; round < 24; round++) {
        uint64_t c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
        uint64_t c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
        uint64_t c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
        uint64_t c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
        uint64_t c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
        uint64_t d0 = c4 ^ ROL(c1, 1);
        uint64_t d1 = c0 ^ ROL(c2, 1);
        uint64_t d2 = c1 ^ ROL(c3, 1);
        uint64_t d3 = c2 ^ ROL(c4, 1);
        uint64_t d4 = c3 ^ ROL(c0, 1);
        uint64_t b00 = a00 ^ d0;
        uint64_t b13 = ROL(a01 ^ d0, 36);
        uint64_t b21 = ROL(a02 ^ d0, 3);
        uint64_t b34 = ROL(a03 ^ d0, 41);
        uint64_t b42 = ROL(a04 ^ d0, 18);
        uint64_t b02 = ROL(a10 ^ d1, 1);
        uint64_t b10 = ROL(a11 ^ d1, 44);
        uint64_t b23 = ROL(a12 ^ d1, 10);
        uint64_t b31 = ROL(a13 ^ d1, 45);
        uint64_t b44 = ROL(a14 ^ d1, 2);
        uint64_t b04 = ROL(a20 ^ d2, 62);
        uint64_t b12 = ROL(a21 ^ d2, 6);
        uint64_t b20 = ROL(a22 ^ d2, 43);
        uint64_t b33 = ROL(a23 ^ d2, 15);
        uint64_t b41 = ROL(a24 ^ d2, 61);
        uint64_t b01 = ROL(a30 ^ d3, 28);
        uint64_t b14 = ROL(a31 ^ d3, 55);
        uint64_t b22 = ROL(a32 ^ d3, 25);
        uint64_t b30 = ROL(a33 ^ d3, 21);
        uint64_t b43 = ROL(a34 ^ d3, 56);
        uint64_t b03 = ROL(a40 ^ d4, 27);
        uint64_t b11 = ROL(a41 ^ d4, 20);
        uint64_t b24 = ROL(a42 ^ d4, 39);
        uint64_t b32 = ROL(a43 ^ d4, 8);
        uint64_t b40 = ROL(a44 ^ d4, 14);
        a00 = b00 ^ (~b10 & b20);
        a01 = b01 ^ (~b11 & b21);
        a02 = b02 ^ (~b12 & b22);
        a03 = b03 ^ (~b13 & b23);
        a04 = b04 ^ (~b14 & b24);
        a10 = b10 ^ (~b20 & b30);
        a11 = b11 ^ (~b21 & b31);
        a12 = b12 ^ (~b22 & b32);
        a13 = b13 ^ (~b23 & b33);
        a14 = b14 ^ (~b24 & b34);
        a20 = b20 ^ (~b30 & b40);
        a21 = b21 ^ (~b31 & b41);
        a22 = b22 ^ (~b32 & b42);
        a23 = b23 ^ (~b33 & b43);
        a24 = b24 ^ (~b34 & b44);
        a30 = b30 ^ (~b40 & b00);
        a31 = b31 ^ (~b41 & b01);
        a32 = b32 ^ (~b42 & b02);
        a33 = b33 ^ (~b43 & b03);
        a34 = b34 ^ (~b44 & b04);
        a40 = b40 ^ (~b00 & b10);
        a41 = b41 ^ (~b01 & b11);
        a42 = b42 ^ (~b02 & b12);
        a43 = b43 ^ (~b03 & b13);
        a44 = b44 ^ (~b04 & b14);
        a00 ^= RC[round];
    }
    s[0] = a00; s[1] = a10; s[2] = a20; s[3] = a30; s[4] = a40; s[5] = a01; s[6] = a11; s[7] = a21; s[8] = a31; s[9] = a41; s[10] = a02; s[11] = a12; s[12] = a22; s[13] = a32; s[14] = a42; s[15] = a03; s[16] = a13; s[17] = a23; s[18] = a33; s[19] = a43; s[20] = a04; s[21] = a14; s[22] = a24; s[23] = a34; s[24] = a44;
}

static void keccakf_portable(uint64_t s[25]) { keccakf_body(s); }

#if defined(__x86_64__)
__attribute__((target("bmi,bmi2"))) static void keccakf_bmi(uint64_t s[25]) { keccakf_body(s); }

/* CPUID traps to the hypervisor on many VMs: ask once (leaf 7: EBX bit 3 BMI1, bit 8 BMI2). */
static atomic_int g_bmi = -1;
static int cpu_has_bmi(void) {
    int v = atomic_load_explicit(&g_bmi, memory_order_relaxed);
    if (v < 0) {
        unsigned a, b, c, d;
        v = __get_cpuid_count(7, 0, &a, &b, &c, &d) && ((b >> 3) & 1) && ((b >> 8) & 1);
        atomic_store_explicit(&g_bmi, v, memory_order_relaxed);
    }
    return v;
}
#else
static int cpu_has_bmi(void) { return 0; }
#define keccakf_bmi keccakf_portable
#endif

int cal_keccak256_uses_bmi(void) { return cpu_has_bmi(); }

static inline uint64_t load64le(const uint8_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
#endif
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

static void keccak256(const void *data, size_t len, void *out32, void (*keccakf)(uint64_t *)) {
    enum { RATE = 136 };
    uint64_t s[25];
    memset(s, 0, sizeof s);
    const uint8_t *p = (const uint8_t *)data;
    while (len >= RATE) {
        for (int i = 0; i < RATE / 8; i++) s[i] ^= load64le(p + 8 * i);
        keccakf(s);
        p += RATE;
        len -= RATE;
    }
    uint8_t block[RATE];
    memset(block, 0, sizeof block);
    if (len) memcpy(block, p, len);
    block[len] ^= 0x01;
    block[RATE - 1] ^= 0x80;
    for (int i = 0; i < RATE / 8; i++) s[i] ^= load64le(block + 8 * i);
    keccakf(s);
    uint8_t *o = (uint8_t *)out32;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) o[8 * i + j] = (uint8_t)(s[i] >> (8 * j));
}

void cal_keccak256(const void *data, size_t len, void *out32) {
    keccak256(data, len, out32, cpu_has_bmi() ? keccakf_bmi : keccakf_portable);
}

void cal_keccak256_portable(const void *data, size_t len, void *out32) { keccak256(data, len, out32, keccakf_portable); }
