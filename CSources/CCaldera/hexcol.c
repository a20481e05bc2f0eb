/*
 * Hex columns: transform 3 of docs/archive-codec.md, and transform 5 (transform 3 plus recomputed
 * transaction hashes, txhash.c).
 *
 * Text with hex values (JSON-RPC, beacon JSON, CSV exports, hex dumps). The text minus its hex values
 * is the skeleton (column 0); each hex value becomes one token byte in the skeleton and its binary
 * value goes to a column chosen by the value's shape and by the JSON key it follows (bucket = FNV-1a
 * of the key mod 32), so "nonce", "gas", "blockHash", ... each get their own columns:
 *   0x01 QTY   "0x" + minimal lowercase hex of a value < 2^64: varint in Q[bucket]
 *   0x02 H32   "0x" + 64 lowercase digits: 32 bytes in H[bucket]
 *   0x03 A20   "0x" + 40 lowercase digits: 20 bytes in A[bucket]
 *   0x04 DATA  "0x" + other even number (>= 2) of lowercase digits: varint length + bytes in D[bucket]
 *   0x05 BARE  16 or more (even) lowercase digits without "0x": varint length + bytes in column 1
 *   0x06 ESC   the next skeleton byte is a literal byte 0x01..0x06 of the text
 * A value is a token only when the bytes around it are not letters, digits or '_'.
 */
#include "CCaldera.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { HX_BUCKETS = 32, HX_SKEL = 0, HX_BARE = 1, HX_Q = 2, HX_H = HX_Q + HX_BUCKETS, HX_A = HX_H + HX_BUCKETS,
       HX_D = HX_A + HX_BUCKETS, HX_COLUMNS_ = HX_D + HX_BUCKETS, HX_R = HX_COLUMNS_ };
_Static_assert(HX_R + 1 == CAL_HEXCOL2_COLUMNS, "transform 5 adds one column");
_Static_assert(HX_COLUMNS_ == CAL_HEXCOL_COLUMNS, "column count");
_Static_assert(HX_COLUMNS_ <= MAX_COLUMNS, "column table");
enum { T_QTY = 1, T_H32 = 2, T_A20 = 3, T_DATA = 4, T_BARE = 5, T_ESC = 6, T_RECOMP = 7 };
typedef struct { size_t at, obj; } hx_mark; /* a recomputed transaction hash (transform 5): its value, its object's "{" */

