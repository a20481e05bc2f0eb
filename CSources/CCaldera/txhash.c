/*
 * Transaction hashes from JSON-RPC transaction objects (eth_getBlockByNumber(…, true),
 * eth_getTransactionByHash): the object's fields are re-encoded as the signed transaction's consensus
 * encoding (legacy RLP, or type byte ‖ RLP for EIP-2930/1559/4844/7702) and hashed with Keccak-256.
 * Transform 5 of docs/archive-codec.md stores such hashes as "recompute" markers.
 *
 * The parse is deliberately narrow: a transaction object is one whose `hash` is "0x" + 64 lowercase
 * digits and whose signed fields are all present, once each, in the forms geth and reth print. Anything
 * else (an unknown type, a duplicate field, an extra key in an access-list entry) makes the object "not
 * recomputable" and its hash is stored like any other value. Keys are compared byte for byte: a key
 * written with escapes ("h\u0061sh") is an unknown key, ignored. The function is a
 * pure function of the object's bytes other than the hash value itself, which is what lets the decoder
 * run it on text where that hash is still a placeholder.
 */
#include "CCaldera.h"
#include "internal.h"
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- JSON scanning */

static size_t ws(const uint8_t *t, size_t n, size_t i) {
    while (i < n && (t[i] == ' ' || t[i] == '\n' || t[i] == '\r' || t[i] == '\t')) i++;
    return i;
}

/* String starting at t[i] == '"': *end = index after the closing quote. Escapes are skipped, not decoded. */
static int string_end(const uint8_t *t, size_t n, size_t i, size_t *end) {
    if (i >= n || t[i] != '"') return -1;
    for (i++; i < n; i++) {
        if (t[i] == '\\') { i++; continue; }
        if (t[i] == '"') { *end = i + 1; return 0; }
        if (t[i] < 0x20) return -1;
    }
    return -1;
}

/* Any value at t[i]: *end = index after it. Containers only need balanced brackets outside strings. */
static int value_end(const uint8_t *t, size_t n, size_t i, size_t *end) {
    if (i >= n) return -1;
    if (t[i] == '"') return string_end(t, n, i, end);
    if (t[i] == '{' || t[i] == '[') {
        size_t depth = 0;
        while (i < n) {
            uint8_t c = t[i];
            if (c == '"') {
                if (string_end(t, n, i, &i)) return -1;
                continue;
            }
            if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') {
                if (--depth == 0) { *end = i + 1; return 0; }
            }
            i++;
        }
        return -1;
    }
    size_t j = i;
    while (j < n && t[j] != ',' && t[j] != '}' && t[j] != ']' && t[j] != ' ' && t[j] != '\n' && t[j] != '\r' && t[j] != '\t') j++;
    if (j == i) return -1;
    *end = j;
    return 0;
}

typedef struct { size_t at, end; } val_t; /* value span; at == 0 means absent (a value never starts at 0 inside an object) */

/* Iterates the members of the object at t[i] == '{'. For each member calls cb(key, keylen, value span).
 * Sets *end after the closing brace. Returns 0, -1 if malformed, or cb's nonzero result. */
typedef int (*member_cb)(void *ctx, const uint8_t *key, size_t klen, val_t v);
static int object_members(const uint8_t *t, size_t n, size_t i, size_t *end, member_cb cb, void *ctx) {
    if (i >= n || t[i] != '{') return -1;
    i = ws(t, n, i + 1);
    if (i < n && t[i] == '}') { *end = i + 1; return 0; }
    int result = 0;
    for (;;) {
        size_t ke;
        if (string_end(t, n, i, &ke)) return -1;
        const uint8_t *key = t + i + 1;
        size_t klen = ke - i - 2;
        i = ws(t, n, ke);
        if (i >= n || t[i] != ':') return -1;
        i = ws(t, n, i + 1);
        size_t ve;
        if (value_end(t, n, i, &ve)) return -1;
        if (!result) result = cb(ctx, key, klen, (val_t){i, ve});
        i = ws(t, n, ve);
        if (i >= n) return -1;
        if (t[i] == ',') { i = ws(t, n, i + 1); continue; }
        if (t[i] == '}') { *end = i + 1; return result; }
        return -1;
    }
}

/* ---------------------------------------------------------------- RLP output */

static size_t list_begin(buf_t *b) { return b->n; }

/* Prefixes the bytes written since `at` with their list header. */
static void list_end(buf_t *b, size_t at) {
    if (b->oom) return;
    size_t plen = b->n - at, hn = rlp_hdr_len(plen);
    if (buf_reserve(b, hn)) return;
    memmove(b->p + at + hn, b->p + at, plen);
    rlp_write_hdr(b->p + at, plen, 1);
    b->n += hn;
}

