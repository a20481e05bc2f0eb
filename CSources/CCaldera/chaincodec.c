/*
 * SHA-256 and zstd helpers, and the RLP column transform (transform 2 of docs/archive-codec.md).
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
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* ---------------------------------------------------------------- SHA-256, zstd */

int cal_codec_sha256(const void *data, size_t len, void *out32) {
    unsigned int n = 0;
    static const uint8_t empty = 0;
    if (EVP_Digest(len ? data : &empty, len, (unsigned char *)out32, &n, EVP_sha256(), NULL) != 1 || n != 32) return -1;
    return 0;
}

size_t cal_codec_zstd_bound(size_t len) { return ZSTD_compressBound(len); }

size_t cal_codec_zstd_compress(const void *src, size_t len, void *dst, size_t cap, int level, int long_window) {
    ZSTD_CCtx *c = ZSTD_createCCtx();
    if (!c) return 0;
    size_t r = ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
    if (!ZSTD_isError(r) && long_window) r = ZSTD_CCtx_setParameter(c, ZSTD_c_enableLongDistanceMatching, 1);
    if (!ZSTD_isError(r) && long_window) r = ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, 27);
    if (!ZSTD_isError(r)) r = ZSTD_compress2(c, dst, cap, src, len);
    ZSTD_freeCCtx(c);
    return ZSTD_isError(r) ? 0 : r;
}

static int zstd_exact(ZSTD_DCtx *d, const void *src, size_t len, void *dst, size_t expected) {
    const uint8_t *s = (const uint8_t *)src;
    if (len < 4) return -1;
    uint32_t magic = (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
    if (magic != ZSTD_MAGICNUMBER) return -1; /* one real frame, no skippable frames */
    size_t fsz = ZSTD_findFrameCompressedSize(src, len);
    if (ZSTD_isError(fsz) || fsz != len) return -1;
    unsigned long long cs = ZSTD_getFrameContentSize(src, len);
    if (cs == ZSTD_CONTENTSIZE_UNKNOWN || cs == ZSTD_CONTENTSIZE_ERROR || cs != (unsigned long long)expected) return -1;
    size_t r = ZSTD_decompressDCtx(d, dst, expected, src, len);
    return (!ZSTD_isError(r) && r == expected) ? 0 : -1;
}

int cal_codec_zstd_decompress_exact(const void *src, size_t len, void *dst, size_t expected) {
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (!d) return -1;
    int rc = -1;
    if (!ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27))) rc = zstd_exact(d, src, len, dst, expected);
    ZSTD_freeDCtx(d);
    return rc;
}

void cal_codec_free(void *p) { free(p); }

/* ---------------------------------------------------------------- growable buffers, varints */

static void put(buf_t *b, const void *d, size_t n) {
    if (n == 0 || buf_reserve(b, n)) return;
    memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void put_u8(buf_t *b, uint8_t v) { put(b, &v, 1); }

static void put_varint(buf_t *b, uint64_t v) {
    uint8_t t[10];
    int n = 0;
    while (v >= 0x80) { t[n++] = (uint8_t)(v | 0x80); v >>= 7; }
    t[n++] = (uint8_t)v;
    put(b, t, (size_t)n);
}

typedef struct {
    const uint8_t *p;
    size_t n, off;
} rd_t;

/* LEB128, at most 10 bytes, minimal. Returns 0 or an error. */
static int get_varint(rd_t *r, uint64_t *out) {
    uint64_t v = 0;
    for (int i = 0; i < 10; i++) {
        if (r->off >= r->n) return CAL_RLPCOL_ERR_TRUNCATED;
        uint8_t b = r->p[r->off++];
        if (i == 9 && b > 1) return CAL_RLPCOL_ERR_MALFORMED;
        v |= (uint64_t)(b & 0x7F) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0) return CAL_RLPCOL_ERR_MALFORMED;
            *out = v;
            return 0;
        }
    }
    return CAL_RLPCOL_ERR_MALFORMED;
}

static int get_bytes(rd_t *r, size_t n, const uint8_t **out) {
    if (r->n - r->off < n) return CAL_RLPCOL_ERR_TRUNCATED;
    *out = r->p + r->off;
    r->off += n;
    return 0;
}

