/*
 * Snappy framing format (github.com/google/snappy framing_format.txt) with a block encoder that
 * reproduces golang/snappy's (BSD-3-Clause) Encode exactly: same hash (x * 0x1e35a7bd >> shift), table
 * sizes 2^8..2^14, skip heuristic, copy splitting and 12.5 % rule for uncompressed chunks. era1 files
 * are written by go-ethereum with that encoder, so decoding an entry and re-encoding it here gives back
 * the same bytes, and the archive needs to store only the decompressed RLP. The transform checks this
 * per entry and keeps any entry that does not re-encode exactly as a literal.
 */
#include "CCaldera.h"
#include "internal.h"
#include "snappy_internal.h"
#include <stdlib.h>
#include <string.h>

static uint32_t CRC32C_TABLE[256];

/* Filled once at load time, before any thread can call in. */
__attribute__((constructor)) static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        CRC32C_TABLE[i] = c;
    }
}

#if defined(__x86_64__)
/* SSE4.2 CRC32 instruction (Castagnoli polynomial), used when the CPU has it (checked at run time). */
__attribute__((target("sse4.2"))) static uint32_t crc32c_hw(uint32_t c, const uint8_t *p, size_t n) {
    uint64_t c64 = c;
    while (n >= 8) { uint64_t w; memcpy(&w, p, 8); c64 = __builtin_ia32_crc32di(c64, w); p += 8; n -= 8; }
    c = (uint32_t)c64;
    while (n--) c = __builtin_ia32_crc32qi(c, *p++);
    return c;
}
#endif

static uint32_t masked_crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) c = crc32c_hw(c, p, n);
    else