static inline int is_word(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static const char HEXDIGITS[] = "0123456789abcdef";

/* Bucket of the JSON key before position `at` of text t: `"key" :` then optional space and `"`. */
static int key_bucket(const uint8_t *t, size_t at) {
    size_t i = at, stop = at > 96 ? at - 96 : 0;
    if (i > stop && t[i - 1] == '"') i--;
    while (i > stop && (t[i - 1] == ' ' || t[i - 1] == '\t' || t[i - 1] == '\n' || t[i - 1] == '\r')) i--;
    if (i == stop || t[i - 1] != ':') return 0;
    i--;
    while (i > stop && (t[i - 1] == ' ' || t[i - 1] == '\t')) i--;
    if (i == stop || t[i - 1] != '"') return 0;
    size_t end = --i;
    while (i > stop && t[i - 1] != '"') i--;
    if (i == stop) return 0;
    uint32_t h = 2166136261u;
    for (size_t k = i; k < end; k++) h = (h ^ t[k]) * 16777619u;
    return (int)(h % HX_BUCKETS);
}

size_t cal_hexcol_count_values(const void *src, size_t len) {
    const uint8_t *p = (const uint8_t *)src;
    size_t n = 0;
    for (size_t i = 0; i + 2 < len; i++)
        if (p[i] == '0' && p[i + 1] == 'x' && cal_is_lower_hex(p[i + 2]) && (i == 0 || !is_word(p[i - 1]))) n++;
    return n;
}

/* Transform 3 (marks == NULL) and transform 5 (marks: recomputable transaction hashes, sorted). */
static int hexcol_encode_impl(const uint8_t *p, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes,
                              const hx_mark *marks, size_t nmarks) {
    const int ncols = marks ? CAL_HEXCOL2_COLUMNS : CAL_HEXCOL_COLUMNS, last_tok = marks ? T_RECOMP : T_ESC;
    size_t k = 0;
    *out = NULL;
    *out_len = 0;
    buf_t col[CAL_HEXCOL2_COLUMNS];
    memset(col, 0, sizeof col);
    buf_t *sk = &col[HX_SKEL];
    uint64_t tokens = 0;
    size_t i = 0;
    while (i < len) {
        uint8_t c = p[i];
        int boundary = (i == 0 || !is_word(p[i - 1]));
        if (boundary && c == '0' && i + 1 < len && p[i + 1] == 'x') {
            size_t j = i + 2;
            while (j < len && cal_is_lower_hex(p[j])) j++;
            size_t nd = j - i - 2;
            if (nd > 0 && (j == len || !is_word(p[j]))) {
                const uint8_t *d = p + i + 2;
                int b = key_bucket(p, i);
                int kind = 0;
                if (nd == 64) kind = T_H32;
                else if (nd == 40) kind = T_A20;
                else if (nd <= 16 && (d[0] != '0' || nd == 1)) kind = T_QTY;
                else if (nd % 2 == 0) kind = T_DATA;
                while (k < nmarks && marks[k].at < i) k++;
                if (kind == T_H32 && k < nmarks && marks[k].at == i) {
                    put_u8(sk, T_RECOMP);
                    put_varint(&col[HX_R], (uint64_t)(i - marks[k].obj));
                    k++;
                } else if (kind == T_QTY) {
                    uint64_t v = 0;
                    for (size_t k = 0; k < nd; k++) v = (v << 4) | (uint64_t)cal_hex_values[d[k]];
                    put_u8(sk, T_QTY);
                    put_varint(&col[HX_Q + b], v);
                } else if (kind) {
                    buf_t *dst = kind == T_H32 ? &col[HX_H + b] : kind == T_A20 ? &col[HX_A + b] : &col[HX_D + b];
                    put_u8(sk, (uint8_t)kind);
                    if (kind == T_DATA) put_varint(dst, nd / 2);
                    if (buf_reserve(dst, nd / 2) == 0) {
                        cal_unhex(d, nd / 2, dst->p + dst->n, CAL_HEX_LOWER); /* digits checked above */
                        dst->n += nd / 2;
                    }
                }
                if (kind) { tokens++; i = j; continue; }
            }
        }
        if (boundary && cal_is_lower_hex(c)) {
            size_t j = i;
            while (j < len && cal_is_lower_hex(p[j])) j++;
            size_t nd = j - i;
            if (nd >= 16 && nd % 2 == 0 && (j == len || !is_word(p[j]))) {
                put_u8(sk, T_BARE);
                put_varint(&col[HX_BARE], nd / 2);
                buf_t *dst = &col[HX_BARE];
                if (buf_reserve(dst, nd / 2) == 0) {
                    cal_unhex(p + i, nd / 2, dst->p + dst->n, CAL_HEX_LOWER);
                    dst->n += nd / 2;
                }
                tokens++;
                i = j;
                continue;
            }
            /* not a token: copy the whole word so no token starts inside it */
            put(sk, p + i, j - i);
            i = j;
            continue;
        }
        if (c >= 1 && c <= last_tok) put_u8(sk, T_ESC);
        put_u8(sk, c);
        i++;
    }
    int rc = CAL_OK;
    for (int c2 = 0; c2 < ncols; c2++)
        if (col[c2].oom) rc = CAL_ERR_NOMEM;
    if (rc == 0) rc = col_write_payload(tokens, col, ncols, level, out, out_len, column_sizes);
    for (int c2 = 0; c2 < ncols; c2++) free(col[c2].p);
    return rc;
}

int cal_hexcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes) {
    return hexcol_encode_impl((const uint8_t *)src, len, level, out, out_len, column_sizes, NULL, 0);
}

/* Recomputable transaction objects. Candidates are the '{' outside strings at bracket depth < 8, each
 * tried on the text up to its own closing bracket as this scan sees it (or the end of the text if it
 * never closes), so every byte is read by at most 8 tries plus at most 8 unclosed ones: O(16 n) even when
 * the scan and the JSON parser disagree about strings. Kept when non-overlapping and when the stored
 * hash is the recomputed one. */
