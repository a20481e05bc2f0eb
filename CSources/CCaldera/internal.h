/*
 * Private helpers shared by the C files of CCaldera; not part of the public headers. Functions defined
 * in one file and used by others are CAL_HIDDEN (not exported from a shared build).
 *   - error values for size_t returns
 *   - hex digit values (hex.c, txhash.c, hexcol.c)
 *   - the RLP item parser and header writer (rlpcol.c, era1.c, txhash.c)
 *   - growable buffers, varints and cursors (the column transforms, txhash.c)
 *   - the column payload shared by the transforms (columns.c) and the zstd context it reuses (codec.c)
 */
#ifndef CCALDERA_INTERNAL_H
#define CCALDERA_INTERNAL_H
#include "CCaldera.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CAL_HIDDEN __attribute__((visibility("hidden")))

/* A negative CAL_ERR_* code as a size_t result (what cal_is_error accepts). */
#define CAL_SIZE_ERROR(e) ((size_t)(ptrdiff_t)(e))

/* ---------------------------------------------------------------- hex digits */

/* Hex digit values (hex.c): '0'-'9' and 'a'-'f' map to 0..15, 'A'-'F' to 0x10 | 10..15, every other
 * byte to 0xFF. So `v < 16` accepts lowercase hex only and `!(v & 0x80)` either case; `v & 15` is the
 * digit's value. */
extern const uint8_t cal_hex_values[256];
#define CAL_HEX_ANY_CASE 0x80 /* bad-digit mask for either case */
#define CAL_HEX_LOWER 0xF0    /* bad-digit mask for lowercase only */

/* Decodes nb bytes from 2*nb digits at d into out. `bad_mask` is CAL_HEX_ANY_CASE or CAL_HEX_LOWER.
 * Returns 0, or -1 when a digit is not accepted (out is then written but meaningless). */
static inline int cal_unhex(const uint8_t *d, size_t nb, uint8_t *out, uint8_t bad_mask) {
    uint8_t bad = 0;
    for (size_t k = 0; k < nb; k++) {
        uint8_t hi = cal_hex_values[d[2 * k]], lo = cal_hex_values[d[2 * k + 1]];
        bad |= hi | lo;
        out[k] = (uint8_t)((hi & 15) << 4 | (lo & 15));
    }
    return (bad & bad_mask) ? -1 : 0;
}

static inline int cal_is_lower_hex(uint8_t c) { return cal_hex_values[c] < 16; }

/* ---------------------------------------------------------------- RLP */

typedef struct {
    size_t hdr, plen;
    int list, canonical;
} rlp_item;

/* Parses the item at p (len bytes available). Returns 0, or -1 if it does not fit. */
static inline int rlp_parse(const uint8_t *p, size_t len, rlp_item *it) {
    if (len == 0) return -1;
    uint8_t b = p[0];
    size_t ll;
    if (b < 0x80) { it->hdr = 0; it->plen = 1; it->list = 0; it->canonical = 1; return 0; }
    if (b <= 0xb7) {
        size_t l = b - 0x80;
        if (l > len - 1) return -1;
        it->hdr = 1; it->plen = l; it->list = 0; it->canonical = !(l == 1 && p[1] < 0x80);
        return 0;
    }
    if (b <= 0xbf) { ll = b - 0xb7; it->list = 0; }
    else if (b <= 0xf7) {
        size_t l = b - 0xc0;
        if (l > len - 1) return -1;
        it->hdr = 1; it->plen = l; it->list = 1; it->canonical = 1;
        return 0;
    } else { ll = b - 0xf7; it->list = 1; }
    if (ll > len - 1) return -1;
    uint64_t l = 0;
    for (size_t i = 1; i <= ll; i++) l = (l << 8) | p[i];
    if (l > len - 1 - ll) return -1;
    it->hdr = 1 + ll; it->plen = (size_t)l; it->canonical = (p[1] != 0) && l > 55;
    return 0;
}