/* varint length (<= limit) then that many bytes */
static int get_lenbytes(rd_t *r, const uint8_t **out, size_t *len) {
    uint64_t n;
    int e = get_varint(r, &n);
    if (e) return e;
    if (n > r->n - r->off) return CAL_RLPCOL_ERR_TRUNCATED;
    *len = (size_t)n;
    return get_bytes(r, (size_t)n, out);
}


/* ---------------------------------------------------------------- column payloads (shared by transforms 2 and 3) */

enum { MAX_COLUMNS = 160 };

/* varint items, then per column: u8 mode (0 raw, 1 zstd), varint raw length, [varint stored length];
 * then the columns' stored bytes in order. Sets *out (malloc'd). */
static int write_payload(uint64_t items, buf_t *col, int ncols, int level, void **out, size_t *out_len, uint64_t *sizes) {
    int rc = CAL_RLPCOL_OK;
    buf_t o;
    memset(&o, 0, sizeof o);
    uint8_t *z[MAX_COLUMNS];
    size_t zn[MAX_COLUMNS];
    memset(z, 0, sizeof z);
    memset(zn, 0, sizeof zn);
    for (int c = 0; c < ncols; c++) {
        if (col[c].n == 0) continue;
        size_t cap = ZSTD_compressBound(col[c].n);
        z[c] = (uint8_t *)malloc(cap);
        if (!z[c]) { rc = CAL_RLPCOL_ERR_NOMEM; break; }
        size_t r = cal_codec_zstd_compress(col[c].p, col[c].n, z[c], cap, level, 0);
        if (r == 0 || r >= col[c].n) { free(z[c]); z[c] = NULL; }
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
        if (o.oom) rc = CAL_RLPCOL_ERR_NOMEM;
    }
    for (int c = 0; c < ncols; c++) free(z[c]);
    if (rc == 0 && o.p == NULL && (o.p = (uint8_t *)malloc(1)) == NULL) rc = CAL_RLPCOL_ERR_NOMEM;
    if (rc) { free(o.p); return rc; }
    *out = o.p;
    *out_len = o.n;
    return CAL_RLPCOL_OK;
}

typedef struct {
    uint64_t items;
    uint8_t mode[MAX_COLUMNS];
    uint64_t raw[MAX_COLUMNS], stored[MAX_COLUMNS];
    size_t body; /* offset of the first column's bytes */
} table_t;

/* Working-memory budgets of the decoders (docs/archive-codec.md, "Memory"): the raw column bytes a
 * payload may declare, in total, for an original of n bytes. Tight enough that a hostile archive cannot
 * make decode allocate much more than a few times its declared size; an input whose honest encoding
 * would need more is caught by the encoder's verification decode and stored with another transform. */
static uint64_t budget(uint64_t n, uint64_t mult) { return n * mult + 4096; }

/* Parses the column table: at most `expected` items, raw lengths at most `limit` bytes in total. */
static int read_table(const uint8_t *p, size_t len, size_t expected, int ncols, uint64_t limit, table_t *t) {
    rd_t r = {p, len, 0};
    int e = get_varint(&r, &t->items);
    if (e) return e;
    if (t->items > expected) return CAL_RLPCOL_ERR_LIMIT;
    uint64_t sum_raw = 0, sum_stored = 0;
    for (int c = 0; c < ncols; c++) {
        const uint8_t *m;
        if ((e = get_bytes(&r, 1, &m))) return e;
        if (*m > 1) return CAL_RLPCOL_ERR_MALFORMED;
        t->mode[c] = *m;
        if ((e = get_varint(&r, &t->raw[c]))) return e;
        if (t->raw[c] > limit || sum_raw > limit - t->raw[c]) return CAL_RLPCOL_ERR_LIMIT;
        if (*m == 1) {
            if ((e = get_varint(&r, &t->stored[c]))) return e;
            if (t->stored[c] == 0 || t->stored[c] >= t->raw[c]) return CAL_RLPCOL_ERR_MALFORMED;
        } else t->stored[c] = t->raw[c];
        /* no wrap-around in either sum: the column-size queries pass an unlimited budget */
        if (t->stored[c] > len || sum_stored > len - t->stored[c]) return CAL_RLPCOL_ERR_TRUNCATED;
        sum_raw += t->raw[c];
        sum_stored += t->stored[c];
    }
    if (sum_stored > r.n - r.off) return CAL_RLPCOL_ERR_TRUNCATED;
    if (sum_stored < r.n - r.off) return CAL_RLPCOL_ERR_TRAILING;
    t->body = r.off;
    return 0;
}

