/*
 * The column payload every columnar transform shares (docs/archive-codec.md): an item count, a table
 * of columns (raw or zstd, raw and stored lengths), then the columns' bytes. Contracts in internal.h.
 */
#include "CCaldera.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* varint items, then per column: u8 mode (0 raw, 1 zstd), varint raw length, [varint stored length];
 * then the columns' stored bytes in order. Sets *out (malloc'd). */
int col_write_payload(uint64_t items, buf_t *col, int ncols, int level, void **out, size_t *out_len, uint64_t *sizes) {
    int rc = CAL_OK;
    buf_t o;
    memset(&o, 0, sizeof o);
    uint8_t *z[MAX_COLUMNS];
    size_t zn[MAX_COLUMNS];
    memset(z, 0, sizeof z);
    memset(zn, 0, sizeof zn);
    for (int c = 0; c < ncols; c++) {
        if (col[c].n == 0) continue;
        size_t cap = cal_zstd_bound(col[c].n);
        z[c] = (uint8_t *)malloc(cap);
        if (!z[c]) { rc = CAL_ERR_NOMEM; break; }
        size_t r = cal_zstd_compress(z[c], cap, col[c].p, col[c].n, NULL, 0, (cal_zstd_params){level, 0, 0, 0});
        if (cal_is_error(r) || r >= col[c].n) { free(z[c]); z[c] = NULL; }
        else zn[c] = r;
    }
    if (rc == 0) {
        put_varint(&o, items);
        for (int c = 0; c < ncols; c++) {
            put_u8(&o, z[c] ? 1 : 0);
            put_varint(&o, col[c].n);
            if (z[c]) put_varint(&o, zn[c]);
        }
        for (int c = 0; c < ncols; c++) {
            if (z[c]) put(&o, z[c], zn[c]);
            else put(&o, col[c].p, col[c].n);
            if (sizes) sizes[c] = z[c] ? zn[c] : col[c].n;
        }
        if (o.oom) rc = CAL_ERR_NOMEM;
    }
    for (int c = 0; c < ncols; c++) free(z[c]);
    if (rc == 0 && o.p == NULL && (o.p = (uint8_t *)malloc(1)) == NULL) rc = CAL_ERR_NOMEM;
    if (rc) { free(o.p); return rc; }
    *out = o.p;
    *out_len = o.n;
    return CAL_OK;
}

/* Parses the column table: at most `expected` items, raw lengths at most `limit` bytes in total. */
int col_read_table(const uint8_t *p, size_t len, size_t expected, int ncols, uint64_t limit, table_t *t) {
    rd_t r = {p, len, 0};
    int e = get_varint(&r, &t->items);
    if (e) return e;
    if (t->items > expected) return CAL_ERR_LIMIT;
    uint64_t sum_raw = 0, sum_stored = 0;
    for (int c = 0; c < ncols; c++) {
        const uint8_t *m;
        if ((e = get_bytes(&r, 1, &m))) return e;
        if (*m > 1) return CAL_ERR_MALFORMED;
        t->mode[c] = *m;
        if ((e = get_varint(&r, &t->raw[c]))) return e;
        if (t->raw[c] > limit || sum_raw > limit - t->raw[c]) return CAL_ERR_LIMIT;
        if (*m == 1) {
            if ((e = get_varint(&r, &t->stored[c]))) return e;
            if (t->stored[c] == 0 || t->stored[c] >= t->raw[c]) return CAL_ERR_MALFORMED;
        } else t->stored[c] = t->raw[c];
        /* no wrap-around in either sum: the column-size queries pass an unlimited budget */
        if (t->stored[c] > len || sum_stored > len - t->stored[c]) return CAL_ERR_TRUNCATED;
        sum_raw += t->raw[c];
        sum_stored += t->stored[c];
    }
    if (sum_stored > r.n - r.off) return CAL_ERR_TRUNCATED;
    if (sum_stored < r.n - r.off) return CAL_ERR_TRAILING;
    t->body = r.off;
    return 0;
}

/* Decompresses every column into one malloc'd block (*raw, released by the caller even on error). */
int col_load(const uint8_t *p, const table_t *t, int ncols, uint8_t **raw, rd_t *col) {
    uint64_t sum_raw = 0;
    for (int c = 0; c < ncols; c++) sum_raw += t->raw[c];
    *raw = (uint8_t *)malloc(sum_raw ? (size_t)sum_raw : 1);
    if (!*raw) return CAL_ERR_NOMEM;
    struct ZSTD_DCtx_s *dctx = cal_zstd_exact_dctx();
    if (!dctx) return CAL_ERR_NOMEM;
    int rc = 0;
    size_t in = t->body, at = 0;
    for (int c = 0; !rc && c < ncols; c++) {
        if (t->mode[c] == 1) {
            if (cal_zstd_exact_with(dctx, *raw + at, (size_t)t->raw[c], p + in, (size_t)t->stored[c], 0)) rc = CAL_ERR_FRAME;
        } else if (t->raw[c]) memcpy(*raw + at, p + in, (size_t)t->raw[c]);
        col[c].p = *raw + at;
        col[c].n = (size_t)t->raw[c];
        col[c].off = 0;
        in += (size_t)t->stored[c];
        at += (size_t)t->raw[c];
    }
    cal_zstd_dctx_free(dctx);
    return rc;
}

int col_all_consumed(const rd_t *col, int ncols) {
    for (int c = 0; c < ncols; c++)
        if (col[c].off != col[c].n) return CAL_ERR_TRAILING;
    return 0;
}

int col_sizes(const void *src, size_t len, size_t max_items, int ncols, uint64_t *column_sizes) {
    table_t t;
    int e = col_read_table((const uint8_t *)src, len, max_items, ncols, UINT64_MAX, &t);
    if (e) return e;
    for (int c = 0; c < ncols; c++) column_sizes[c] = t.stored[c];
    return 0;
}