/* Bytes of the RLP header of a list or string of plen bytes (1 up to 55, else 1 + length bytes); a
 * one-byte string below 0x80 has none, which the callers check themselves. */
static inline size_t rlp_hdr_len(size_t plen) {
    if (plen <= 55) return 1;
    size_t ll = 0;
    for (uint64_t v = plen; v; v >>= 8) ll++;
    return 1 + ll;
}

/* Writes that header at o (rlp_hdr_len(plen) bytes). */
static inline void rlp_write_hdr(uint8_t *o, size_t plen, int list) {
    uint8_t base = list ? 0xc0 : 0x80;
    size_t h = rlp_hdr_len(plen);
    if (h == 1) { o[0] = (uint8_t)(base + plen); return; }
    size_t ll = h - 1;
    o[0] = (uint8_t)(base + 55 + ll);
    for (size_t i = 0; i < ll; i++) o[ll - i] = (uint8_t)(plen >> (8 * i));
}

typedef struct {
    const uint8_t *p;
    size_t n;
} span_t;

/* Header shape (rlpcol.c): the fields of a canonical list of 1..CAL_RLPCOL_MAX_FIELDS canonical
 * strings, or 0 if the item is not one. */
CAL_HIDDEN int rlp_split_header(const uint8_t *p, const rlp_item *it, span_t *fields);

/* ---------------------------------------------------------------- buffers, varints, cursors */

/* A growable byte buffer (the codec's columns and the RLP it rebuilds). An allocation failure sets oom
 * and makes every later reserve fail, so callers check once at the end. */
typedef struct {
    uint8_t *p;
    size_t n, cap;
    int oom;
} buf_t;

static inline int buf_reserve(buf_t *b, size_t extra) {
    if (b->oom) return -1;
    if (b->cap - b->n >= extra) return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap - b->n < extra) {
        if (ncap > SIZE_MAX / 2) { b->oom = 1; return -1; }
        ncap *= 2;
    }
    uint8_t *np = (uint8_t *)realloc(b->p, ncap);
    if (!np) { b->oom = 1; return -1; }
    b->p = np;
    b->cap = ncap;
    return 0;
}

static inline void put(buf_t *b, const void *d, size_t n) {
    if (n == 0 || buf_reserve(b, n)) return;
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static inline void put_u8(buf_t *b, uint8_t v) { put(b, &v, 1); }

static inline void put_varint(buf_t *b, uint64_t v) {
    uint8_t t[10];
    int n = 0;
    while (v >= 0x80) { t[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    t[n++] = (uint8_t)v;
    put(b, t, (size_t)n);
}

/* Appends the RLP header of a list or string of plen bytes. */
static inline void put_rlp_hdr(buf_t *b, size_t plen, int list) {
    if (buf_reserve(b, 9)) return;
    rlp_write_hdr(b->p + b->n, plen, list);
    b->n += rlp_hdr_len(plen);
}

/* Room for one more element in a growable array of *cap elements of `size` bytes (doubling, `first`
 * to start): the array, moved or not, or NULL when out of memory (p is then still valid). */
static inline void *grow_array(void *p, size_t *cap, size_t size, size_t first) {
    size_t ncap = *cap ? 2 * *cap : first;
    void *np = realloc(p, ncap * size);
    if (np) *cap = ncap;
    return np;
}

typedef struct {
    const uint8_t *p;
    size_t n, off;
} rd_t;

/* LEB128, at most 10 bytes, minimal. Returns 0, CAL_ERR_TRUNCATED or CAL_ERR_MALFORMED. */
static inline int get_varint(rd_t *r, uint64_t *out) {
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
        if (r->off >= r->n) return CAL_ERR_TRUNCATED;
        uint8_t b = r->p[r->off++];
        if (i == 9 && b > 1) return CAL_ERR_MALFORMED;
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0) return CAL_ERR_MALFORMED;
            *out = v;
            return 0;
        }
    }
    return CAL_ERR_MALFORMED;
}