/* Decompresses every column into one malloc'd block (*raw, released by the caller even on error). */
static int load_columns(const uint8_t *p, const table_t *t, int ncols, uint8_t **raw, rd_t *col) {
    uint64_t sum_raw = 0;
    for (int c = 0; c < ncols; c++) sum_raw += t->raw[c];
    *raw = (uint8_t *)malloc(sum_raw ? (size_t)sum_raw : 1);
    if (!*raw) return CAL_RLPCOL_ERR_NOMEM;
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) return CAL_RLPCOL_ERR_NOMEM;
    int rc = 0;
    if (ZSTD_isError(ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 27))) rc = CAL_RLPCOL_ERR_NOMEM;
    size_t in = t->body, at = 0;
    for (int c = 0; !rc && c < ncols; c++) {
        if (t->mode[c] == 1) {
            if (zstd_exact(dctx, p + in, (size_t)t->stored[c], *raw + at, (size_t)t->raw[c])) rc = CAL_RLPCOL_ERR_ZSTD;
        } else if (t->raw[c]) memcpy(*raw + at, p + in, (size_t)t->raw[c]);
        col[c].p = *raw + at;
        col[c].n = (size_t)t->raw[c];
        col[c].off = 0;
        in += (size_t)t->stored[c];
        at += (size_t)t->raw[c];
    }
    ZSTD_freeDCtx(dctx);
    return rc;
}

static int all_consumed(const rd_t *col, int ncols) {
    for (int c = 0; c < ncols; c++)
        if (col[c].off != col[c].n) return CAL_RLPCOL_ERR_TRAILING;
    return 0;
}

/* ---------------------------------------------------------------- RLP */

typedef struct {
    size_t hdr, plen;
    int list, canonical;
} rlp_item;

/* Parses the item at p (len bytes available). Returns 0, or -1 if it does not fit. */
static int rlp_parse(const uint8_t *p, size_t len, rlp_item *it) {
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

/* Bytes of the canonical header for a payload of plen bytes (strings: single byte < 0x80 has none). */
static size_t rlp_hdr_size(size_t plen, int list, const uint8_t *payload) {
    if (!list && plen == 1 && payload[0] < 0x80) return 0;
    if (plen <= 55) return 1;
    size_t ll = 0;
    for (uint64_t v = plen; v; v >>= 8) ll++;
    return 1 + ll;
}

static void rlp_write_hdr(uint8_t *o, size_t plen, int list, size_t hsize) {
    if (hsize == 0) return;
    uint8_t base = list ? 0xc0 : 0x80;
    if (hsize == 1) { o[0] = (uint8_t)(base + plen); return; }
    size_t ll = hsize - 1;
    o[0] = (uint8_t)(base + 55 + ll);
    for (size_t i = 0; i < ll; i++) o[ll - i] = (uint8_t)(plen >> (8 * i));
}

typedef struct {
    const uint8_t *p;
    size_t n;
} span_t;

/* Splits a header-shaped item: canonical list of 1..MAX canonical strings. Returns field count or 0. */
static int split_header(const uint8_t *p, size_t len, const rlp_item *it, span_t *fields) {
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
    (void)len;
    return nf;
}

size_t cal_rlpcol_header_prefix(const void *src, size_t len, size_t max_items) {
    const uint8_t *p = (const uint8_t *)src;
    size_t pos = 0, count = 0;
    span_t fields[CAL_RLPCOL_MAX_FIELDS];
    while (pos < len && count < max_items) {
        rlp_item it;
        if (rlp_parse(p + pos, len - pos, &it)) break;
        int nf = split_header(p + pos, len - pos, &it, fields);
        if (nf == 0 || fields[0].n != 32) break;
        pos += it.hdr + it.plen;
        count++;
    }
    return count;
}

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
static int rlpcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes, rd_t *bodies) {
    const uint8_t *p = (const uint8_t *)src;
    *out = NULL;
    *out_len = 0;
    buf_t col[CAL_RLPCOL_COLUMNS];
    memset(col, 0, sizeof col);
    field_state *st = (field_state *)calloc(CAL_RLPCOL_MAX_FIELDS, sizeof(field_state));
    if (!st) return CAL_RLPCOL_ERR_NOMEM;
    buf_t *kinds = &col[0], *lits = &col[1];
    uint64_t items = 0;
    size_t pos = 0, lit_start = 0, lit_len = 0;
    int prev_valid = 0;
    size_t prev_start = 0, prev_len = 0;
    span_t fields[CAL_RLPCOL_MAX_FIELDS];
    int rc = CAL_RLPCOL_OK;
    chain_state chain = {0, 0, 0};
    hash_ring ring;
    memset(&ring, 0, sizeof ring);
    int prev_has_number = 0;
    uint64_t prev_number = 0;

    while (pos <= len) {
        rlp_item it;
        int nf = 0;
        int at_end = (pos == len);
        if (!at_end && rlp_parse(p + pos, len - pos, &it) == 0) nf = split_header(p + pos, len - pos, &it, fields);
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
        if (col[c].oom) rc = CAL_RLPCOL_ERR_NOMEM;
    if (rc == 0) rc = write_payload(items, col, CAL_RLPCOL_COLUMNS, level, out, out_len, column_sizes);
    for (int c = 0; c < CAL_RLPCOL_COLUMNS; c++) free(col[c].p);
    free(st);
    return rc;
}

int cal_rlpcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes) {
    return rlpcol_encode(src, len, level, out, out_len, column_sizes, NULL);
}