/* "0x" + digits inside the string value v: the digit span (digits are checked where they are converted). */
static int hex_digits(const uint8_t *t, val_t v, const uint8_t **d, size_t *nd) {
    if (v.end - v.at < 4 || t[v.at] != '"' || t[v.end - 1] != '"' || t[v.at + 1] != '0' || t[v.at + 2] != 'x') return -1;
    *d = t + v.at + 3;
    *nd = v.end - v.at - 4;
    return 0;
}

/* n bytes from 2n lowercase digits; -1 on any other byte (the decoder turns every recomputed
 * transaction's calldata back from hex, so this is the transform's hot path). */
static int unhex(const uint8_t *d, size_t nb, uint8_t *out) { return cal_unhex(d, nb, out, CAL_HEX_LOWER); }

/* A quantity ("0x" + 1..64 digits) as a canonical RLP integer (leading zeros dropped). */
static int put_qty(buf_t *b, const uint8_t *t, val_t v) {
    const uint8_t *d;
    size_t nd;
    if (hex_digits(t, v, &d, &nd) || nd == 0 || nd > 64) return -1;
    uint8_t tmp[33];
    /* left-pad to an even number of digits, then convert */
    uint8_t digits[64];
    size_t m = nd + (nd & 1);
    digits[0] = '0';
    memcpy(digits + (nd & 1), d, nd);
    if (unhex(digits, m / 2, tmp)) return -1;
    size_t nb = m / 2, z = 0;
    while (z < nb && tmp[z] == 0) z++;
    const uint8_t *q = tmp + z;
    nb -= z;
    if (nb == 1 && q[0] < 0x80) {
        if (buf_reserve(b, 1)) return -1;
        b->p[b->n++] = q[0];
        return 0;
    }
    put_rlp_hdr(b, nb, 0);
    if (buf_reserve(b, nb)) return -1;
    memcpy(b->p + b->n, q, nb);
    b->n += nb;
    return 0;
}

/* Data ("0x" + an even number of digits) as an RLP string; want > 0 requires exactly that many bytes. */
static int put_data(buf_t *b, const uint8_t *t, val_t v, size_t want) {
    const uint8_t *d;
    size_t nd;
    if (hex_digits(t, v, &d, &nd) || nd % 2) return -1;
    size_t nb = nd / 2;
    if (want && nb != want) return -1;
    if (nb == 1) {
        uint8_t one;
        if (unhex(d, 1, &one)) return -1;
        if (one < 0x80) {
            if (buf_reserve(b, 1)) return -1;
            b->p[b->n++] = one;
            return 0;
        }
    }
    put_rlp_hdr(b, nb, 0);
    if (buf_reserve(b, nb)) return -1;
    if (unhex(d, nb, b->p + b->n)) return -1;
    b->n += nb;
    return 0;
}

static int is_null(const uint8_t *t, val_t v) { return v.end - v.at == 4 && memcmp(t + v.at, "null", 4) == 0; }

/* Iterates the elements of the array value v: cb(element span). */
typedef int (*elem_cb)(void *ctx, val_t e);
static int array_elems(const uint8_t *t, val_t v, elem_cb cb, void *ctx) {
    size_t n = v.end, i = v.at;
    if (t[i] != '[') return -1;
    i = ws(t, n, i + 1);
    if (i < n && t[i] == ']') return i + 1 == n ? 0 : -1;
    for (;;) {
        size_t e;
        if (value_end(t, n, i, &e)) return -1;
        if (cb(ctx, (val_t){i, e})) return -1;
        i = ws(t, n, e);
        if (i >= n) return -1;
        if (t[i] == ',') { i = ws(t, n, i + 1); continue; }
        if (t[i] == ']' && i + 1 == n) return 0;
        return -1;
    }
}

/* ---------------------------------------------------------------- nested lists */

typedef struct { const uint8_t *t; buf_t *b; } emit_ctx;

static int emit_h32(void *c, val_t e) {
    emit_ctx *x = (emit_ctx *)c;
    return put_data(x->b, x->t, e, 32);
}

#define KEY(k, lit) (klen == sizeof(lit) - 1 && memcmp(k, lit, sizeof(lit) - 1) == 0)

typedef struct { val_t address, keys; int bad; } access_entry;
static int access_member(void *c, const uint8_t *k, size_t klen, val_t v) {
    access_entry *a = (access_entry *)c;
    val_t *slot = KEY(k, "address") ? &a->address : KEY(k, "storageKeys") ? &a->keys : NULL;
    if (!slot || slot->at) { a->bad = 1; return 1; }
    *slot = v;
    return 0;
}

