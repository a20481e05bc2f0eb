/*
 * The RLP column transform (transform 2 of docs/archive-codec.md), and the header-stream parts of
 * era1-columns/2 (transform 6) that era1.c drives through rlpcol_encode_with / rlpcol_decode_with.
 *
 * Encoder: walks the input as a sequence of top-level RLP items. An item that is a canonically
 * encoded list of 1..24 canonically encoded byte strings (the shape of a block header) is split
 * field by field into per-field columns (ctrl + data); anything else accumulates into a literal
 * chunk. Field i is coded according to its role in an Ethereum header (FIELD_KIND below):
 *   PARENT  ctrl 0 = keccak256(previous header item), recomputed on decode; 1 = literal in data
 *   INTD    ctrl z+1 = zigzag(value - previous value of this field); 0 = literal in data
 *   INTP    the same with previous value 0 (plain varint)
 *   DICT    ctrl k+1 = k-th entry of a move-to-front list of the last 64 values; 0 = new, literal in data
 *   BYTES   ctrl = length, data = the bytes
 * Literals in data are varint length + bytes. Each column is then zstd-compressed or stored raw.
 */
#include "CCaldera.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- header shape */

/* Splits a header-shaped item: canonical list of 1..MAX canonical strings. Returns field count or 0. */
int rlp_split_header(const uint8_t *p, const rlp_item *it, span_t *fields) {
    if (!it->list || !it->canonical) return 0;
    const uint8_t *q = p + it->hdr;
    size_t rem = it->plen;
    int nf = 0;
    while (rem) {
        rlp_item f;
        if (nf == CAL_RLPCOL_MAX_FIELDS || rlp_parse(q, rem, &f) || f.list || !f.canonical) return 0;
        fields[nf].p = q + f.hdr;
        fields[nf].n = f.plen;
        nf++;
        q += f.hdr + f.plen;
        rem -= f.hdr + f.plen;
    }
    return nf;
}

size_t cal_rlpcol_header_prefix(const void *src, size_t len, size_t max_items) {
    const uint8_t *p = (const uint8_t *)src;
    size_t pos = 0, count = 0;
    span_t fields[CAL_RLPCOL_MAX_FIELDS];
    while (pos < len && count < max_items) {
        rlp_item it;
        if (rlp_parse(p + pos, len - pos, &it)) break;
        int nf = rlp_split_header(p + pos, &it, fields);
        if (nf == 0 || fields[0].n != 32) break;
        pos += it.hdr + it.plen;
        count++;
    }
    return count;
}

/* RLP header bytes of a field (a string): none for a single byte below 0x80. */
static size_t field_hdr_len(span_t v) { return v.n == 1 && v.p[0] < 0x80 ? 0 : rlp_hdr_len(v.n); }

/* ---------------------------------------------------------------- field roles */

enum { K_PARENT, K_INTD, K_INTP, K_DICT, K_BYTES, K_DIFF };
static const uint8_t FIELD_KIND[CAL_RLPCOL_MAX_FIELDS] = {
    K_PARENT, K_DICT, K_DICT, K_BYTES, K_DICT, K_DICT, K_BYTES, K_DIFF, /* parent ommers coinbase state tx rcpt bloom diff */
    K_INTD, K_INTD, K_INTP, K_INTD, K_DICT, K_BYTES, K_BYTES, K_INTD,   /* number gasLimit gasUsed time extra mix nonce baseFee */
    K_DICT, K_INTP, K_INTD, K_BYTES, K_DICT, K_BYTES, K_BYTES, K_BYTES,  /* withdrawals blobGas excessBlob beaconRoot requests */
};
enum { DICT_CAP = 64 };

typedef struct {
    uint64_t prev;       /* INTD: last value */
    span_t dict[DICT_CAP];
    int ndict;
} field_state;

static void dict_front(field_state *s, int k, span_t v) {
    /* moves entry k (or a new entry when k == ndict, dropping the oldest when full) to the front */
    if (k == s->ndict) {
        if (s->ndict < DICT_CAP) s->ndict++;
        k = s->ndict - 1;
    }
    memmove(&s->dict[1], &s->dict[0], (size_t)k * sizeof(span_t));
    s->dict[0] = v;
}


