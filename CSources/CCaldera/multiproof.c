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

int cal_multiproof_root(uint64_t n, const uint64_t *indices, const void *leaf_hashes, size_t k,
                        const void *proof, size_t proof_len, void *scratch, void *out32) {
    if (n == 0 || k == 0) return CAL_ERR_EMPTY;
    if (!check_indices(n, indices, k)) return CAL_ERR_INDICES;
    uint64_t *idx = (uint64_t *)scratch;
    uint8_t *h = (uint8_t *)scratch + 8 * k;
    const uint8_t *pf = (const uint8_t *)proof;
    memcpy(idx, indices, 8 * k);
    memcpy(h, leaf_hashes, 32 * k);
    size_t cnt = k, p = 0;
    uint64_t size = n;
    while (size > 1) {
        size_t out = 0, i = 0;
        while (i < cnt) {
            uint64_t x = idx[i];
            uint8_t node[32];
            if ((x & 1) == 0) {
                if (x + 1 < size) { /* a left child with a right sibling */
                    const uint8_t *left = h + 32 * i, *right;
                    if (i + 1 < cnt && idx[i + 1] == x + 1) { right = h + 32 * (i + 1); i += 2; }
                    else {
                        if (p == proof_len) return CAL_ERR_PROOF_SHORT;
                        right = pf + 32 * p++; i += 1;
                    }
                    cal_merkle_node_hash(left, right, node);
                } else { /* the lone last node: promoted unchanged */
                    memcpy(node, h + 32 * i, 32); i += 1;
                }
            } else { /* a right child whose left sibling is not known (else it was paired above) */
                if (p == proof_len) return CAL_ERR_PROOF_SHORT;
                cal_merkle_node_hash(pf + 32 * p++, h + 32 * i, node); i += 1;
            }
            idx[out] = x >> 1;
            memcpy(h + 32 * out, node, 32); /* out < i: inputs at out.. already consumed */
            out++;
        }
        cnt = out;
        size = size / 2 + (size & 1); /* ceil(size / 2) without wrapping at 2^64 - 1 (sizes are untrusted) */
    }
    if (p != proof_len) return CAL_ERR_PROOF_LONG;
    memcpy(out32, h, 32);
    return CAL_OK;
}

size_t cal_multiproof_size(uint64_t n, const uint64_t *indices, size_t k, void *scratch) {
    if (n == 0 || k == 0) return (size_t)CAL_ERR_EMPTY;
    if (!check_indices(n, indices, k)) return (size_t)CAL_ERR_INDICES;
    uint64_t *idx = (uint64_t *)scratch;
    memcpy(idx, indices, 8 * k);
    size_t cnt = k, p = 0;
    uint64_t size = n;
    while (size > 1) {
        size_t out = 0, i = 0;
        while (i < cnt) {
            uint64_t x = idx[i];
            if ((x & 1) == 0) {
                if (x + 1 < size) {
                    if (i + 1 < cnt && idx[i + 1] == x + 1) i += 2;
                    else { p++; i += 1; }
                } else i += 1;
            } else { p++; i += 1; }
            idx[out++] = x >> 1;
        }
        cnt = out;
        size = size / 2 + (size & 1); /* ceil(size / 2) without wrapping at 2^64 - 1 (sizes are untrusted) */
    }
    return p;
}