typedef struct { size_t start, end; } hx_span;
static int find_marks(const uint8_t *p, size_t len, hx_mark **out, size_t *count) {
    *out = NULL;
    *count = 0;
    hx_span *cand = NULL;
    size_t ncand = 0, ccap = 0, depth = 0, open[8];
    int rc = 0;
    for (size_t i = 0; i < len && !rc; i++) {
        uint8_t c = p[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < len && p[j] != '"') j += p[j] == '\\' ? 2 : 1;
            i = j < len ? j : len;
            continue;
        }
        if (c == '[' || c == '{') {
            if (depth < 8) {
                open[depth] = SIZE_MAX;
                if (c == '{') {
                    if (ncand == ccap) {
                        hx_span *nc = (hx_span *)grow_array(cand, &ccap, sizeof *nc, 64);
                        if (!nc) { rc = CAL_ERR_NOMEM; break; }
                        cand = nc;
                    }
                    cand[ncand] = (hx_span){i, len};
                    open[depth] = ncand++;
                }
            }
            depth++;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
            if (depth < 8 && open[depth] != SIZE_MAX) cand[open[depth]].end = i + 1;
        }
    }
    size_t cap = 0, last_end = 0;
    for (size_t k = 0; k < ncand && !rc; k++) {
        size_t i = cand[k].start, end, at;
        uint8_t h[32];
        if (i < last_end || cal_json_tx_hash(p, cand[k].end, i, &end, &at, h) != CAL_OK) continue;
        int same = 1;
        for (int b = 0; b < 32 && same; b++)
            same = p[at + 2 + 2 * b] == (uint8_t)HEXDIGITS[h[b] >> 4] && p[at + 3 + 2 * b] == (uint8_t)HEXDIGITS[h[b] & 15];
        if (!same) continue;
        if (*count == cap) {
            hx_mark *nm = (hx_mark *)grow_array(*out, &cap, sizeof *nm, 64);
            if (!nm) { rc = CAL_ERR_NOMEM; break; }
            *out = nm;
        }
        (*out)[(*count)++] = (hx_mark){at, i};
        last_end = end;
    }
    free(cand);
    return rc;
}

int cal_hexcol2_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes) {
    *out = NULL;
    *out_len = 0;
    hx_mark *marks;
    size_t n;
    int rc = find_marks((const uint8_t *)src, len, &marks, &n);
    if (rc == 0 && n == 0) rc = CAL_ERR_DECLINED;
    if (rc == 0) rc = hexcol_encode_impl((const uint8_t *)src, len, level, out, out_len, column_sizes, marks, n);
    free(marks);
    return rc;
}

size_t cal_hexcol2_count_recomputable(const void *src, size_t len) {
    hx_mark *marks;
    size_t n;
    if (find_marks((const uint8_t *)src, len, &marks, &n)) n = 0;
    free(marks);
    return n;
}