/* ---------------------------------------------------------------- decoder */

int cal_rlpcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes) {
    table_t t;
    int e = read_table((const uint8_t *)src, len, SIZE_MAX / 16, CAL_RLPCOL_COLUMNS, UINT64_MAX, &t);
    if (e) return e;
    for (int c = 0; c < CAL_RLPCOL_COLUMNS; c++) column_sizes[c] = t.stored[c];
    return 0;
}

/* Transform 2 with an explicit column budget (era1 passes one derived from its own original length). */
static int rlpcol_decode(const void *src, size_t len, void *dst, size_t expected, uint64_t limit, rd_t *bodies) {
    const uint8_t *p = (const uint8_t *)src;
    uint8_t *o = (uint8_t *)dst;
    if (expected > SIZE_MAX / 16) return CAL_RLPCOL_ERR_LIMIT;
    table_t t;
    int e = read_table(p, len, expected, CAL_RLPCOL_COLUMNS, limit, &t);
    if (e) return e;
    uint8_t *raw = NULL;
    rd_t col[CAL_RLPCOL_COLUMNS];
    field_state *st = (field_state *)calloc(CAL_RLPCOL_MAX_FIELDS, sizeof(field_state));
    int rc = st ? load_columns(p, &t, CAL_RLPCOL_COLUMNS, &raw, col) : CAL_RLPCOL_ERR_NOMEM;
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
            if (n == 0) { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
            if (n > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            memcpy(o + out, b, n);
            out += n;
            prev_valid = 0;
            continue;
        }
        if (nf > CAL_RLPCOL_MAX_FIELDS) { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
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
                    if (!prev_valid) { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
                    cal_keccak256(o + prev_start, prev_len, parent);
                    val.p = parent;
                    val.n = 32;
                } else if (v == 1) rc = get_lenbytes(data, &val.p, &val.n);
                else rc = CAL_RLPCOL_ERR_MALFORMED;
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
                } else rc = CAL_RLPCOL_ERR_MALFORMED;
                break;
            default:
                if (v > data->n - data->off) { rc = CAL_RLPCOL_ERR_TRUNCATED; break; }
                val.n = (size_t)v;
                rc = get_bytes(data, val.n, &val.p);
            }
            fields[f] = val;
        }
        if (rc) break;
        size_t payload = 0;
        for (int f = 0; f < nf; f++) {
            size_t h = rlp_hdr_size(fields[f].n, 0, fields[f].p);
            if (fields[f].n > expected || payload > expected) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            payload += h + fields[f].n;
        }
        if (rc) break;
        size_t lh = rlp_hdr_size(payload, 1, NULL);
        if (payload > expected - out || lh > expected - out - payload) { rc = CAL_RLPCOL_ERR_SIZE; break; }
        size_t start = out;
        rlp_write_hdr(o + out, payload, 1, lh);
        out += lh;
        for (int f = 0; f < nf; f++) {
            size_t h = rlp_hdr_size(fields[f].n, 0, fields[f].p);
            rlp_write_hdr(o + out, fields[f].n, 0, h);
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
    if (!rc && out != expected) rc = CAL_RLPCOL_ERR_SIZE;
    if (!rc) rc = all_consumed(col, CAL_RLPCOL_COLUMNS);
    free(raw);
    free(st);
    return rc;
}

