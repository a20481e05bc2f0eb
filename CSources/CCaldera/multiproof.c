/*
 * Multiproofs over RFC 6962 trees: many leaves of one tree proven together, each sibling hash once
 * (the idea of OpenZeppelin's multiproofs and SSZ's generalized-index multiproofs, on RFC 6962's
 * unbalanced trees). The traversal works level by level on the "lone last node is promoted" form
 * of the tree, which is exactly RFC 6962's.
 */
#include "CCaldera.h"

#include <string.h>

static int check_indices(uint64_t n, const uint64_t *indices, size_t k) {
    for (size_t i = 0; i < k; i++) {
        if (indices[i] >= n) return 0;
        if (i && indices[i] <= indices[i - 1]) return 0;
    }
    return 1;
}

/*
 * The traversal of both functions. Copies the k indices to scratch and, level by level, replaces the
 * known nodes by their parents, taking a sibling from the proof where it is not known. With leaf_hashes
 * NULL it only counts those siblings; otherwise it also hashes (leaf hashes copied after the indices in
 * scratch, siblings read from proof) and leaves the root as the first hash there. Sets *used to the
 * number of proof hashes taken; returns 0 or CAL_ERR_EMPTY, CAL_ERR_INDICES, CAL_ERR_PROOF_SHORT.
 */
static int traverse(uint64_t n, const uint64_t *indices, const void *leaf_hashes, size_t k,
                    const uint8_t *pf, size_t proof_len, void *scratch, size_t *used) {
    if (n == 0 || k == 0) return CAL_ERR_EMPTY;
    if (!check_indices(n, indices, k)) return CAL_ERR_INDICES;
    uint64_t *idx = (uint64_t *)scratch;
    uint8_t *h = leaf_hashes ? (uint8_t *)scratch + 8 * k : NULL;
    memcpy(idx, indices, 8 * k);
    if (h) memcpy(h, leaf_hashes, 32 * k);
    size_t cnt = k, p = 0;
    uint64_t size = n;
    while (size > 1) {
        size_t out = 0, i = 0;
        while (i < cnt) {
            uint64_t x = idx[i];
            uint8_t node[32];
            if ((x & 1) == 0 && x + 1 < size && i + 1 < cnt && idx[i + 1] == x + 1) { /* both children known */
                if (h) cal_merkle_node_hash(h + 32 * i, h + 32 * (i + 1), node);
                i += 2;
            } else if ((x & 1) == 0 && x + 1 >= size) { /* the lone last node: promoted unchanged */
                if (h) memcpy(node, h + 32 * i, 32);
                i += 1;
            } else { /* the sibling comes from the proof: right of a left child, or left of a right child */
                if (p == proof_len) return CAL_ERR_PROOF_SHORT;
                if (h) {
                    const uint8_t *own = h + 32 * i, *sibling = pf + 32 * p;
                    if (x & 1) cal_merkle_node_hash(sibling, own, node);
                    else cal_merkle_node_hash(own, sibling, node);
                }
                p++; i += 1;
            }
            idx[out] = x >> 1;
            if (h) memcpy(h + 32 * out, node, 32); /* out < i: inputs at out.. already consumed */
            out++;
        }
        cnt = out;
        size = size / 2 + (size & 1); /* ceil(size / 2) without wrapping at 2^64 - 1 (sizes are untrusted) */
    }
    *used = p;
    return CAL_OK;
}

int cal_multiproof_root(uint64_t n, const uint64_t *indices, const void *leaf_hashes, size_t k,
                        const void *proof, size_t proof_len, void *scratch, void *out32) {
    size_t used;
    int rc = traverse(n, indices, leaf_hashes, k, (const uint8_t *)proof, proof_len, scratch, &used);
    if (rc != CAL_OK) return rc;
    if (used != proof_len) return CAL_ERR_PROOF_LONG;
    memcpy(out32, (uint8_t *)scratch + 8 * k, 32);
    return CAL_OK;
}

size_t cal_multiproof_size(uint64_t n, const uint64_t *indices, size_t k, void *scratch) {
    size_t used;
    int rc = traverse(n, indices, NULL, k, NULL, SIZE_MAX, scratch, &used);
    return rc != CAL_OK ? (size_t)rc : used;
}