#endif
    {
        for (size_t i = 0; i < n; i++) c = CRC32C_TABLE[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    }
    c ^= 0xFFFFFFFFu;
    return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

static const uint8_t MAGIC[10] = {0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59};
enum { MAX_BLOCK = 65536, INPUT_MARGIN = 15, MIN_NON_LITERAL = 17 };

static inline uint32_t load32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t load64(const uint8_t *p) { return (uint64_t)load32(p) | (uint64_t)load32(p + 4) << 32; }
static inline uint32_t shash(uint32_t u, uint32_t shift) { return (u * 0x1e35a7bdu) >> shift; }

static size_t emit_literal(uint8_t *d, const uint8_t *lit, size_t len) {
    size_t i, n = len - 1;
    if (n < 60) { d[0] = (uint8_t)(n << 2); i = 1; }
    else if (n < (1u << 8)) { d[0] = 60 << 2; d[1] = (uint8_t)n; i = 2; }
    else if (n < (1u << 16)) { d[0] = 61 << 2; d[1] = (uint8_t)n; d[2] = (uint8_t)(n >> 8); i = 3; }
    else if (n < (1u << 24)) { d[0] = 62 << 2; d[1] = (uint8_t)n; d[2] = (uint8_t)(n >> 8); d[3] = (uint8_t)(n >> 16); i = 4; }
    else { d[0] = 63 << 2; d[1] = (uint8_t)n; d[2] = (uint8_t)(n >> 8); d[3] = (uint8_t)(n >> 16); d[4] = (uint8_t)(n >> 24); i = 5; }
    memcpy(d + i, lit, len);
    return i + len;
}

static size_t emit_copy(uint8_t *d, size_t offset, size_t length) {
    size_t i = 0;
    while (length >= 68) { d[i] = 63 << 2 | 2; d[i + 1] = (uint8_t)offset; d[i + 2] = (uint8_t)(offset >> 8); i += 3; length -= 64; }
    if (length > 64) { d[i] = 59 << 2 | 2; d[i + 1] = (uint8_t)offset; d[i + 2] = (uint8_t)(offset >> 8); i += 3; length -= 60; }
    if (length >= 12 || offset >= 2048) {
        d[i] = (uint8_t)((length - 1) << 2 | 2); d[i + 1] = (uint8_t)offset; d[i + 2] = (uint8_t)(offset >> 8);
        return i + 3;
    }
    d[i] = (uint8_t)((offset >> 8) << 5 | (length - 4) << 2 | 1);
    d[i + 1] = (uint8_t)offset;
    return i + 2;
}

static size_t encode_block(uint8_t *dst, const uint8_t *src, size_t len) {
    uint16_t table[1 << 14];
    uint32_t shift = 24;
    size_t tsize = 1 << 8;
    while (tsize < (1 << 14) && tsize < len) { shift--; tsize *= 2; }
    memset(table, 0, tsize * sizeof(uint16_t)); /* hashes are < tsize */
    const uint32_t mask = (1 << 14) - 1;
    size_t slimit = len - INPUT_MARGIN, next_emit = 0, s = 1, d = 0;
    uint32_t next_hash = shash(load32(src + s), shift);
    for (;;) {
        size_t skip = 32, next_s = s, candidate = 0;
        for (;;) {
            s = next_s;
            size_t between = skip >> 5;
            next_s = s + between;
            skip += between;
            if (next_s > slimit) goto remainder;
            candidate = table[next_hash & mask];
            table[next_hash & mask] = (uint16_t)s;
            next_hash = shash(load32(src + next_s), shift);
            if (load32(src + s) == load32(src + candidate)) break;
        }
        d += emit_literal(dst + d, src + next_emit, s - next_emit);
        for (;;) {
            size_t base = s;
            s += 4;
            for (size_t i = candidate + 4; s < len && src[i] == src[s]; i++, s++) {}
            d += emit_copy(dst + d, base - candidate, s - base);
            next_emit = s;
            if (s >= slimit) goto remainder;
            uint64_t x = load64(src + s - 1);
            uint32_t prev_hash = shash((uint32_t)x, shift);
            table[prev_hash & mask] = (uint16_t)(s - 1);
            uint32_t curr_hash = shash((uint32_t)(x >> 8), shift);
            candidate = table[curr_hash & mask];
            table[curr_hash & mask] = (uint16_t)s;
            if ((uint32_t)(x >> 8) != load32(src + candidate)) {
                next_hash = shash((uint32_t)(x >> 16), shift);
                s++;
                break;
            }
        }
    }
remainder:
    if (next_emit < len) d += emit_literal(dst + d, src + next_emit, len - next_emit);
    return d;
}

size_t cal_snappy_frame_bound(size_t len) { return 10 + (len / MAX_BLOCK + 1) * (8 + 32 + MAX_BLOCK + MAX_BLOCK / 6); }

size_t cal_snappy_frame_encode(const void *src, size_t len, void *dst) {
    const uint8_t *p = (const uint8_t *)src;
    uint8_t *o = (uint8_t *)dst;
    if (len == 0) return 0;
    memcpy(o, MAGIC, 10);
    size_t d = 10;
    while (len > 0) {
        size_t n = len > MAX_BLOCK ? MAX_BLOCK : len;
        uint32_t crc = masked_crc32c(p, n);
        uint8_t *body = o + d + 8;
        /* Encode: varint length, then the block (or one literal when short) */
        size_t c = 0;
        for (uint32_t v = (uint32_t)n; ; v >>= 7) {
            if (v < 0x80) { body[c++] = (uint8_t)v; break; }
            body[c++] = (uint8_t)(v | 0x80);
        }
        c += n < MIN_NON_LITERAL ? emit_literal(body + c, p, n) : encode_block(body + c, p, n);
        uint8_t type = 0x00;
        if (c >= n - n / 8) { type = 0x01; memcpy(body, p, n); c = n; }
        size_t chunk = 4 + c;
        o[d] = type;
        o[d + 1] = (uint8_t)chunk; o[d + 2] = (uint8_t)(chunk >> 8); o[d + 3] = (uint8_t)(chunk >> 16);
        o[d + 4] = (uint8_t)crc; o[d + 5] = (uint8_t)(crc >> 8); o[d + 6] = (uint8_t)(crc >> 16); o[d + 7] = (uint8_t)(crc >> 24);
        d += 8 + c;
        p += n;
        len -= n;
    }
    return d;
}

/* Decodes one raw snappy block (length-prefixed) of at most MAX_BLOCK bytes into out; returns its length or -1. */
static long decode_block(const uint8_t *s, size_t n, uint8_t *out) {
    size_t in = 0;
    uint64_t ulen = 0;
    for (int sh = 0;; sh += 7) {
        if (in >= n || sh > 28) return -1;
        uint8_t b = s[in++];
        ulen |= (uint64_t)(b & 0x7F) << sh;
        if (!(b & 0x80)) break;
    }
    if (ulen > MAX_BLOCK) return -1;
    size_t o = 0;
    while (in < n) {
        uint8_t tag = s[in++];
        size_t len, off;
        switch (tag & 3) {
        case 0:
            len = tag >> 2;
            if (len >= 60) {
                size_t nb = len - 59;
                if (n - in < nb) return -1;
                len = 0;
                for (size_t k = 0; k < nb; k++) len |= (size_t)s[in + k] << (8 * k);
                in += nb;
            }
            len += 1;
            if (len > n - in || len > ulen - o) return -1;
            memcpy(out + o, s + in, len);
            in += len;
            o += len;
            continue;
        case 1:
            if (n - in < 1) return -1;
            len = 4 + ((tag >> 2) & 7);
            off = (size_t)(tag >> 5) << 8 | s[in];
            in += 1;
            break;
        case 2:
            if (n - in < 2) return -1;
            len = 1 + (tag >> 2);
            off = (size_t)s[in] | (size_t)s[in + 1] << 8;
            in += 2;
            break;
        default:
            if (n - in < 4) return -1;
            len = 1 + (tag >> 2);
            off = (size_t)load32(s + in);
            in += 4;
        }
        if (off == 0 || off > o || len > ulen - o) return -1;
        for (size_t k = 0; k < len; k++, o++) out[o] = out[o - off];
    }
    return o == ulen ? (long)o : -1;
}

#define BAD CAL_SIZE_ERROR(CAL_ERR_MALFORMED)

size_t cal_snappy_frame_decode(const void *src, size_t len, void *dst, size_t cap) {
    const uint8_t *s = (const uint8_t *)src;
    uint8_t *o = (uint8_t *)dst;
    if (len < 10 || memcmp(s, MAGIC, 10) != 0) return BAD;
    size_t in = 10, out = 0;
    uint8_t block[MAX_BLOCK];
    while (in < len) {
        if (len - in < 4) return BAD;
        uint8_t type = s[in];
        size_t chunk = (size_t)s[in + 1] | (size_t)s[in + 2] << 8 | (size_t)s[in + 3] << 16;
        in += 4;
        if (chunk > len - in || chunk < 4 || (type != 0 && type != 1)) return BAD;
        uint32_t crc = load32(s + in);
        long n;
        const uint8_t *data;
        if (type == 0) {
            n = decode_block(s + in + 4, chunk - 4, block);
            data = block;
        } else {
            n = (long)(chunk - 4);
            data = s + in + 4;
            if (n > MAX_BLOCK) return BAD;
        }
        if (n < 0 || (size_t)n > cap - out || masked_crc32c(data, (size_t)n) != crc) return BAD;
        memcpy(o + out, data, (size_t)n);
        out += (size_t)n;
        in += chunk;
    }
    return out;
}
