/*
 * CCaldera hashing: SHA-256 (one entry point, several backends), Keccak-256, RFC 6962 Merkle levels,
 * inclusion and consistency proofs, multiproofs, and line-per-leaf hex decoding (the input side of
 * `caldera merkle`). Include CCaldera.h; return conventions and CAL_ERR_* codes are stated there.
 */
#ifndef CAL_HASH_H
#define CAL_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- SHA-256 */

/* Backends. CAL_SHA256_AUTO picks the fastest this CPU supports, once, at first use. */
enum {
    CAL_SHA256_AUTO = 0,
    CAL_SHA256_PORTABLE = 1, /* plain C, runs anywhere */
    CAL_SHA256_OPENSSL = 2,  /* libcrypto EVP with a fetched MD and a reused context */
    CAL_SHA256_SHANI = 3,    /* x86-64 SHA extensions, several independent messages interleaved */
};

/* 1 if `backend` can run on this machine (AUTO, PORTABLE and OPENSSL always can), else 0. */
int cal_sha256_backend_available(int backend);

/* The backend AUTO resolves to on this machine (a backend id, never an error). */
int cal_sha256_backend_auto(void);

/* Stable lower-case name ("portable", "openssl", "sha-ni", "auto"); "unknown" otherwise. */
const char *cal_sha256_backend_name(int backend);

/* SHA-256 of `len` bytes. Returns 0, CAL_ERR_BACKEND (out untouched) or CAL_ERR_LIBCRYPTO. */
int cal_sha256(int backend, const void *data, size_t len, void *out32);

/*
 * Batch entry point: hashes `count` messages of equal length `len`, message i being
 *     prefix || data[i*stride .. i*stride+len)        (prefix only when prefix >= 0, one byte)
 * into out + 32*i. A Merkle level is exactly this: leaves are (0x00 || leaf), nodes are
 * (0x01 || left || right) with len = stride = 64. Independent messages are hashed interleaved
 * where the backend can. Returns 0, CAL_ERR_BACKEND, CAL_ERR_PARAM (prefix > 255) or CAL_ERR_LIBCRYPTO.
 * `out` must not overlap the inputs unless out == data and stride >= 2*32 is hashed level-wise
 * (see cal_merkle_level, which relies on writing output i after reading input 2i, 2i+1).
 */
int cal_sha256_many(int backend, const void *data, size_t count, size_t len, size_t stride, int prefix,
                    void *out);

/*
 * Messages of varying length, concatenated in `data`; message i is data[offsets[i] .. offsets[i+1]),
 * prefixed by `prefix` when prefix >= 0. `offsets` has count + 1 entries, non-decreasing.
 * Runs of equal-length messages go through the interleaved path. Returns as cal_sha256_many.
 */
int cal_sha256_many_var(int backend, const void *data, const uint64_t *offsets, size_t count, int prefix,
                        void *out);

/* ---------------------------------------------------------------- Keccak-256 */

/* Keccak-256 (the original Keccak padding 0x01, as Ethereum uses; not SHA3-256) of `len` bytes. */
void cal_keccak256(const void *data, size_t len, void *out32);

/* The same with the plain-C permutation only (cal_keccak256 uses a BMI1/BMI2 build of it when
 * cal_keccak256_uses_bmi() is 1); for tests that both paths agree. */
void cal_keccak256_portable(const void *data, size_t len, void *out32);
int cal_keccak256_uses_bmi(void);

/* ---------------------------------------------------------------- Merkle (RFC 6962 / RFC 9162) */

/* Number of digests a full level table needs for n leaves: n + ceil(n/2) + ... + 1 (0 for n = 0). */
uint64_t cal_merkle_table_size(uint64_t n);

/*
 * Hashes one level: out[i] = SHA-256(0x01 || in[2i] || in[2i+1]) for i < n/2, and when n is odd the
 * last input is promoted unchanged (RFC 6962's split at the largest power of two is equivalent).
 * `out` holds ceil(n/2) digests; it may equal `in`. Returns 0 or CAL_ERR_BACKEND.
 */
int cal_merkle_level(int backend, const void *in, uint64_t n, void *out);

/*
 * Builds every level above n leaf hashes, in place after them: `table` holds cal_merkle_table_size(n)
 * digests, the first n already filled with leaf hashes. Level l starts where level l-1 ends.
 * The root is the last digest. Returns 0, CAL_ERR_PARAM (n == 0) or CAL_ERR_BACKEND.
 */
