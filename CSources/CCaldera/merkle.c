/*
 * RFC 6962 / RFC 9162 Merkle trees: level hashing, roots, and proof verification.
 * Verification follows transparency-dev/merkle (proof/verify.go) step for step, so that its test
 * probes (shared/vectors/rfc6962.json) pass and fail exactly as upstream.
 */
#include "CCaldera.h"

#include <string.h>

static const uint8_t EMPTY_ROOT[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                                       0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                                       0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};

void cal_merkle_leaf_hash(const void *data, size_t len, void *out32) {
    cal_sha256_many(CAL_SHA256_AUTO, data, 1, len, len, 0x00, out32);
}

void cal_merkle_node_hash(const void *left32, const void *right32, void *out32) {
    uint8_t buf[64];
    memcpy(buf, left32, 32);
    memcpy(buf + 32, right32, 32);
    cal_sha256_many(CAL_SHA256_AUTO, buf, 1, 64, 64, 0x01, out32);
}

uint64_t cal_merkle_table_size(uint64_t n) {
    uint64_t total = 0;
    if (n == 0) return 0;
    for (;;) {
        total += n;
        if (n == 1) return total;
        n = (n + 1) / 2;
    }
}

int cal_merkle_level(int backend, const void *in, uint64_t n, void *out) {
    uint64_t pairs = n / 2;
    int rc = pairs ? cal_sha256_many(backend, in, (size_t)pairs, 64, 64, 0x01, out) : CAL_OK;
    if (rc) return rc;
    if (n & 1) memmove((uint8_t *)out + 32 * pairs, (const uint8_t *)in + 32 * (n - 1), 32);
    return 0;
}

int cal_merkle_build(int backend, void *table, uint64_t n) {
    if (n == 0) return CAL_ERR_PARAM;
    uint8_t *level = (uint8_t *)table;
    while (n > 1) {
        uint8_t *next = level + 32 * n;
        int rc = cal_merkle_level(backend, level, n, next);
        if (rc) return rc;
        level = next;
        n = (n + 1) / 2;
    }
    return 0;
}

int cal_merkle_root(int backend, const void *leaf_hashes, uint64_t n, void *scratch, void *out32) {
    if (n == 0) { memcpy(out32, EMPTY_ROOT, 32); return 0; }
    if (n == 1) { memmove(out32, leaf_hashes, 32); return 0; }
    int rc = cal_merkle_level(backend, leaf_hashes, n, scratch);
    if (rc) return rc;
    n = (n + 1) / 2;
    while (n > 1) { /* in place: output i is written after inputs 2i, 2i+1 are read */
        if ((rc = cal_merkle_level(backend, scratch, n, scratch))) return rc;
        n = (n + 1) / 2;
    }
    memcpy(out32, scratch, 32);
    return 0;
}

/* ------------------------------------------------------------------ verification */

static int bit_len(uint64_t x) { return x ? 64 - __builtin_clzll(x) : 0; }

static void decomp_inclusion(uint64_t index, uint64_t size, int *inner, int *border) {
    *inner = bit_len(index ^ (size - 1));
    /* inner can be 64 (sizes above 2^63): shifting a 64-bit value by 64 is undefined in C */
    *border = *inner >= 64 ? 0 : __builtin_popcountll(index >> *inner);
}

uint32_t cal_merkle_inclusion_proof_len(uint64_t index, uint64_t size) {
    if (index >= size) return 0;
    int inner, border;
    decomp_inclusion(index, size, &inner, &border);
    return (uint32_t)(inner + border);
}

/* seed = H(seed, p) where the index bit is 0 (we are the left child), else H(p, seed). */
static void chain_inner(uint8_t seed[32], const uint8_t *proof, int n, uint64_t index) {
    for (int i = 0; i < n; i++) {
        if (((index >> i) & 1) == 0) cal_merkle_node_hash(seed, proof + 32 * i, seed);
        else cal_merkle_node_hash(proof + 32 * i, seed, seed);
    }
}

/* Only the steps where we are a right child: reconstructs the root of the smaller tree. */
static void chain_inner_right(uint8_t seed[32], const uint8_t *proof, int n, uint64_t index) {
    for (int i = 0; i < n; i++)
        if ((index >> i) & 1) cal_merkle_node_hash(proof + 32 * i, seed, seed);
}

static void chain_border_right(uint8_t seed[32], const uint8_t *proof, int n) {
    for (int i = 0; i < n; i++) cal_merkle_node_hash(proof + 32 * i, seed, seed);
}

int cal_merkle_root_from_inclusion(uint64_t index, uint64_t size, const void *leaf32, const void *proof,
                                   size_t proof_len, void *out32) {
    if (index >= size) return CAL_ERR_INDEX;
    int inner, border;
    decomp_inclusion(index, size, &inner, &border);
    if (proof_len != (size_t)(inner + border)) return CAL_ERR_PROOF_SIZE;
    uint8_t h[32];
    memcpy(h, leaf32, 32);
    chain_inner(h, (const uint8_t *)proof, inner, index);
    chain_border_right(h, (const uint8_t *)proof + 32 * inner, border);
    memcpy(out32, h, 32);
    return CAL_OK;
}

int cal_merkle_verify_consistency(uint64_t size1, uint64_t size2, const void *proof, size_t proof_len,
                                  const void *root1, const void *root2) {
    const uint8_t *p = (const uint8_t *)proof;
    if (size2 < size1) return CAL_ERR_SIZES;
    if (size1 == 0) return CAL_ERR_SIZES; /* a proof from the empty tree proves nothing, even 0 -> 0 */
    if (size1 == size2) {
        if (proof_len) return CAL_ERR_NONEMPTY_PROOF;
        return memcmp(root1, root2, 32) == 0 ? CAL_OK : CAL_ERR_ROOT_MISMATCH;
    }
    if (proof_len == 0) return CAL_ERR_EMPTY_PROOF;

    int inner, border;
    decomp_inclusion(size1 - 1, size2, &inner, &border);
    int shift = __builtin_ctzll(size1);
    inner -= shift; /* shift < inner because size1 < size2 */

    /* The proof starts with the root of the subtree of size 2^shift, unless size1 is that subtree. */
    const uint8_t *seed = p;
    size_t start = 1;
    if (size1 == (1ULL << shift)) { seed = (const uint8_t *)root1; start = 0; }
    if (proof_len != start + (size_t)inner + (size_t)border) return CAL_ERR_PROOF_SIZE;
    p += 32 * start;

    uint64_t mask = (size1 - 1) >> shift;
    uint8_t h1[32], h2[32];
    memcpy(h1, seed, 32);
    chain_inner_right(h1, p, inner, mask);
    chain_border_right(h1, p + 32 * inner, border);
    if (memcmp(h1, root1, 32) != 0) return CAL_ERR_ROOT1_MISMATCH;

    memcpy(h2, seed, 32);
    chain_inner(h2, p, inner, mask);
    chain_border_right(h2, p + 32 * inner, border);
    if (memcmp(h2, root2, 32) != 0) return CAL_ERR_ROOT2_MISMATCH;
    return CAL_OK;
}
