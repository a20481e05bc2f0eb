/*
 * era1 files: transforms 4 and 6 of docs/archive-codec.md.
 *
 * e2store entries (type u16 LE, length u32 LE, reserved u16 LE, data). Snappy-framed header, body and
 * receipts entries (0x03, 0x04, 0x05) that re-encode exactly are stored as their RLP: headers through
 * the RLP column transform, bodies and receipts as zstd columns. Total-difficulty entries (0x06) equal
 * to the previous one plus the last header's difficulty, and the block index (0x3266) whose offsets are
 * those of the header entries, are recomputed. Everything else is a literal entry.
 * Columns: 0 kinds (u8 per entry: 0 literal, 3/4/5 snappy entry of that type, 6 TD, 8 block index),
 * 1 literals (lit), 2 headers (varint RLP length + transform-2 payload), 3 bodies, 4 receipts,
 * 5 meta (varint starting block number per block index).
 */
#include "CCaldera.h"
#include "internal.h"
#include "snappy_internal.h"

#include <stdlib.h>
#include <string.h>

enum { ERA_KINDS, ERA_LIT, ERA_HEADERS, ERA_BODIES, ERA_RECEIPTS, ERA_META, ERA_COLUMNS_ };
_Static_assert(ERA_COLUMNS_ == CAL_ERA1_COLUMNS, "era1 columns");
enum { EK_LIT = 0, EK_TD = 6, EK_INDEX = 8 };

typedef struct {
    uint64_t *pos;   /* offsets of header entries */
    size_t n, cap;
    int oom;
    uint8_t td[32], diff[32]; /* little-endian 256-bit */
    int td_valid, diff_valid;
} era_state;

static void era_push(era_state *e, uint64_t v) {
    if (e->n == e->cap) {
        uint64_t *np = (uint64_t *)grow_array(e->pos, &e->cap, sizeof *np, 1024);
        if (!np) { e->oom = 1; return; }
        e->pos = np;
    }
    e->pos[e->n++] = v;
}

/* Difficulty of a header RLP item as a 256-bit little-endian number; 0 if not a header with one. */
static int header_difficulty(const uint8_t *p, size_t n, uint8_t out[32]) {
    rlp_item it;
    span_t f[CAL_RLPCOL_MAX_FIELDS];
    if (rlp_parse(p, n, &it) || it.hdr + it.plen != n) return 0;
    int nf = rlp_split_header(p, &it, f);
    if (nf <= 7 || f[7].n > 32) return 0;
    memset(out, 0, 32);
    for (size_t i = 0; i < f[7].n; i++) out[i] = f[7].p[f[7].n - 1 - i];
    return 1;
}

static void add256(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]) {
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) { unsigned s = (unsigned)a[i] + b[i] + carry; out[i] = (uint8_t)s; carry = s >> 8; }
}

/* State after a complete entry at `at` (both directions). raw: the header RLP when known. */
static void era_update(era_state *e, unsigned type, unsigned res, size_t ln, const uint8_t *data, uint64_t at,
                       const uint8_t *raw, size_t raw_n) {
    if (type == 0x03) {
        era_push(e, at);
        e->diff_valid = raw ? header_difficulty(raw, raw_n, e->diff) : 0;
    } else if (type == 0x06) {
        if (res == 0 && ln == 32) { memcpy(e->td, data, 32); e->td_valid = 1; }
        else e->td_valid = 0;
    }
}