static int hexcol_decode_impl(const uint8_t *p, size_t len, uint8_t *o, size_t expected, int recompute) {
    const int ncols = recompute ? CAL_HEXCOL2_COLUMNS : CAL_HEXCOL_COLUMNS, last_tok = recompute ? T_RECOMP : T_ESC;
    hx_mark *marks = NULL;
    size_t nmarks = 0, mcap = 0;
    if (expected > SIZE_MAX / 16) return CAL_ERR_LIMIT;
    table_t t;
    /* each output byte needs at most 2 column bytes (an escaped byte) */
    int rc = col_read_table(p, len, expected, ncols, col_budget(expected, 2), &t);
    if (rc) return rc;
    uint8_t *raw = NULL;
    rd_t col[CAL_HEXCOL2_COLUMNS];
    rc = col_load(p, &t, ncols, &raw, col);
    rd_t *sk = &col[HX_SKEL];
    size_t out = 0;
    uint64_t tokens = 0;
    while (!rc && sk->off < sk->n) {
        uint8_t c = sk->p[sk->off++];
        if (c == 0 || c > last_tok) {
            if (out == expected) { rc = CAL_ERR_SIZE; break; }
            o[out++] = c;
            continue;
        }
        if (c == T_ESC) {
            if (sk->off == sk->n) { rc = CAL_ERR_TRUNCATED; break; }
            uint8_t l = sk->p[sk->off++];
            if (l < 1 || l > last_tok) { rc = CAL_ERR_MALFORMED; break; }
            if (out == expected) { rc = CAL_ERR_SIZE; break; }
            o[out++] = l;
            continue;
        }
        tokens++;
        if (c == T_RECOMP) {
            uint64_t d;
            if ((rc = get_varint(&col[HX_R], &d))) break;
            if (d == 0 || d > out || o[out - d] != '{') { rc = CAL_ERR_MALFORMED; break; }
            if (66 > expected - out) { rc = CAL_ERR_SIZE; break; }
            if (nmarks == mcap) {
                hx_mark *nm = (hx_mark *)grow_array(marks, &mcap, sizeof *nm, 64);
                if (!nm) { rc = CAL_ERR_NOMEM; break; }
                marks = nm;
            }
            marks[nmarks++] = (hx_mark){out, out - (size_t)d};
            o[out++] = '0';
            o[out++] = 'x';
            memset(o + out, '0', 64);
            out += 64;
            continue;
        }
        int b = key_bucket(o, out);
        if (c == T_QTY) {
            uint64_t v;
            if ((rc = get_varint(&col[HX_Q + b], &v))) break;
            size_t nd = 1;
            for (uint64_t x = v >> 4; x; x >>= 4) nd++;
            if (2 + nd > expected - out) { rc = CAL_ERR_SIZE; break; }
            o[out++] = '0';
            o[out++] = 'x';
            for (size_t k = 0; k < nd; k++) o[out++] = (uint8_t)HEXDIGITS[(v >> (4 * (nd - 1 - k))) & 15];
            continue;
        }
        const uint8_t *d;
        size_t n;
        if (c == T_H32) { n = 32; rc = get_bytes(&col[HX_H + b], n, &d); }
        else if (c == T_A20) { n = 20; rc = get_bytes(&col[HX_A + b], n, &d); }
        else {
            rc = get_lenbytes(&col[c == T_DATA ? HX_D + b : HX_BARE], &d, &n);
            if (!rc && (n == 0 || (c == T_DATA && (n == 20 || n == 32)) || (c == T_BARE && n < 8))) rc = CAL_ERR_MALFORMED;
        }
        if (rc) break;
        size_t need = 2 * n + (c == T_BARE ? 0 : 2);
        if (n > expected || need > expected - out) { rc = CAL_ERR_SIZE; break; }
        if (c != T_BARE) { o[out++] = '0'; o[out++] = 'x'; }
        for (size_t k = 0; k < n; k++) { o[out++] = (uint8_t)HEXDIGITS[d[k] >> 4]; o[out++] = (uint8_t)HEXDIGITS[d[k] & 15]; }
    }
    if (!rc && tokens != t.items) rc = CAL_ERR_MALFORMED;
    if (!rc && out != expected) rc = CAL_ERR_SIZE;
    if (!rc) rc = col_all_consumed(col, ncols);
    /* recompute: objects in order, disjoint, each one's "hash" at its marker (linear work in total) */
    size_t prev_end = 0;
    for (size_t k = 0; !rc && k < nmarks; k++) {
        size_t end, at;
        uint8_t h[32];
        if (marks[k].obj < prev_end || cal_json_tx_hash(o, expected, marks[k].obj, &end, &at, h) != CAL_OK || at != marks[k].at) {
            rc = CAL_ERR_MALFORMED;
            break;
        }
        for (int j = 0; j < 32; j++) {
            o[at + 2 + 2 * j] = (uint8_t)HEXDIGITS[h[j] >> 4];
            o[at + 3 + 2 * j] = (uint8_t)HEXDIGITS[h[j] & 15];
        }
        prev_end = end;
    }
    free(marks);
    free(raw);
    return rc;
}

int cal_hexcol_decode(const void *src, size_t len, void *dst, size_t expected) {
    return hexcol_decode_impl((const uint8_t *)src, len, (uint8_t *)dst, expected, 0);
}

int cal_hexcol2_decode(const void *src, size_t len, void *dst, size_t expected) {
    return hexcol_decode_impl((const uint8_t *)src, len, (uint8_t *)dst, expected, 1);
}

int cal_hexcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes) {
    return col_sizes(src, len, SIZE_MAX / 16, CAL_HEXCOL_COLUMNS, column_sizes);
}

int cal_hexcol2_column_sizes(const void *src, size_t len, uint64_t *column_sizes) {
    return col_sizes(src, len, SIZE_MAX / 16, CAL_HEXCOL2_COLUMNS, column_sizes);
}