/*
 * Difficulty predictors (field 7), from the previous header item's difficulty, timestamp and whether it
 * had ommers, and this item's timestamp (the protocol's adjustment rules without the difficulty bomb):
 *   m 0: previous difficulty     m 1: Frontier (+p/2048 if dt < 13, else -)
 *   m 2: Homestead (p/2048 * max(1 - dt/10, -99))     m 3: Byzantium (p/2048 * max((ommers ? 2 : 1) - dt/9, -99))
 * with a minimum of 131072 for m >= 1. Arithmetic wraps: only determinism matters, not validity.
 */
typedef struct {
    uint64_t ts, diff;
    int ommers;
} chain_state;
enum { DIFF_PREDICTORS = 4 };
static const uint8_t EMPTY_OMMERS[32] = {0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
                                         0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
                                         0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47};

static uint64_t be_value(span_t v) {
    if (v.n > 8) return 0;
    uint64_t x = 0;
    for (size_t i = 0; i < v.n; i++) x = (x << 8) | v.p[i];
    return x;
}

static uint64_t diff_predict(int m, const chain_state *c, uint64_t ts) {
    uint64_t p = c->diff, q = p / 2048;
    int64_t dt = (int64_t)(ts - c->ts);
    if (dt < 0) dt = 0;
    int64_t k;
    switch (m) {
    case 0: return p;
    case 1: k = dt < 13 ? 1 : -1; break;
    case 2: k = 1 - dt / 10; break;
    default: k = (c->ommers ? 2 : 1) - dt / 9;
    }
    if (k < -99) k = -99;
    uint64_t r = p + q * (uint64_t)k;
    return r < 131072 ? 131072 : r;
}

static void chain_update(chain_state *c, const span_t *fields, int nf) {
    c->diff = nf > 7 ? be_value(fields[7]) : 0;
    c->ts = nf > 11 ? be_value(fields[11]) : 0;
    c->ommers = nf > 1 && !(fields[1].n == 32 && memcmp(fields[1].p, EMPTY_OMMERS, 32) == 0);
}

/* x as a minimal big-endian byte string (RLP's integer form; 0 is empty). Returns its length. */
static size_t be_minimal(uint64_t x, uint8_t out[8]) {
    size_t n = 0;
    for (uint64_t y = x; y; y >>= 8) n++;
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(x >> (8 * (n - 1 - i)));
    return n;
}

static inline uint64_t zigzag(uint64_t d) { return (d << 1) ^ (uint64_t)((int64_t)d >> 63); }
static inline uint64_t unzigzag(uint64_t z) { return (z >> 1) ^ (0 - (z & 1)); }

#include "colnames.inc"

const char *cal_rlpcol_column_name(int i) { return (i >= 0 && i < CAL_RLPCOL_COLUMNS) ? COLUMN_NAMES[i] : "?"; }

/*
 * era1-columns/2 (transform 6). Each header item k is paired with body item k of the era1's bodies
 * stream, read in step by both sides:
 *  - ommersHash (field 1) may be DICT_RECOMPUTE = Keccak-256 of that body's uncle list (its second
 *    element, as encoded);
 *  - an uncle's parentHash that is the hash of a recent canonical block is stored as 32 zero bytes in the
 *    bodies stream and restored on decode. "Hash of block N" is taken from the chain itself: the
 *    parentHash of the header item that follows the header item numbered N (a ring of the last 8), so no
 *    extra hashing is needed. Zeros with no such block stay zeros; a genuinely zero parentHash that
 *    does have one fails the encoder's verification and the file is stored with transform 4.
 */
enum { DICT_RECOMPUTE = DICT_CAP + 1, RING = 8 };
typedef struct {
    uint64_t number[RING];
    uint8_t hash[RING][32];
    int n, next;
} hash_ring;

static void ring_push(hash_ring *r, uint64_t number, const uint8_t *h) {
    r->number[r->next] = number;
    memcpy(r->hash[r->next], h, 32);
    r->next = (r->next + 1) % RING;
    if (r->n < RING) r->n++;
}