static inline uint64_t le(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static inline void put_le(uint8_t *p, uint64_t v, int n) {
    for (int i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

size_t cal_era1_entry_count(const void *src, size_t len) {
    const uint8_t *p = (const uint8_t *)src;
    size_t pos = 0, n = 0;
    while (len - pos >= 8) {
        uint64_t ln = le(p + pos + 2, 4);
        if (ln > len - pos - 8) break;
        pos += 8 + (size_t)ln;
        n++;
    }
    return n;
}

/* version 1: transform 4; version 2: transform 6 (ommers hashes recomputed from the bodies). */
static int era1_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes, int version) {
    const uint8_t *p = (const uint8_t *)src;
    *out = NULL;
    *out_len = 0;
    buf_t col[CAL_ERA1_COLUMNS], hdr, scratch, enc;
    memset(col, 0, sizeof col);
    memset(&hdr, 0, sizeof hdr);
    memset(&scratch, 0, sizeof scratch);
    memset(&enc, 0, sizeof enc);
    era_state st;
    memset(&st, 0, sizeof st);
    uint64_t entries = 0;
    size_t pos = 0;
    int rc = CAL_OK;
    while (pos < len && rc == 0) {
        entries++;
        if (len - pos < 8 || le(p + pos + 2, 4) > len - pos - 8) { /* partial tail */
            put_u8(&col[ERA_KINDS], EK_LIT);
            put_varint(&col[ERA_LIT], len - pos);
            put(&col[ERA_LIT], p + pos, len - pos);
            break;
        }
        unsigned type = (unsigned)le(p + pos, 2), res = (unsigned)le(p + pos + 6, 2);
        size_t ln = (size_t)le(p + pos + 2, 4);
        const uint8_t *data = p + pos + 8;
        int kind = EK_LIT;
        const uint8_t *raw = NULL;
        size_t raw_n = 0;
        if (res == 0 && type >= 3 && type <= 5 && ln >= 10) {
            /* snappy decompresses at most ~21x; bound the scratch by that */
            size_t cap = ln * 24 + 64;
            if (buf_reserve(&scratch, cap) == 0) {
                size_t r = cal_snappy_frame_decode(data, ln, scratch.p, cap);
                rlp_item it;
                if (!cal_is_error(r) && r > 0 && rlp_parse(scratch.p, (size_t)r, &it) == 0 && it.hdr + it.plen == (size_t)r &&
                    buf_reserve(&enc, cal_snappy_frame_bound((size_t)r)) == 0 &&
                    cal_snappy_frame_encode(scratch.p, (size_t)r, enc.p) == ln && memcmp(enc.p, data, ln) == 0) {
                    kind = (int)type;
                    raw = scratch.p;
                    raw_n = (size_t)r;
                    buf_t *dst = type == 3 ? &hdr : type == 4 ? &col[ERA_BODIES] : &col[ERA_RECEIPTS];
                    put(dst, raw, raw_n);
                }
            }
        } else if (res == 0 && type == 0x06 && ln == 32 && st.td_valid && st.diff_valid) {
            uint8_t sum[32];
            add256(st.td, st.diff, sum);
            if (memcmp(sum, data, 32) == 0) kind = EK_TD;
        } else if (res == 0 && type == 0x3266 && ln >= 16 && (ln - 16) % 8 == 0 && (ln - 16) / 8 == st.n &&
                   le(data + ln - 8, 8) == st.n) {
            int ok = 1;
            for (size_t i = 0; ok && i < st.n; i++) ok = le(data + 8 + 8 * i, 8) == st.pos[i] - (uint64_t)pos;
            if (ok) {
                kind = EK_INDEX;
                put_varint(&col[ERA_META], le(data, 8));
            }
        }
        put_u8(&col[ERA_KINDS], (uint8_t)kind);
        if (kind == EK_LIT) {
            put_varint(&col[ERA_LIT], 8 + ln);
            put(&col[ERA_LIT], p + pos, 8 + ln);
        }
        era_update(&st, type, res, ln, data, pos, raw, raw_n);
        pos += 8 + ln;
    }
    if (hdr.n) {
        void *hp = NULL;
        size_t hn = 0;
        put_varint(&col[ERA_HEADERS], hdr.n);
        rd_t bodies = {col[ERA_BODIES].p, col[ERA_BODIES].n, 0};
        rc = rlpcol_encode_with(hdr.p, hdr.n, level, &hp, &hn, NULL, version >= 2 && !col[ERA_BODIES].oom ? &bodies : NULL);
        if (rc == 0) put(&col[ERA_HEADERS], hp, hn);
        free(hp);
    }
    for (int c = 0; c < CAL_ERA1_COLUMNS; c++)
        if (col[c].oom) rc = CAL_ERR_NOMEM;
    if (hdr.oom || scratch.oom || enc.oom || st.oom) rc = CAL_ERR_NOMEM;
    if (rc == 0) rc = col_write_payload(entries, col, CAL_ERA1_COLUMNS, level, out, out_len, column_sizes);
    for (int c = 0; c < CAL_ERA1_COLUMNS; c++) free(col[c].p);
    free(hdr.p);
    free(scratch.p);
    free(enc.p);
    free(st.pos);
    return rc;
}

int cal_era1_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes) {
    return era1_encode(src, len, level, out, out_len, column_sizes, 1);
}

int cal_era1v2_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes) {
    return era1_encode(src, len, level, out, out_len, column_sizes, 2);
}