int cal_rlpcol_decode(const void *src, size_t len, void *dst, size_t expected) {
    /* honest header streams need about 1.1 column bytes per output byte */
    return rlpcol_decode(src, len, dst, expected, budget(expected, 3), NULL);
}

/* ---------------------------------------------------------------- hex columns (transform 3) */

/*
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
static inline int is_lhex(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
static inline int nib(uint8_t c) { return c <= '9' ? c - '0' : c - 'a' + 10; }
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
        if (p[i] == '0' && p[i + 1] == 'x' && is_lhex(p[i + 2]) && (i == 0 || !is_word(p[i - 1]))) n++;
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
            while (j < len && is_lhex(p[j])) j++;
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
                    for (size_t k = 0; k < nd; k++) v = (v << 4) | (uint64_t)nib(d[k]);
                    put_u8(sk, T_QTY);
                    put_varint(&col[HX_Q + b], v);
                } else if (kind) {
                    buf_t *dst = kind == T_H32 ? &col[HX_H + b] : kind == T_A20 ? &col[HX_A + b] : &col[HX_D + b];
                    put_u8(sk, (uint8_t)kind);
                    if (kind == T_DATA) put_varint(dst, nd / 2);
                    if (buf_reserve(dst, nd / 2) == 0) {
                        for (size_t k = 0; k < nd; k += 2) dst->p[dst->n++] = (uint8_t)(nib(d[k]) << 4 | nib(d[k + 1]));
                    }
                }
                if (kind) { tokens++; i = j; continue; }
            }
        }
        if (boundary && is_lhex(c)) {
            size_t j = i;
            while (j < len && is_lhex(p[j])) j++;
            size_t nd = j - i;
            if (nd >= 16 && nd % 2 == 0 && (j == len || !is_word(p[j]))) {
                put_u8(sk, T_BARE);
                put_varint(&col[HX_BARE], nd / 2);
                buf_t *dst = &col[HX_BARE];
                if (buf_reserve(dst, nd / 2) == 0)
                    for (size_t k = 0; k < nd; k += 2) dst->p[dst->n++] = (uint8_t)(nib(p[i + k]) << 4 | nib(p[i + k + 1]));
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
    int rc = CAL_RLPCOL_OK;
    for (int c2 = 0; c2 < ncols; c2++)
        if (col[c2].oom) rc = CAL_RLPCOL_ERR_NOMEM;
    if (rc == 0) rc = write_payload(tokens, col, ncols, level, out, out_len, column_sizes);
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
                        size_t ncap = ccap ? 2 * ccap : 64;
                        hx_span *nc = (hx_span *)realloc(cand, ncap * sizeof *nc);
                        if (!nc) { rc = CAL_RLPCOL_ERR_NOMEM; break; }
                        cand = nc;
                        ccap = ncap;
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
        if (i < last_end || cal_json_tx_hash(p, cand[k].end, i, &end, &at, h) != 1) continue;
        int same = 1;
        for (int b = 0; b < 32 && same; b++)
            same = p[at + 2 + 2 * b] == (uint8_t)HEXDIGITS[h[b] >> 4] && p[at + 3 + 2 * b] == (uint8_t)HEXDIGITS[h[b] & 15];
        if (!same) continue;
        if (*count == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            hx_mark *nm = (hx_mark *)realloc(*out, ncap * sizeof *nm);
            if (!nm) { rc = CAL_RLPCOL_ERR_NOMEM; break; }
            *out = nm;
            cap = ncap;
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
    if (rc == 0 && n == 0) rc = CAL_HEXCOL_NOTHING_TO_RECOMPUTE;
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
    if (expected > SIZE_MAX / 16) return CAL_RLPCOL_ERR_LIMIT;
    table_t t;
    /* each output byte needs at most 2 column bytes (an escaped byte) */
    int rc = read_table(p, len, expected, ncols, budget(expected, 2), &t);
    if (rc) return rc;
    uint8_t *raw = NULL;
    rd_t col[CAL_HEXCOL2_COLUMNS];
    rc = load_columns(p, &t, ncols, &raw, col);
    rd_t *sk = &col[HX_SKEL];
    size_t out = 0;
    uint64_t tokens = 0;
    while (!rc && sk->off < sk->n) {
        uint8_t c = sk->p[sk->off++];
        if (c == 0 || c > last_tok) {
            if (out == expected) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            o[out++] = c;
            continue;
        }
        if (c == T_ESC) {
            if (sk->off == sk->n) { rc = CAL_RLPCOL_ERR_TRUNCATED; break; }
            uint8_t l = sk->p[sk->off++];
            if (l < 1 || l > last_tok) { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
            if (out == expected) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            o[out++] = l;
            continue;
        }
        tokens++;
        if (c == T_RECOMP) {
            uint64_t d;
            if ((rc = get_varint(&col[HX_R], &d))) break;
            if (d == 0 || d > out || o[out - d] != '{') { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
            if (66 > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            if (nmarks == mcap) {
                size_t ncap = mcap ? 2 * mcap : 64;
                hx_mark *nm = (hx_mark *)realloc(marks, ncap * sizeof *nm);
                if (!nm) { rc = CAL_RLPCOL_ERR_NOMEM; break; }
                marks = nm;
                mcap = ncap;
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
            if (2 + nd > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
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
            if (!rc && (n == 0 || (c == T_DATA && (n == 20 || n == 32)) || (c == T_BARE && n < 8))) rc = CAL_RLPCOL_ERR_MALFORMED;
        }
        if (rc) break;
        size_t need = 2 * n + (c == T_BARE ? 0 : 2);
        if (n > expected || need > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
        if (c != T_BARE) { o[out++] = '0'; o[out++] = 'x'; }
        for (size_t k = 0; k < n; k++) { o[out++] = (uint8_t)HEXDIGITS[d[k] >> 4]; o[out++] = (uint8_t)HEXDIGITS[d[k] & 15]; }
    }
    if (!rc && tokens != t.items) rc = CAL_RLPCOL_ERR_MALFORMED;
    if (!rc && out != expected) rc = CAL_RLPCOL_ERR_SIZE;
    if (!rc) rc = all_consumed(col, ncols);
    /* recompute: objects in order, disjoint, each one's "hash" at its marker (linear work in total) */
    size_t prev_end = 0;
    for (size_t k = 0; !rc && k < nmarks; k++) {
        size_t end, at;
        uint8_t h[32];
        if (marks[k].obj < prev_end || cal_json_tx_hash(o, expected, marks[k].obj, &end, &at, h) != 1 || at != marks[k].at) {
            rc = CAL_RLPCOL_ERR_MALFORMED;
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

static int hexcol_sizes(const void *src, size_t len, uint64_t *column_sizes, int ncols) {
    table_t t;
    int e = read_table((const uint8_t *)src, len, SIZE_MAX / 16, ncols, UINT64_MAX, &t);
    if (e) return e;
    for (int c = 0; c < ncols; c++) column_sizes[c] = t.stored[c];
    return 0;
}

int cal_hexcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes) {
    return hexcol_sizes(src, len, column_sizes, CAL_HEXCOL_COLUMNS);
}

int cal_hexcol2_column_sizes(const void *src, size_t len, uint64_t *column_sizes) {
    return hexcol_sizes(src, len, column_sizes, CAL_HEXCOL2_COLUMNS);
}

/* ---------------------------------------------------------------- era1 (transform 4) */

/*
 * e2store entries (type u16 LE, length u32 LE, reserved u16 LE, data). Snappy-framed header, body and
 * receipts entries (0x03, 0x04, 0x05) that re-encode exactly are stored as their RLP: headers through
 * the RLP column transform, bodies and receipts as zstd columns. Total-difficulty entries (0x06) equal
 * to the previous one plus the last header's difficulty, and the block index (0x3266) whose offsets are
 * those of the header entries, are recomputed. Everything else is a literal entry.
 * Columns: 0 kinds (u8 per entry: 0 literal, 3/4/5 snappy entry of that type, 6 TD, 8 block index),
 * 1 literals (lit), 2 headers (varint RLP length + transform-2 payload), 3 bodies, 4 receipts,
 * 5 meta (varint starting block number per block index).
 */
enum { ERA_KINDS, ERA_LIT, ERA_HEADERS, ERA_BODIES, ERA_RECEIPTS, ERA_META, ERA_COLUMNS_ };
_Static_assert(ERA_COLUMNS_ == CAL_ERA1_COLUMNS, "era1 columns");
enum { EK_LIT = 0, EK_TD = 6, EK_INDEX = 8 };

#include "snappy_internal.h"

typedef struct {
    uint64_t *pos;   /* offsets of header entries */
    size_t n, cap;
    int oom;
    uint8_t td[32], diff[32]; /* little-endian 256-bit */
    int td_valid, diff_valid;
} era_state;

static void era_push(era_state *e, uint64_t v) {
    if (e->n == e->cap) {
        size_t nc = e->cap ? e->cap * 2 : 1024;
        uint64_t *np = (uint64_t *)realloc(e->pos, nc * sizeof(uint64_t));
        if (!np) { e->oom = 1; return; }
        e->pos = np;
        e->cap = nc;
    }
    e->pos[e->n++] = v;
}

/* Difficulty of a header RLP item as a 256-bit little-endian number; 0 if not a header with one. */
static int header_difficulty(const uint8_t *p, size_t n, uint8_t out[32]) {
    rlp_item it;
    span_t f[CAL_RLPCOL_MAX_FIELDS];
    if (rlp_parse(p, n, &it) || it.hdr + it.plen != n) return 0;
    int nf = split_header(p, n, &it, f);
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
    int rc = CAL_RLPCOL_OK;
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
                long r = cal_snappy_frame_decode(data, ln, scratch.p, cap);
                rlp_item it;
                if (r > 0 && rlp_parse(scratch.p, (size_t)r, &it) == 0 && it.hdr + it.plen == (size_t)r &&
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
        rc = rlpcol_encode(hdr.p, hdr.n, level, &hp, &hn, NULL, version >= 2 && !col[ERA_BODIES].oom ? &bodies : NULL);
        if (rc == 0) put(&col[ERA_HEADERS], hp, hn);
        free(hp);
    }
    for (int c = 0; c < CAL_ERA1_COLUMNS; c++)
        if (col[c].oom) rc = CAL_RLPCOL_ERR_NOMEM;
    if (hdr.oom || scratch.oom || enc.oom || st.oom) rc = CAL_RLPCOL_ERR_NOMEM;
    if (rc == 0) rc = write_payload(entries, col, CAL_ERA1_COLUMNS, level, out, out_len, column_sizes);
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
    if (r->off >= r->n || rlp_parse(r->p + r->off, r->n - r->off, &it)) return CAL_RLPCOL_ERR_TRUNCATED;
    *item = r->p + r->off;
    *n = it.hdr + it.plen;
    r->off += *n;
    return 0;
}

static int era1_decode(const void *src, size_t len, void *dst, size_t expected, int version) {
    const uint8_t *p = (const uint8_t *)src;
    uint8_t *o = (uint8_t *)dst;
    if (expected > SIZE_MAX / 32) return CAL_RLPCOL_ERR_LIMIT;
    table_t t;
    /* the RLP streams are what snappy compressed (about 1.3x the original on chain data; more only for
     * runs of zeros, which the encoder then stores another way): 4x in total */
    int rc = read_table(p, len, expected, CAL_ERA1_COLUMNS, budget(expected, 4), &t);
    if (rc) return rc;
    uint8_t *raw = NULL, *hbuf = NULL;
    rd_t col[CAL_ERA1_COLUMNS], hdr = {NULL, 0, 0};
    memset(col, 0, sizeof col);
    era_state st;
    memset(&st, 0, sizeof st);
    buf_t enc;
    memset(&enc, 0, sizeof enc);
    rc = load_columns(p, &t, CAL_ERA1_COLUMNS, &raw, col);
    if (!rc && col[ERA_HEADERS].n) {
        uint64_t hn;
        rc = get_varint(&col[ERA_HEADERS], &hn);
        if (!rc && (hn == 0 || hn > budget(expected, 4))) rc = CAL_RLPCOL_ERR_LIMIT;
        if (!rc && !(hbuf = (uint8_t *)malloc((size_t)hn))) rc = CAL_RLPCOL_ERR_NOMEM;
        /* the header stream's own columns: 3x the era1 original, not 3x the (up to 4x larger) stream */
        rd_t bodies = col[ERA_BODIES];
        if (!rc) rc = rlpcol_decode(col[ERA_HEADERS].p + col[ERA_HEADERS].off, col[ERA_HEADERS].n - col[ERA_HEADERS].off, hbuf, (size_t)hn,
                                    budget(expected, 3), version >= 2 ? &bodies : NULL);
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
            if (n == 0) { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
            if (n > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            memcpy(o + out, b, n);
            out += n;
            if (n >= 8 && le(b + 2, 4) == n - 8)
                era_update(&st, (unsigned)le(b, 2), (unsigned)le(b + 6, 2), n - 8, b + 8, at, NULL, 0);
        } else if (*kp >= 3 && *kp <= 5) {
            const uint8_t *item;
            size_t n;
            rd_t *srcr = *kp == 3 ? &hdr : *kp == 4 ? &col[ERA_BODIES] : &col[ERA_RECEIPTS];
            if ((rc = next_item(srcr, &item, &n))) break;
            if (buf_reserve(&enc, cal_snappy_frame_bound(n))) { rc = CAL_RLPCOL_ERR_NOMEM; break; }
            size_t en = cal_snappy_frame_encode(item, n, enc.p);
            if (en > UINT32_MAX || en < 10) { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
            if (8 + en > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            put_le(o + out, *kp, 2);
            put_le(o + out + 2, en, 4);
            put_le(o + out + 6, 0, 2);
            memcpy(o + out + 8, enc.p, en);
            out += 8 + en;
            era_update(&st, *kp, 0, en, o + at + 8, at, item, n);
        } else if (*kp == EK_TD) {
            if (!st.td_valid || !st.diff_valid) { rc = CAL_RLPCOL_ERR_MALFORMED; break; }
            if (40 > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
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
            if (st.n > expected / 8 || 8 + ln > expected - out) { rc = CAL_RLPCOL_ERR_SIZE; break; }
            put_le(o + out, 0x3266, 2);
            put_le(o + out + 2, ln, 4);
            put_le(o + out + 6, 0, 2);
            put_le(o + out + 8, start, 8);
            for (size_t i = 0; i < st.n; i++) put_le(o + out + 16 + 8 * i, st.pos[i] - (uint64_t)at, 8);
            put_le(o + out + 16 + 8 * st.n, st.n, 8);
            out += 8 + ln;
        } else {
            rc = CAL_RLPCOL_ERR_MALFORMED;
        }
        if (st.oom) rc = CAL_RLPCOL_ERR_NOMEM;
    }
    if (!rc && out != expected) rc = CAL_RLPCOL_ERR_SIZE;
    if (!rc) rc = all_consumed(col, CAL_ERA1_COLUMNS);
    if (!rc && hdr.off != hdr.n) rc = CAL_RLPCOL_ERR_TRAILING;
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
    table_t t;
    int e = read_table((const uint8_t *)src, len, SIZE_MAX / 32, CAL_ERA1_COLUMNS, UINT64_MAX, &t);
    if (e) return e;
    for (int c = 0; c < CAL_ERA1_COLUMNS; c++) column_sizes[c] = t.stored[c];
    return 0;
}