static inline int get_bytes(rd_t *r, size_t n, const uint8_t **out) {
    if (r->n - r->off < n) return CAL_ERR_TRUNCATED;
    *out = r->p + r->off;
    r->off += n;
    return 0;
}

/* varint length then that many bytes */
static inline int get_lenbytes(rd_t *r, const uint8_t **out, size_t *len) {
    uint64_t n;
    int e = get_varint(r, &n);
    if (e) return e;
    if (n > r->n - r->off) return CAL_ERR_TRUNCATED;
    *len = (size_t)n;
    return get_bytes(r, (size_t)n, out);
}

/* ---------------------------------------------------------------- column payloads (columns.c) */

enum { MAX_COLUMNS = 160 };

typedef struct {
    uint64_t items;
    uint8_t mode[MAX_COLUMNS];
    uint64_t raw[MAX_COLUMNS], stored[MAX_COLUMNS];
    size_t body; /* offset of the first column's bytes */
} table_t;

/* Working-memory budget of the decoders (docs/archive-codec.md, "Memory"): the raw column bytes a
 * payload may declare, in total, for an original of n bytes. Tight enough that a hostile archive cannot
 * make decode allocate much more than a few times its declared size; an input whose honest encoding
 * would need more is caught by the encoder's verification decode and stored with another transform. */
static inline uint64_t col_budget(uint64_t n, uint64_t mult) { return n * mult + 4096; }

/* varint items, then per column: u8 mode (0 raw, 1 zstd at `level`), varint raw length, [varint stored
 * length]; then the columns' stored bytes in order. Sets *out (malloc'd) and *out_len; sizes (may be
 * NULL) gets each column's stored size. Returns 0 or CAL_ERR_NOMEM. */
CAL_HIDDEN int col_write_payload(uint64_t items, buf_t *col, int ncols, int level, void **out, size_t *out_len,
                                 uint64_t *sizes);

/* Parses the column table: at most `expected` items, raw lengths at most `limit` bytes in total. */
CAL_HIDDEN int col_read_table(const uint8_t *p, size_t len, size_t expected, int ncols, uint64_t limit, table_t *t);

/* Decompresses every column into one malloc'd block (*raw, released by the caller even on error). */
CAL_HIDDEN int col_load(const uint8_t *p, const table_t *t, int ncols, uint8_t **raw, rd_t *col);

/* CAL_ERR_TRAILING unless every column was read to its end. */
CAL_HIDDEN int col_all_consumed(const rd_t *col, int ncols);

/* Stored sizes of a payload's ncols columns, without decompressing. */
CAL_HIDDEN int col_sizes(const void *src, size_t len, size_t max_items, int ncols, uint64_t *column_sizes);

/* rlpcol.c: transform 2 with era1-columns/2's paired bodies stream (NULL: plain transform 2) and, for
 * decoding, an explicit column budget (era1 passes one derived from its own original length). */
CAL_HIDDEN int rlpcol_encode_with(const void *src, size_t len, int level, void **out, size_t *out_len,
                                  uint64_t *column_sizes, rd_t *bodies);
CAL_HIDDEN int rlpcol_decode_with(const void *src, size_t len, void *dst, size_t expected, uint64_t limit,
                                  rd_t *bodies);

/* codec.c: cal_zstd_decompress_exact on a caller's context (window up to 2^27), so that a payload's
 * columns share one. */
struct ZSTD_DCtx_s;
CAL_HIDDEN struct ZSTD_DCtx_s *cal_zstd_exact_dctx(void);
CAL_HIDDEN void cal_zstd_dctx_free(struct ZSTD_DCtx_s *dctx);
CAL_HIDDEN int cal_zstd_exact_with(struct ZSTD_DCtx_s *dctx, void *dst, size_t expected, const void *src, size_t len,
                                   int flags);

#endif