/* The most recently pushed pair with that number (numbers repeat only in non-chain input). */
static const uint8_t *ring_find(const hash_ring *r, uint64_t number) {
    for (int i = 1; i <= r->n; i++) {
        int slot = (r->next - i + RING) % RING;
        if (r->number[slot] == number) return r->hash[slot];
    }
    return NULL;
}

/* Uncle headers in an uncle-list payload: restore (decode) or zero (encode) recomputable parent hashes. */
static void uncle_parents(uint8_t *q, size_t n, const hash_ring *ring, int decode) {
    while (n > 0) {
        rlp_item u;
        if (rlp_parse(q, n, &u)) return;
        size_t usz = u.hdr + u.plen;
        if (u.list) {
            uint8_t *f = q + u.hdr, *parent = NULL;
            size_t left = u.plen;
            uint64_t num = 0;
            int ok = 1;
            for (int i = 0; i <= 8 && ok; i++) {
                rlp_item fi;
                if (rlp_parse(f, left, &fi) || fi.list) { ok = 0; break; }
                if (i == 0) { if (fi.hdr != 1 || fi.plen != 32) ok = 0; else parent = f + 1; }
                if (i == 8) {
                    if (fi.plen > 8) ok = 0;
                    else for (size_t k = 0; k < fi.plen; k++) num = (num << 8) | f[fi.hdr + k];
                }
                f += fi.hdr + fi.plen;
                left -= fi.hdr + fi.plen;
            }
            const uint8_t *h = ok && num > 0 ? ring_find(ring, num - 1) : NULL;
            if (h) {
                static const uint8_t zero[32];
                if (decode) { if (memcmp(parent, zero, 32) == 0) memcpy(parent, h, 32); }
                else if (memcmp(parent, h, 32) == 0) memset(parent, 0, 32);
            }
        }
        q += usz;
        n -= usz;
    }
}

/* The next body of the stream: its ommers hash (0, or -1 when the stream has no further item or the
 * item is not a list of at least two items; the cursor moves past it either way). The decoder restores
 * uncle parents before hashing, the encoder zeroes them after: both hash the original uncle list. */
static int body_ommers(rd_t *r, uint8_t out[32], const hash_ring *ring, int decode) {
    rlp_item body, txs, uncles;
    if (r->off >= r->n) return -1;
    uint8_t *b = (uint8_t *)r->p + r->off; /* both sides own this buffer (a column they built or loaded) */
    size_t avail = r->n - r->off;
    if (rlp_parse(b, avail, &body)) { r->off = r->n; return -1; }
    r->off += body.hdr + body.plen;
    if (!body.list) return -1;
    uint8_t *q = b + body.hdr;
    size_t left = body.plen;
    if (rlp_parse(q, left, &txs)) return -1;
    q += txs.hdr + txs.plen;
    left -= txs.hdr + txs.plen;
    if (rlp_parse(q, left, &uncles) || !uncles.list) return -1;
    if (decode) uncle_parents(q + uncles.hdr, uncles.plen, ring, 1);
    if (uncles.hdr + uncles.plen == 1) memcpy(out, EMPTY_OMMERS, 32); /* keccak(c0): most blocks, no hashing */
    else cal_keccak256(q, uncles.hdr + uncles.plen, out);
    if (!decode) uncle_parents(q + uncles.hdr, uncles.plen, ring, 0);
    return 0;
}

/* After a header item: remember "hash of the previous header item's block" = this item's parentHash. */
static void ring_after_item(hash_ring *ring, int prev_valid, int *prev_has_number, uint64_t *prev_number,
                            const span_t *fields, int nf) {
    if (prev_valid && *prev_has_number && nf >= 1 && fields[0].n == 32) ring_push(ring, *prev_number, fields[0].p);
    *prev_has_number = nf > 8 && fields[8].n <= 8;
    *prev_number = *prev_has_number ? be_value(fields[8]) : 0;
}

/* ---------------------------------------------------------------- encoder */