/* accessList element: [address, [storageKey, ...]] */
static int emit_access(void *c, val_t e) {
    emit_ctx *x = (emit_ctx *)c;
    access_entry a = {{0, 0}, {0, 0}, 0};
    size_t end;
    if (object_members(x->t, e.end, e.at, &end, access_member, &a) || a.bad || end != e.end || !a.address.at || !a.keys.at) return -1;
    size_t at = list_begin(x->b);
    if (put_data(x->b, x->t, a.address, 20)) return -1;
    size_t k = list_begin(x->b);
    if (x->t[a.keys.at] != '[' || array_elems(x->t, a.keys, emit_h32, x)) return -1;
    list_end(x->b, k);
    list_end(x->b, at);
    return 0;
}

enum { AU_CHAIN, AU_ADDRESS, AU_NONCE, AU_YPARITY, AU_R, AU_S, AU_N };
typedef struct { val_t f[AU_N]; int bad; } auth_entry;
static int auth_member(void *c, const uint8_t *k, size_t klen, val_t v) {
    auth_entry *a = (auth_entry *)c;
    int i = KEY(k, "chainId") ? AU_CHAIN : KEY(k, "address") ? AU_ADDRESS : KEY(k, "nonce") ? AU_NONCE
          : KEY(k, "yParity") ? AU_YPARITY : KEY(k, "r") ? AU_R : KEY(k, "s") ? AU_S : -1;
    if (i < 0 || a->f[i].at) { a->bad = 1; return 1; }
    a->f[i] = v;
    return 0;
}

/* authorizationList element (EIP-7702): [chainId, address, nonce, yParity, r, s] */
static int emit_auth(void *c, val_t e) {
    emit_ctx *x = (emit_ctx *)c;
    auth_entry a;
    memset(&a, 0, sizeof a);
    size_t end;
    if (object_members(x->t, e.end, e.at, &end, auth_member, &a) || a.bad || end != e.end) return -1;
    for (int i = 0; i < AU_N; i++)
        if (!a.f[i].at) return -1;
    size_t at = list_begin(x->b);
    if (put_qty(x->b, x->t, a.f[AU_CHAIN]) || put_data(x->b, x->t, a.f[AU_ADDRESS], 20) || put_qty(x->b, x->t, a.f[AU_NONCE]) ||
        put_qty(x->b, x->t, a.f[AU_YPARITY]) || put_qty(x->b, x->t, a.f[AU_R]) || put_qty(x->b, x->t, a.f[AU_S]))
        return -1;
    list_end(x->b, at);
    return 0;
}

static int emit_list(buf_t *b, const uint8_t *t, val_t v, elem_cb cb) {
    if (t[v.at] != '[') return -1;
    emit_ctx x = {t, b};
    size_t at = list_begin(b);
    if (array_elems(t, v, cb, &x)) return -1;
    list_end(b, at);
    return 0;
}

/* ---------------------------------------------------------------- transaction objects */

enum {
    F_HASH, F_TYPE, F_CHAIN, F_NONCE, F_GASPRICE, F_TIP, F_MAXFEE, F_GAS, F_TO, F_VALUE, F_INPUT, F_ACCESS,
    F_BLOBFEE, F_BLOBS, F_AUTH, F_V, F_R, F_S, F_YPARITY, F_N
};
static const char *const FIELD_KEYS[F_N] = {
    "hash", "type", "chainId", "nonce", "gasPrice", "maxPriorityFeePerGas", "maxFeePerGas", "gas", "to", "value",
    "input", "accessList", "maxFeePerBlobGas", "blobVersionedHashes", "authorizationList", "v", "r", "s", "yParity",
};

static const uint8_t FIELD_KEY_LEN[F_N] = {4, 4, 7, 5, 8, 20, 12, 3, 2, 5, 5, 10, 16, 19, 17, 1, 1, 1, 7};

typedef struct { val_t f[F_N]; int dup; } tx_fields;

static int tx_member(void *c, const uint8_t *k, size_t klen, val_t v) {
    tx_fields *x = (tx_fields *)c;
    for (size_t j = 0; j < klen; j++)
        if (k[j] == '\\') return 0; /* escaped keys are never ours */
    for (int i = 0; i < F_N; i++) {
        if (FIELD_KEY_LEN[i] == klen && FIELD_KEYS[i][0] == k[0] && memcmp(FIELD_KEYS[i], k, klen) == 0) {
            if (x->f[i].at) x->dup = 1;
            x->f[i] = v;
            return 0;
        }
    }
    return 0;
}