int cal_merkle_build(int backend, void *table, uint64_t n);

/*
 * Root over n leaf hashes without keeping levels: `scratch` holds ceil(n/2) digests
 * (n >= 1). For n == 0 the root is SHA-256 of the empty string. Returns 0 or CAL_ERR_BACKEND.
 */
int cal_merkle_root(int backend, const void *leaf_hashes, uint64_t n, void *scratch, void *out32);

/* Leaf and node hashes, RFC 6962 section 2.1. */
void cal_merkle_leaf_hash(const void *data, size_t len, void *out32);
void cal_merkle_node_hash(const void *left32, const void *right32, void *out32);

/* Number of proof elements an inclusion proof for `index` in a tree of `size` has (index < size). */
uint32_t cal_merkle_inclusion_proof_len(uint64_t index, uint64_t size);

/*
 * RFC 9162 2.1.3.2, with transparency-dev/merkle's exact checks: recomputes the root from a leaf
 * hash and `proof_len` 32-byte siblings (bottom up) into out32. Returns 0, CAL_ERR_INDEX or
 * CAL_ERR_PROOF_SIZE.
 */
int cal_merkle_root_from_inclusion(uint64_t index, uint64_t size, const void *leaf32, const void *proof,
                                   size_t proof_len, void *out32);

/*
 * RFC 9162 2.1.4.2 with transparency-dev/merkle's checks (a proof from size 0 is an error; equal
 * sizes need an empty proof and equal roots). Returns 0 or the first failing check: CAL_ERR_SIZES,
 * CAL_ERR_EMPTY_PROOF, CAL_ERR_NONEMPTY_PROOF, CAL_ERR_PROOF_SIZE, CAL_ERR_ROOT_MISMATCH,
 * CAL_ERR_ROOT1_MISMATCH, CAL_ERR_ROOT2_MISMATCH.
 */
int cal_merkle_verify_consistency(uint64_t size1, uint64_t size2, const void *proof, size_t proof_len,
                                  const void *root1, const void *root2);

/* ---------------------------------------------------------------- multiproofs */

/*
 * Root of an RFC 6962 tree of n leaves from k known leaves and a multiproof, every shared sibling
 * once. `indices` (k, strictly increasing, < n) and `leaf_hashes` (k x 32) give the known leaves;
 * `proof` holds proof_len sibling hashes in canonical order: level by level from the leaves up, and
 * within a level by increasing position, exactly the siblings that cannot be computed from the known
 * leaves. `scratch` holds k * 40 bytes. Writes the root to out32 and returns 0, or CAL_ERR_EMPTY,
 * CAL_ERR_INDICES, CAL_ERR_PROOF_SHORT, CAL_ERR_PROOF_LONG (out32 untouched).
 */
int cal_multiproof_root(uint64_t n, const uint64_t *indices, const void *leaf_hashes, size_t k,
                        const void *proof, size_t proof_len, void *scratch, void *out32);

/* Number of sibling hashes the canonical multiproof for these indices has, or an error code
 * (CAL_ERR_EMPTY, CAL_ERR_INDICES; test with cal_is_error). Same traversal as cal_multiproof_root.
 * `scratch` holds k * 8 bytes. */
size_t cal_multiproof_size(uint64_t n, const uint64_t *indices, size_t k, void *scratch);

/* ---------------------------------------------------------------- line-per-leaf hex */

/*
 * Splits `len` bytes of text into lines ('\n'; a '\r' before it is dropped; the final newline ends
 * the last line, so "a\nb\n" is two lines and "" is zero lines) and decodes each line's hex
 * (upper or lower case, even length) into `out`, writing offsets[0..lines] like cal_sha256_many_var.
 * `out` holds out_cap bytes (len/2 is always enough); `offsets` holds offsets_cap entries (number of
 * '\n' + 2 is enough). Returns the number of lines, or an error code: CAL_ERR_BAD_HEX with *bad_line
 * set to the 0-based index of the first bad line, or CAL_ERR_DST_TOO_SMALL if a buffer is too small
 * (the text changed under the caller, say).
 */
size_t cal_hex_decode_lines(const void *text, size_t len, void *out, size_t out_cap, uint64_t *offsets,
                            size_t offsets_cap, uint64_t *bad_line);

/* Counts '\n' in `len` bytes (to size the buffers above). */
uint64_t cal_count_newlines(const void *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* CAL_HASH_H */