/* Transform 2; `bodies` (era1-columns/2 only) enables recomputed ommers hashes. */
int rlpcol_encode_with(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes, rd_t *bodies) {
    const uint8_t *p = (const uint8_t *)src;
    *out = NULL;
    *out_len = 0;
    buf_t col[CAL_RLPCOL_COLUMNS];
    memset(col, 0, sizeof col);
    field_state *st = (field_state *)calloc(CAL_RLPCOL_MAX_FIELDS, sizeof(field_state));
    if (!st) return CAL_ERR_NOMEM;
    buf_t *kinds = &col[0], *lits = &col[1];
    uint64_t items = 0;
    size_t pos = 0, lit_start = 0, lit_len = 0;
    int prev_valid = 0;
    size_t prev_start = 0, prev_len = 0;
    span_t fields[CAL_RLPCOL_MAX_FIELDS];
    int rc = CAL_OK;
    chain_state chain = {0, 0, 0};
    hash_ring ring;
    memset(&ring, 0, sizeof ring);
    int prev_has_number = 0;
    uint64_t prev_number = 0;

    while (pos <= len) {
        rlp_item it;
        int nf = 0;
        int at_end = (pos == len);
        if (!at_end && rlp_parse(p + pos, len - pos, &it) == 0) nf = rlp_split_header(p + pos, &it, fields);
        if (!at_end && nf == 0) {
            /* not a header: extend the pending literal chunk (the whole rest when unparseable) */
            size_t take = (rlp_parse(p + pos, len - pos, &it) == 0) ? it.hdr + it.plen : len - pos;
            if (lit_len == 0) lit_start = pos;
            lit_len += take;
            pos += take;
            continue;
        }
        if (lit_len) {
            put_u8(kinds, 0);
            put_varint(lits, lit_len);
            put(lits, p + lit_start, lit_len);
            items++;
            lit_len = 0;
            prev_valid = 0;
        }
        if (at_end) break;
        size_t total = it.hdr + it.plen;
        put_u8(kinds, (uint8_t)nf);
        items++;
        uint8_t om[32];
        int have_om = bodies && body_ommers(bodies, om, &ring, 0) == 0;
        for (int f = 0; f < nf; f++) {
            buf_t *ctrl = &col[2 + 2 * f], *data = &col[3 + 2 * f];
            field_state *s = &st[f];
            span_t v = fields[f];
            switch (FIELD_KIND[f]) {
            case K_PARENT: {
                uint8_t h[32];
                int ok = 0;
                if (prev_valid && v.n == 32) {
                    cal_keccak256(p + prev_start, prev_len, h);
                    ok = memcmp(h, v.p, 32) == 0;
                }
                if (ok) put_varint(ctrl, 0);
                else { put_varint(ctrl, 1); put_varint(data, v.n); put(data, v.p, v.n); }
                break;
            }
            case K_DIFF: {
                int lit = 1;
                if (v.n <= 8 && (v.n == 0 || v.p[0] != 0)) {
                    uint64_t x = be_value(v), ts = nf > 11 ? be_value(fields[11]) : 0, best = UINT64_MAX;
                    int bm = 0;
                    for (int m = 0; m < DIFF_PREDICTORS; m++) {
                        uint64_t z = zigzag(x - diff_predict(m, &chain, ts));
                        if (z < best) { best = z; bm = m; }
                    }
                    if (best <= (UINT64_MAX - DIFF_PREDICTORS) / DIFF_PREDICTORS) {
                        put_varint(ctrl, best * DIFF_PREDICTORS + (uint64_t)bm + 1);
                        lit = 0;
                    }
                }
                if (lit) { put_varint(ctrl, 0); put_varint(data, v.n); put(data, v.p, v.n); }
                break;
            }
            case K_INTD:
            case K_INTP: {
                int lit = 1;
                if (v.n <= 8 && (v.n == 0 || v.p[0] != 0)) {
                    uint64_t x = 0;
                    for (size_t i = 0; i < v.n; i++) x = (x << 8) | v.p[i];
                    uint64_t base = FIELD_KIND[f] == K_INTD ? s->prev : 0;
                    uint64_t z = zigzag(x - base);
                    if (z != UINT64_MAX) {
                        put_varint(ctrl, z + 1);
                        s->prev = x;
                        lit = 0;
                    }
                }
                if (lit) { put_varint(ctrl, 0); put_varint(data, v.n); put(data, v.p, v.n); }
                break;
            }
            case K_DICT: {
                if (f == 1 && have_om && v.n == 32 && memcmp(v.p, om, 32) == 0) { put_varint(ctrl, DICT_RECOMPUTE); break; }
                int k = 0;
                while (k < s->ndict && !(s->dict[k].n == v.n && memcmp(s->dict[k].p, v.p, v.n) == 0)) k++;
                if (k < s->ndict) put_varint(ctrl, (uint64_t)k + 1);
                else { put_varint(ctrl, 0); put_varint(data, v.n); put(data, v.p, v.n); }
                dict_front(s, k, v);
                break;
            }
            default:
                put_varint(ctrl, v.n);
                put(data, v.p, v.n);
            }
        }
        chain_update(&chain, fields, nf);
        ring_after_item(&ring, prev_valid, &prev_has_number, &prev_number, fields, nf);
        prev_valid = 1;
        prev_start = pos;
        prev_len = total;
        pos += total;
    }

    for (int c = 0; c < CAL_RLPCOL_COLUMNS; c++)
        if (col[c].oom) rc = CAL_ERR_NOMEM;
    if (rc == 0) rc = col_write_payload(items, col, CAL_RLPCOL_COLUMNS, level, out, out_len, column_sizes);
    for (int c = 0; c < CAL_RLPCOL_COLUMNS; c++) free(col[c].p);
    free(st);
    return rc;
}