/* Next RLP item of a stream (must be complete). */
static int next_item(rd_t *r, const uint8_t **item, size_t *n) {
    rlp_item it;
    if (r->off >= r->n || rlp_parse(r->p + r->off, r->n - r->off, &it)) return CAL_ERR_TRUNCATED;
    *item = r->p + r->off;
    *n = it.hdr + it.plen;
    r->off += *n;
    return 0;
}

static int era1_decode(const void *src, size_t len, void *dst, size_t expected, int version) {
    const uint8_t *p = (const uint8_t *)src;
    uint8_t *o = (uint8_t *)dst;
    if (expected > SIZE_MAX / 32) return CAL_ERR_LIMIT;
    table_t t;
    /* the RLP streams are what snappy compressed (about 1.3x the original on chain data; more only for
     * runs of zeros, which the encoder then stores another way): 4x in total */
    int rc = col_read_table(p, len, expected, CAL_ERA1_COLUMNS, col_budget(expected, 4), &t);
    if (rc) return rc;
    uint8_t *raw = NULL, *hbuf = NULL;
    rd_t col[CAL_ERA1_COLUMNS], hdr = {NULL, 0, 0};
    memset(col, 0, sizeof col);
    era_state st;
    memset(&st, 0, sizeof st);
    buf_t enc;
    memset(&enc, 0, sizeof enc);
    rc = col_load(p, &t, CAL_ERA1_COLUMNS, &raw, col);
    if (!rc && col[ERA_HEADERS].n) {
        uint64_t hn;
        rc = get_varint(&col[ERA_HEADERS], &hn);
        if (!rc && (hn == 0 || hn > col_budget(expected, 4))) rc = CAL_ERR_LIMIT;
        if (!rc && !(hbuf = (uint8_t *)malloc((size_t)hn))) rc = CAL_ERR_NOMEM;
        /* the header stream's own columns: 3x the era1 original, not 3x the (up to 4x larger) stream */
        rd_t bodies = col[ERA_BODIES];
        if (!rc) rc = rlpcol_decode_with(col[ERA_HEADERS].p + col[ERA_HEADERS].off, col[ERA_HEADERS].n - col[ERA_HEADERS].off, hbuf, (size_t)hn,
                                    col_budget(expected, 3), version >= 2 ? &bodies : NULL);
        if (!rc) { col[ERA_HEADERS].off = col[ERA_HEADERS].n; hdr.p = hbuf; hdr.n = (size_t)hn; }
    }
    size_t out = 0;
    for (uint64_t e = 0; !rc && e < t.items; e++) {
        const uint8_t *kp;
        if ((rc = get_bytes(&col[ERA_KINDS], 1, &kp))) break;
        size_t at = out;
        if (*kp == EK_LIT) {
            const uint8_t *b;
            size_t n;
            if ((rc = get_lenbytes(&col[ERA_LIT], &b, &n))) break;
            if (n == 0) { rc = CAL_ERR_MALFORMED; break; }
            if (n > expected - out) { rc = CAL_ERR_SIZE; break; }
            memcpy(o + out, b, n);
            out += n;
            if (n >= 8 && le(b + 2, 4) == n - 8)
                era_update(&st, (unsigned)le(b, 2), (unsigned)le(b + 6, 2), n - 8, b + 8, at, NULL, 0);
        } else if (*kp >= 3 && *kp <= 5) {
            const uint8_t *item;
            size_t n;
            rd_t *srcr = *kp == 3 ? &hdr : *kp == 4 ? &col[ERA_BODIES] : &col[ERA_RECEIPTS];
            if ((rc = next_item(srcr, &item, &n))) break;
            if (buf_reserve(&enc, cal_snappy_frame_bound(n))) { rc = CAL_ERR_NOMEM; break; }
            size_t en = cal_snappy_frame_encode(item, n, enc.p);
            if (en > UINT32_MAX || en < 10) { rc = CAL_ERR_MALFORMED; break; }
            if (8 + en > expected - out) { rc = CAL_ERR_SIZE; break; }
            put_le(o + out, *kp, 2);
            put_le(o + out + 2, en, 4);
            put_le(o + out + 6, 0, 2);
            memcpy(o + out + 8, enc.p, en);
            out += 8 + en;
            era_update(&st, *kp, 0, en, o + at + 8, at, item, n);
        } else if (*kp == EK_TD) {
            if (!st.td_valid || !st.diff_valid) { rc = CAL_ERR_MALFORMED; break; }
            if (40 > expected - out) { rc = CAL_ERR_SIZE; break; }
            put_le(o + out, 0x06, 2);
            put_le(o + out + 2, 32, 4);
            put_le(o + out + 6, 0, 2);
            add256(st.td, st.diff, o + out + 8);
            out += 40;
            era_update(&st, 0x06, 0, 32, o + at + 8, at, NULL, 0);
        } else if (*kp == EK_INDEX) {
            uint64_t start;
            if ((rc = get_varint(&col[ERA_META], &start))) break;
            size_t ln = 16 + 8 * st.n;
            if (st.n > expected / 8 || 8 + ln > expected - out) { rc = CAL_ERR_SIZE; break; }
            put_le(o + out, 0x3266, 2);
            put_le(o + out + 2, ln, 4);
            put_le(o + out + 6, 0, 2);
            put_le(o + out + 8, start, 8);
            for (size_t i = 0; i < st.n; i++) put_le(o + out + 16 + 8 * i, st.pos[i] - (uint64_t)at, 8);
            put_le(o + out + 16 + 8 * st.n, st.n, 8);
            out += 8 + ln;
        } else {
            rc = CAL_ERR_MALFORMED;
        }
        if (st.oom) rc = CAL_ERR_NOMEM;
    }
    if (!rc && out != expected) rc = CAL_ERR_SIZE;
    if (!rc) rc = col_all_consumed(col, CAL_ERA1_COLUMNS);
    if (!rc && hdr.off != hdr.n) rc = CAL_ERR_TRAILING;
    free(raw);
    free(hbuf);
    free(enc.p);
    free(st.pos);
    return rc;
}

int cal_era1_decode(const void *src, size_t len, void *dst, size_t expected) {
    return era1_decode(src, len, dst, expected, 1);
}

int cal_era1v2_decode(const void *src, size_t len, void *dst, size_t expected) {
    return era1_decode(src, len, dst, expected, 2);
}

int cal_era1_column_sizes(const void *src, size_t len, uint64_t *column_sizes) {
    return col_sizes(src, len, SIZE_MAX / 32, CAL_ERA1_COLUMNS, column_sizes);
}