/* Signed-transaction encoding of the fields; 0 or -1 (not a transaction we can encode). */
static int encode_tx(buf_t *b, const uint8_t *t, const tx_fields *x, int type) {
    const val_t *f = x->f;
    /* the signature parity: yParity, or v when yParity is absent (they must agree when both are present) */
    val_t yp = f[F_YPARITY].at ? f[F_YPARITY] : f[F_V];
    int need[F_N] = {0};
    need[F_NONCE] = need[F_GAS] = need[F_TO] = need[F_VALUE] = need[F_INPUT] = need[F_R] = need[F_S] = 1;
    if (type == 0) need[F_GASPRICE] = need[F_V] = 1;
    else {
        need[F_CHAIN] = need[F_ACCESS] = 1;
        if (!yp.at) return -1;
        if (type == 1) need[F_GASPRICE] = 1;
        else need[F_TIP] = need[F_MAXFEE] = 1;
        if (type == 3) need[F_BLOBFEE] = need[F_BLOBS] = 1;
        if (type == 4) need[F_AUTH] = 1;
    }
    for (int i = 0; i < F_N; i++)
        if (need[i] && !f[i].at) return -1;
    if (type != 0 && f[F_YPARITY].at && f[F_V].at) {
        /* both present: the hash only covers one, so require the same text (a geth invariant) */
        if (f[F_V].end - f[F_V].at != f[F_YPARITY].end - f[F_YPARITY].at ||
            memcmp(t + f[F_V].at, t + f[F_YPARITY].at, f[F_V].end - f[F_V].at) != 0)
            return -1;
    }
    if (type != 0) {
        if (buf_reserve(b, 1)) return -1;
        b->p[b->n++] = (uint8_t)type;
    }
    size_t at = list_begin(b);
    int e = 0;
    if (type != 0) e |= put_qty(b, t, f[F_CHAIN]);
    e |= put_qty(b, t, f[F_NONCE]);
    if (type == 0 || type == 1) e |= put_qty(b, t, f[F_GASPRICE]);
    else e |= put_qty(b, t, f[F_TIP]) | put_qty(b, t, f[F_MAXFEE]);
    e |= put_qty(b, t, f[F_GAS]);
    if (is_null(t, f[F_TO])) {
        if (type == 3 || type == 4) return -1;
        put_rlp_hdr(b, 0, 0);
    } else e |= put_data(b, t, f[F_TO], 20);
    e |= put_qty(b, t, f[F_VALUE]);
    e |= put_data(b, t, f[F_INPUT], 0);
    if (e) return -1;
    if (type != 0 && emit_list(b, t, f[F_ACCESS], emit_access)) return -1;
    if (type == 3 && (put_qty(b, t, f[F_BLOBFEE]) || emit_list(b, t, f[F_BLOBS], emit_h32))) return -1;
    if (type == 4 && emit_list(b, t, f[F_AUTH], emit_auth)) return -1;
    if (put_qty(b, t, type == 0 ? f[F_V] : yp) || put_qty(b, t, f[F_R]) || put_qty(b, t, f[F_S])) return -1;
    list_end(b, at);
    return b->oom ? -1 : 0;
}

int cal_json_tx_hash(const void *text, size_t len, size_t start, size_t *obj_end, size_t *hash_at, void *out32) {
    const uint8_t *t = (const uint8_t *)text;
    tx_fields x;
    memset(&x, 0, sizeof x);
    size_t end;
    if (object_members(t, len, start, &end, tx_member, &x)) return CAL_ERR_MALFORMED;
    *obj_end = end;
    if (x.dup) return CAL_ERR_NOT_TX;
    val_t h = x.f[F_HASH];
    if (!h.at || h.end - h.at != 68) return CAL_ERR_NOT_TX;
    const uint8_t *d;
    size_t nd;
    uint8_t stored[32];
    if (hex_digits(t, h, &d, &nd) || unhex(d, 32, stored)) return CAL_ERR_NOT_TX;
    int type = 0;
    if (x.f[F_TYPE].at) {
        const uint8_t *td;
        size_t tn;
        if (hex_digits(t, x.f[F_TYPE], &td, &tn) || tn == 0 || tn > 2) return CAL_ERR_NOT_TX;
        int t0 = cal_hex_values[td[0]], t1 = tn == 2 ? cal_hex_values[td[1]] : 0;
        if (t0 > 15 || t1 > 15) return CAL_ERR_NOT_TX;
        type = tn == 2 ? t0 * 16 + t1 : t0;
        if (type > 4) return CAL_ERR_NOT_TX;
    }
    buf_t b = {NULL, 0, 0, 0};
    int rc = encode_tx(&b, t, &x, type);
    if (rc == 0) {
        cal_keccak256(b.p, b.n, out32);
        *hash_at = h.at + 1;
    }
    free(b.p);
    return rc == 0 ? CAL_OK : CAL_ERR_NOT_TX;
}