int cal_rlpcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes) {
    return rlpcol_encode_with(src, len, level, out, out_len, column_sizes, NULL);
}

/* ---------------------------------------------------------------- decoder */

int cal_rlpcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes) {
    return col_sizes(src, len, SIZE_MAX / 16, CAL_RLPCOL_COLUMNS, column_sizes);
}

/* Transform 2 with an explicit column budget (era1 passes one derived from its own original length). */
int rlpcol_decode_with(const void *src, size_t len, void *dst, size_t expected, uint64_t limit, rd_t *bodies) {
    const uint8_t *p = (const uint8_t *)src;
    uint8_t *o = (uint8_t *)dst;
    if (expected > SIZE_MAX / 16) return CAL_ERR_LIMIT;
    table_t t;
    int e = col_read_table(p, len, expected, CAL_RLPCOL_COLUMNS, limit, &t);
    if (e) return e;
    uint8_t *raw = NULL;
    rd_t col[CAL_RLPCOL_COLUMNS];
    field_state *st = (field_state *)calloc(CAL_RLPCOL_MAX_FIELDS, sizeof(field_state));
    int rc = st ? col_load(p, &t, CAL_RLPCOL_COLUMNS, &raw, col) : CAL_ERR_NOMEM;
    size_t out = 0;
    int prev_valid = 0;
    size_t prev_start = 0, prev_len = 0;
    uint8_t ints[CAL_RLPCOL_MAX_FIELDS][8];
    chain_state chain = {0, 0, 0};
    hash_ring ring;
    memset(&ring, 0, sizeof ring);
    int prev_has_number = 0;
    uint64_t prev_number = 0;
    uint8_t parent[32];
    span_t fields[CAL_RLPCOL_MAX_FIELDS];
    for (uint64_t item = 0; !rc && item < t.items; item++) {
        const uint8_t *kp;
        if ((rc = get_bytes(&col[0], 1, &kp))) break;
        int nf = *kp;
        if (nf == 0) {
            const uint8_t *b;
            size_t n;
            if ((rc = get_lenbytes(&col[1], &b, &n))) break;
            if (n == 0) { rc = CAL_ERR_MALFORMED; break; }
            if (n > expected - out) { rc = CAL_ERR_SIZE; break; }
            memcpy(o + out, b, n);
            out += n;
            prev_valid = 0;
            continue;
        }
        if (nf > CAL_RLPCOL_MAX_FIELDS) { rc = CAL_ERR_MALFORMED; break; }
        uint8_t om[32];
        int have_om = bodies && body_ommers(bodies, om, &ring, 1) == 0;
        /* difficulty (7) is predicted from this item's timestamp (11): decode it last */
        for (int k = 0; !rc && k < nf; k++) {
            int f = (nf <= 7 || k < 7) ? k : (k == nf - 1 ? 7 : k + 1);
            rd_t *ctrl = &col[2 + 2 * f], *data = &col[3 + 2 * f];
            field_state *s = &st[f];
            uint64_t v;
            if ((rc = get_varint(ctrl, &v))) break;
            span_t val = {NULL, 0};
            switch (FIELD_KIND[f]) {
            case K_PARENT:
                if (v == 0) {
                    if (!prev_valid) { rc = CAL_ERR_MALFORMED; break; }
                    cal_keccak256(o + prev_start, prev_len, parent);
                    val.p = parent;
                    val.n = 32;
                } else if (v == 1) rc = get_lenbytes(data, &val.p, &val.n);
                else rc = CAL_ERR_MALFORMED;
                break;
            case K_DIFF:
                if (v == 0) rc = get_lenbytes(data, &val.p, &val.n);
                else {
                    int m = (int)((v - 1) % DIFF_PREDICTORS);
                    uint64_t ts = nf > 11 ? be_value(fields[11]) : 0;
                    uint64_t x = diff_predict(m, &chain, ts) + unzigzag((v - 1) / DIFF_PREDICTORS);
                    val.p = ints[f];
                    val.n = be_minimal(x, ints[f]);
                }
                break;
            case K_INTD:
            case K_INTP:
                if (v == 0) rc = get_lenbytes(data, &val.p, &val.n);
                else {
                    uint64_t base = FIELD_KIND[f] == K_INTD ? s->prev : 0;
                    uint64_t x = base + unzigzag(v - 1);
                    s->prev = x;
                    val.p = ints[f];
                    val.n = be_minimal(x, ints[f]);
                }
                break;
            case K_DICT:
                if (v == 0) {
                    if ((rc = get_lenbytes(data, &val.p, &val.n))) break;
                    dict_front(s, s->ndict, val);
                } else if (v - 1 < (uint64_t)s->ndict) {
                    val = s->dict[v - 1];
                    dict_front(s, (int)(v - 1), val);
                } else if (v == DICT_RECOMPUTE && f == 1 && have_om) {
                    val.p = om; /* recomputed from the paired body; the dictionary is left as it is */
                    val.n = 32;
                } else rc = CAL_ERR_MALFORMED;
                break;
            default:
                if (v > data->n - data->off) { rc = CAL_ERR_TRUNCATED; break; }
                val.n = (size_t)v;
                rc = get_bytes(data, val.n, &val.p);
            }
            fields[f] = val;
        }
        if (rc) break;
        size_t payload = 0;
        for (int f = 0; f < nf; f++) {
            size_t h = field_hdr_len(fields[f]);
            if (fields[f].n > expected || payload > expected) { rc = CAL_ERR_SIZE; break; }
            payload += h + fields[f].n;
        }
        if (rc) break;
        size_t lh = rlp_hdr_len(payload);
        if (payload > expected - out || lh > expected - out - payload) { rc = CAL_ERR_SIZE; break; }
        size_t start = out;
        rlp_write_hdr(o + out, payload, 1);
        out += lh;
        for (int f = 0; f < nf; f++) {
            size_t h = field_hdr_len(fields[f]);
            if (h) rlp_write_hdr(o + out, fields[f].n, 0);
            out += h;
            if (fields[f].n) memcpy(o + out, fields[f].p, fields[f].n);
            out += fields[f].n;
        }
        chain_update(&chain, fields, nf);
        ring_after_item(&ring, prev_valid, &prev_has_number, &prev_number, fields, nf);
        prev_valid = 1;
        prev_start = start;
        prev_len = out - start;
    }
    if (!rc && out != expected) rc = CAL_ERR_SIZE;
    if (!rc) rc = col_all_consumed(col, CAL_RLPCOL_COLUMNS);
    free(raw);
    free(st);
    return rc;
}

int cal_rlpcol_decode(const void *src, size_t len, void *dst, size_t expected) {
    /* honest header streams need about 1.1 column bytes per output byte */
    return rlpcol_decode_with(src, len, dst, expected, col_budget(expected, 3), NULL);
}
