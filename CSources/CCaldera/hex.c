/*
 * Hex decoding, once for the module: the digit table every decoder uses (internal.h), and the
 * line-oriented decoder behind `caldera merkle` (the input side must not be the bottleneck).
 */
#include "CCaldera.h"
#include "internal.h"

#include <string.h>

#define D16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
#define BAD16 D16(0xFF)
const uint8_t cal_hex_values[256] = {
    BAD16, BAD16, BAD16,                                                                  /* 0x00-0x2F */
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,                     /* '0'-'9' */
    0xFF, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, /* 'A'-'F' */
    BAD16,                                                                                /* 0x50-0x5F */
    0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,   /* 'a'-'f' */
    BAD16, BAD16, BAD16, BAD16, BAD16, BAD16, BAD16, BAD16, BAD16,                        /* 0x70-0xFF */
};

uint64_t cal_count_newlines(const void *text, size_t len) {
    const uint8_t *p = (const uint8_t *)text, *end = p + len;
    uint64_t n = 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) { n++; p++; }
    return n;
}

size_t cal_hex_decode_lines(const void *text, size_t len, void *out, size_t out_cap, uint64_t *offsets,
                            size_t offsets_cap, uint64_t *bad_line) {
    const uint8_t *p = (const uint8_t *)text, *end = p + len;
    uint8_t *o = (uint8_t *)out;
    uint64_t written = 0, line = 0;
    if (offsets_cap < 1) return CAL_SIZE_ERROR(CAL_ERR_DST_TOO_SMALL);
    offsets[0] = 0;
    while (p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *stop = nl ? nl : end;
        if (stop > p && stop[-1] == '\r') stop--;
        size_t n = (size_t)(stop - p);
        if (n & 1) { *bad_line = line; return CAL_SIZE_ERROR(CAL_ERR_BAD_HEX); }
        if (n / 2 > out_cap - written || line + 2 > offsets_cap) return CAL_SIZE_ERROR(CAL_ERR_DST_TOO_SMALL);
        if (cal_unhex(p, n / 2, o + written, CAL_HEX_ANY_CASE)) { *bad_line = line; return CAL_SIZE_ERROR(CAL_ERR_BAD_HEX); }
        written += n / 2;
        offsets[++line] = written;
        p = nl ? nl + 1 : end;
    }
    return (size_t)line;
}
