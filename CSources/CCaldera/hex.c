/* Line-oriented hex decoding: the input side of `caldera merkle root` must not be the bottleneck. */
#include "CCaldera.h"

#include <string.h>

/* 0..15 for hex digits, 0xFF otherwise. */
static const uint8_t *hex_table(void) {
    static uint8_t t[256];
    static int ready = 0;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        uint8_t local[256];
        memset(local, 0xFF, sizeof local);
        for (int i = 0; i < 10; i++) local['0' + i] = (uint8_t)i;
        for (int i = 0; i < 6; i++) { local['a' + i] = (uint8_t)(10 + i); local['A' + i] = (uint8_t)(10 + i); }
        memcpy(t, local, sizeof t); /* idempotent: racing initialisers write the same bytes */
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    return t;
}

uint64_t cal_count_newlines(const void *text, size_t len) {
    const uint8_t *p = (const uint8_t *)text, *end = p + len;
    uint64_t n = 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) { n++; p++; }
    return n;
}

int64_t cal_hex_decode_lines(const void *text, size_t len, void *out, size_t out_cap, uint64_t *offsets,
                             size_t offsets_cap) {
    const uint8_t *t = hex_table();
    const uint8_t *p = (const uint8_t *)text, *end = p + len;
    uint8_t *o = (uint8_t *)out;
    uint64_t written = 0;
    int64_t line = 0;
    if (offsets_cap < 1) return INT64_MIN;
    offsets[0] = 0;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *stop = nl ? nl : end;
        if (stop > p && stop[-1] == '\r') stop--;
        size_t n = (size_t)(stop - p);
        if (n & 1) return -(1 + line);
        if (n / 2 > out_cap - written || (uint64_t)line + 2 > offsets_cap) return INT64_MIN;
        uint8_t bad = 0;
        for (size_t i = 0; i < n; i += 2) {
            uint8_t hi = t[p[i]], lo = t[p[i + 1]];
            bad |= (hi | lo) & 0xF0; /* any 0xFF shows up in the high nibble */
            o[written++] = (uint8_t)(hi << 4 | (lo & 0x0F));
        }
        if (bad) return -(1 + line);
        offsets[++line] = written;
        p = nl ? nl + 1 : end;
    }
    return line;
}
