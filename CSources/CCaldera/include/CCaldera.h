/*
 * CCaldera: the hot paths of Caldera, behind one header.
 *
 * Contracts, in the manner of zstd.h: every function documents what it returns on error.
 * Functions that cannot fail return void. Pointers to digests always point at 32 bytes.
 * Buffers are `void *` / `const void *` so Swift raw pointers pass without rebinding.
 * Nothing here allocates unless its comment says so; nothing keeps a pointer after returning.
 *
 * This module imports nothing of Caldera's; Swift targets wrap it in value types.
 */
#ifndef CCALDERA_H
#define CCALDERA_H

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

/* 1 if `backend` can run on this machine (AUTO, PORTABLE and OPENSSL always can). */
int cal_sha256_backend_available(int backend);

/* The backend AUTO resolves to on this machine. */
int cal_sha256_backend_auto(void);

/* Stable lower-case name ("portable", "openssl", "sha-ni", "auto"); "unknown" otherwise. */
const char *cal_sha256_backend_name(int backend);

/* SHA-256 of `len` bytes. Returns 0, or -1 if `backend` is unknown or unavailable (out untouched). */
int cal_sha256(int backend, const void *data, size_t len, void *out32);

/*
 * Batch entry point: hashes `count` messages of equal length `len`, message i being
 *     prefix || data[i*stride .. i*stride+len)        (prefix only when prefix >= 0, one byte)
 * into out + 32*i. A Merkle level is exactly this: leaves are (0x00 || leaf), nodes are
 * (0x01 || left || right) with len = stride = 64. Independent messages are hashed interleaved
 * where the backend can. Returns 0, or -1 on unknown/unavailable backend or prefix > 255.
 * `out` must not overlap the inputs unless out == data and stride >= 2*32 is hashed level-wise
 * (see cal_merkle_level, which relies on writing output i after reading input 2i, 2i+1).
 */
int cal_sha256_many(int backend, const void *data, size_t count, size_t len, size_t stride, int prefix,
                    void *out);

/*
 * Messages of varying length, concatenated in `data`; message i is data[offsets[i] .. offsets[i+1]),
 * prefixed by `prefix` when prefix >= 0. `offsets` has count + 1 entries, non-decreasing.
 * Runs of equal-length messages go through the interleaved path. Returns 0 or -1 as above.
 */
int cal_sha256_many_var(int backend, const void *data, const uint64_t *offsets, size_t count, int prefix,
                        void *out);

/* ---------------------------------------------------------------- Merkle (RFC 6962 / RFC 9162) */

/* Number of digests a full level table needs for n leaves: n + ceil(n/2) + ... + 1 (0 for n = 0). */
uint64_t cal_merkle_table_size(uint64_t n);

/*
 * Hashes one level: out[i] = SHA-256(0x01 || in[2i] || in[2i+1]) for i < n/2, and when n is odd the
 * last input is promoted unchanged (RFC 6962's split at the largest power of two is equivalent).
 * `out` holds ceil(n/2) digests; it may equal `in`. Returns 0 or -1 (backend).
 */
int cal_merkle_level(int backend, const void *in, uint64_t n, void *out);

/*
 * Builds every level above n leaf hashes, in place after them: `table` holds cal_merkle_table_size(n)
 * digests, the first n already filled with leaf hashes. Level l starts where level l-1 ends.
 * The root is the last digest. Returns 0, or -1 on n == 0 or bad backend.
 */
int cal_merkle_build(int backend, void *table, uint64_t n);

/*
 * Root over n leaf hashes without keeping levels: `scratch` holds ceil(n/2) digests
 * (n >= 1). For n == 0 the root is SHA-256 of the empty string. Returns 0 or -1.
 */
int cal_merkle_root(int backend, const void *leaf_hashes, uint64_t n, void *scratch, void *out32);

/* Leaf and node hashes, RFC 6962 section 2.1. */
void cal_merkle_leaf_hash(const void *data, size_t len, void *out32);
void cal_merkle_node_hash(const void *left32, const void *right32, void *out32);

/* Verification results. */
enum {
    CAL_MERKLE_OK = 0,
    CAL_MERKLE_ERR_INDEX = 1,        /* index >= size */
    CAL_MERKLE_ERR_PROOF_SIZE = 2,   /* proof has the wrong number of elements */
    CAL_MERKLE_ERR_ROOT_MISMATCH = 3,/* recomputed root differs from the given root */
    CAL_MERKLE_ERR_SIZES = 4,        /* consistency: size2 < size1, or size1 == 0 */
    CAL_MERKLE_ERR_ROOT1_MISMATCH = 5,
    CAL_MERKLE_ERR_ROOT2_MISMATCH = 6,
    CAL_MERKLE_ERR_EMPTY_PROOF = 7,  /* consistency: sizes differ but the proof is empty */
    CAL_MERKLE_ERR_NONEMPTY_PROOF = 8/* consistency: sizes equal but the proof is not empty */
};

/* Number of proof elements an inclusion proof for `index` in a tree of `size` has (index < size). */
uint32_t cal_merkle_inclusion_proof_len(uint64_t index, uint64_t size);

/*
 * RFC 9162 2.1.3.2, with transparency-dev/merkle's exact checks: recomputes the root from a leaf
 * hash and `proof_len` 32-byte siblings (bottom up) into out32. Returns CAL_MERKLE_OK,
 * CAL_MERKLE_ERR_INDEX or CAL_MERKLE_ERR_PROOF_SIZE.
 */
int cal_merkle_root_from_inclusion(uint64_t index, uint64_t size, const void *leaf32, const void *proof,
                                   size_t proof_len, void *out32);

/*
 * RFC 9162 2.1.4.2 with transparency-dev/merkle's checks (a proof from size 0 is an error; equal
 * sizes need an empty proof and equal roots). Returns CAL_MERKLE_OK or the first failing check.
 */
int cal_merkle_verify_consistency(uint64_t size1, uint64_t size2, const void *proof, size_t proof_len,
                                  const void *root1, const void *root2);

/* ---------------------------------------------------------------- multiproofs */

enum {
    CAL_MULTI_OK = 0,
    CAL_MULTI_ERR_EMPTY = 1,       /* n == 0 or k == 0 */
    CAL_MULTI_ERR_INDICES = 2,     /* indices not strictly increasing, or >= n */
    CAL_MULTI_ERR_SHORT = 3,       /* the proof ran out of hashes */
    CAL_MULTI_ERR_LONG = 4         /* hashes left over: the proof is not the canonical one */
};

/*
 * Root of an RFC 6962 tree of n leaves from k known leaves and a multiproof, every shared sibling
 * once. `indices` (k, strictly increasing, < n) and `leaf_hashes` (k x 32) give the known leaves;
 * `proof` holds proof_len sibling hashes in canonical order: level by level from the leaves up, and
 * within a level by increasing position, exactly the siblings that cannot be computed from the known
 * leaves. `scratch` holds k * 40 bytes. Writes the root to out32 and returns CAL_MULTI_OK, or an error
 * above (out32 untouched).
 */
int cal_multiproof_root(uint64_t n, const uint64_t *indices, const void *leaf_hashes, size_t k,
                        const void *proof, size_t proof_len, void *scratch, void *out32);

/* Number of sibling hashes the canonical multiproof for these indices has; (size_t)-1 if the indices
 * are invalid. Same traversal as cal_multiproof_root. `scratch` holds k * 8 bytes. */
size_t cal_multiproof_size(uint64_t n, const uint64_t *indices, size_t k, void *scratch);

/* ---------------------------------------------------------------- compression (zstd, zdict, lz4)
 * Size-returning functions follow zstd's convention: an error is a value for which
 * cal_codec_is_error() is 1, and cal_codec_error_name() names it.
 */

/* 1 if `code` (a size_t returned by a function below) is an error, else 0. */
unsigned cal_codec_is_error(size_t code);

/* A static, human-readable name for an error code ("No error detected" for a non-error). Never NULL. */
const char *cal_codec_error_name(size_t code);


/* Compression parameters. level: 1..22 (zstd's scale; out-of-range values are clamped by zstd).
 * window_log: 0 = the level's default, else 10..31 (27 = 128 MiB, as `zstd --long=27`).
 * long_distance: 1 enables long-distance matching (needed for matches beyond the level's window). */
typedef struct {
    int level;
    int window_log;
    int long_distance;
} cal_zstd_params;

/* Upper bound of the compressed size of `src_size` bytes (ZSTD_compressBound). Cannot fail. */
size_t cal_zstd_bound(size_t src_size);

/*
 * Compresses `src_size` bytes into one zstd frame in `dst` (capacity `dst_capacity`, which should be
 * cal_zstd_bound(src_size)), with the content size written in the frame header. When `dict` is not
 * NULL and `dict_size` > 0 the frame is compressed with that dictionary (a ZDICT-trained one or raw
 * content); the decoder must be given the same dictionary.
 * Returns the compressed size, or an error code (test with cal_codec_is_error): parameter out of
 * range, dst too small, bad dictionary.
 */
size_t cal_zstd_compress(void *dst, size_t dst_capacity, const void *src, size_t src_size,
                         const void *dict, size_t dict_size, cal_zstd_params params);

/*
 * The decompressed size recorded in the frame header of `src` (one frame), or an error code when the
 * header is unreadable, truncated, or does not record the size. Never reads past `src_size`.
 */
size_t cal_zstd_frame_content_size(const void *src, size_t src_size);

/*
 * Decompresses exactly one zstd frame of `src_size` bytes into `dst`, which must hold `dst_capacity`
 * bytes. `window_log_max` bounds the window the decoder accepts (0 = zstd's default 27; frames made
 * with window_log up to 31 need it raised). Returns the decompressed size, or an error code on a
 * corrupt frame, a wrong/missing dictionary, dst too small, or trailing bytes after the frame.
 * Never writes past dst_capacity, never reads past src_size (safe on hostile input).
 */
size_t cal_zstd_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size,
                           const void *dict, size_t dict_size, int window_log_max);

/*
 * Decompresses only the first `prefix_size` bytes of one zstd frame into `dst` (capacity >= prefix_size),
 * streaming, and stops there: reading a blob near the start of a large frame costs only what precedes
 * it. The frame's checksum is not checked (it covers the whole frame): callers hash what they read.
 * Returns prefix_size, or an error code on a corrupt frame, a wrong/missing dictionary, or a frame
 * shorter than prefix_size. Safe on hostile input.
 */
size_t cal_zstd_decompress_prefix(void *dst, size_t prefix_size, const void *src, size_t src_size,
                                  const void *dict, size_t dict_size, int window_log_max);

/*
 * Trains a dictionary of at most `dict_capacity` bytes from `count` samples laid out back to back in
 * `samples`, sample i having `sample_sizes[i]` bytes (ZDICT_trainFromBuffer, deterministic).
 * Returns the dictionary size written to `dict`, or an error code (too few or too small samples,
 * capacity too small). zstd recommends ~100x the dictionary size in total sample bytes.
 */
size_t cal_zdict_train(void *dict, size_t dict_capacity, const void *samples, const size_t *sample_sizes,
                       unsigned count);

/* The dictionary id stamped in a trained dictionary (0 if `dict` is raw content or too short). */
unsigned cal_zdict_id(const void *dict, size_t dict_size);

/* ---------------------------------------------------------------- lz4 */

/* Upper bound of the LZ4 block size of `src_size` bytes; 0 if src_size is above LZ4_MAX_INPUT_SIZE. */
size_t cal_lz4_bound(size_t src_size);

/*
 * LZ4 block compression (LZ4_compress_fast, acceleration >= 1; 1 = default). Returns the compressed
 * size (> 0), or an error code when src_size is above LZ4's limit (~2 GB) or dst is too small.
 * The block does not record its decompressed size: the caller stores it.
 */
size_t cal_lz4_compress(void *dst, size_t dst_capacity, const void *src, size_t src_size, int acceleration);

/*
 * Decompresses an LZ4 block that must expand to exactly `original_size` bytes into `dst`
 * (capacity >= original_size). Returns original_size, or an error code on a malformed block or a
 * size mismatch. Safe on hostile input (LZ4_decompress_safe).
 */
size_t cal_lz4_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size, size_t original_size);

/* zstd helpers for proofs */

/*
 * Decompresses one frame whose content size must be exactly `expected` bytes (declared in the frame
 * and delivered); the frame must carry a content checksum, and it is verified. Returns 0 on success, -1 on any error or size mismatch.
 * Never writes more than `expected` bytes.
 */
int cal_zstd_decompress_exact(const void *src, size_t len, void *dst, size_t expected);

/*
 * CRC-32 (IEEE 802.3, reflected, as zlib's crc32). Detects every error burst of up to 32 bits, so
 * every single-byte change: Caldera uses it to make compressed encodings non-malleable (a zstd frame
 * has bits that do not affect what it decodes to).
 */
uint32_t cal_crc32(const void *data, size_t len);

/* ---------------------------------------------------------------- chain-aware archive codec
 * Keccak-256, RLP header columns, JSON/hex columns, era1 (e2store + snappy); see docs/archive-codec.md.
 */
/* ---------------------------------------------------------------- hashes */

/* Keccak-256 (the original Keccak padding 0x01, as Ethereum uses; not SHA3-256) of `len` bytes. */
void cal_keccak256(const void *data, size_t len, void *out32);

/* The same with the plain-C permutation only (cal_keccak256 uses a BMI1/BMI2 build of it when
 * cal_keccak256_uses_bmi() is 1); for tests that both paths agree. */
void cal_keccak256_portable(const void *data, size_t len, void *out32);
int cal_keccak256_uses_bmi(void);

/* SHA-256 (FIPS 180-4, via OpenSSL's one-shot EVP_Digest). Returns 0, or -1 if libcrypto fails. */
int cal_codec_sha256(const void *data, size_t len, void *out32);

/* ---------------------------------------------------------------- zstd */

/* Upper bound of the compressed size of len bytes (ZSTD_compressBound). */
size_t cal_codec_zstd_bound(size_t len);

/*
 * One zstd frame with the content size declared, at `level` (1..22). When `long_window` is nonzero,
 * long-distance matching with window log 27 (as `zstd --long=27`). Returns the compressed size, or 0
 * on error (including cap too small).
 */
size_t cal_codec_zstd_compress(const void *src, size_t len, void *dst, size_t cap, int level, int long_window);

/*
 * Decompresses exactly one frame that declares a content size of exactly `expected` bytes and
 * delivers exactly that many, with no bytes after the frame. Window up to 2^27. Returns 0 on success,
 * -1 on any error or mismatch (dst contents are then unspecified). Never writes more than `expected`.
 */
int cal_codec_zstd_decompress_exact(const void *src, size_t len, void *dst, size_t expected);

/* ---------------------------------------------------------------- RLP columns (transform 2) */

/*
 * Error codes of the RLP column transform (negative return values).
 */
enum {
    CAL_RLPCOL_OK = 0,
    CAL_RLPCOL_ERR_NOMEM = -1,      /* allocation failed */
    CAL_RLPCOL_ERR_TRUNCATED = -2,  /* the payload ended inside a field */
    CAL_RLPCOL_ERR_MALFORMED = -3,  /* a value the format does not allow (bad mode, count, index, varint) */
    CAL_RLPCOL_ERR_ZSTD = -4,       /* a column's zstd frame did not decode to its declared size */
    CAL_RLPCOL_ERR_SIZE = -5,       /* the reconstruction did not have exactly `expected` bytes */
    CAL_RLPCOL_ERR_TRAILING = -6,   /* bytes left over in the payload or in a column */
    CAL_RLPCOL_ERR_LIMIT = -7,      /* a declared size exceeds the bound the expected size allows */
};

/*
 * Number of leading top-level RLP items (at most `max_items` are examined) that are canonically
 * encoded lists of 1..CAL_RLPCOL_MAX_FIELDS canonically encoded byte strings whose first string is
 * 32 bytes long: the shape of an Ethereum block header. Stops at the first item that is not.
 * Used to recognise header streams; never fails.
 */
size_t cal_rlpcol_header_prefix(const void *src, size_t len, size_t max_items);

enum { CAL_RLPCOL_MAX_FIELDS = 24 };

/*
 * Encodes any byte string as a stream of RLP items split into columns (docs/archive-codec.md,
 * transform 2). Items that are canonical lists of canonical strings are split field by field;
 * any other item is kept literally, and bytes after the last parseable item form a literal tail,
 * so every input is encodable. Each column is compressed with zstd at `level` or stored raw,
 * whichever is smaller.
 * On success returns CAL_RLPCOL_OK and sets *out to a malloc'd buffer of *out_len bytes, which the
 * caller releases with cal_codec_free. On failure returns a negative CAL_RLPCOL_ERR_* and leaves
 * *out NULL.
 * When `column_sizes` is not NULL it receives, for each of the CAL_RLPCOL_COLUMNS columns, the
 * stored size in bytes (for measurements).
 */
enum { CAL_RLPCOL_COLUMNS = 2 + 2 * CAL_RLPCOL_MAX_FIELDS };
int cal_rlpcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len,
                      uint64_t *column_sizes);

/*
 * Decodes a transform-2 payload into exactly `expected` bytes at dst (which holds `expected` bytes).
 * Returns CAL_RLPCOL_OK, or a negative CAL_RLPCOL_ERR_* on any input the format does not allow.
 * Allocates working memory (bounded by a small multiple of `expected` + len) and frees it before
 * returning. Parent hashes stored as "recompute" are recomputed with Keccak-256; the caller verifies
 * the whole result against the container's SHA-256.
 */
int cal_rlpcol_decode(const void *src, size_t len, void *dst, size_t expected);

/*
 * Stored sizes of the columns of a transform-2 payload, without decompressing: fills
 * column_sizes[0 .. CAL_RLPCOL_COLUMNS) and returns CAL_RLPCOL_OK, or a negative error.
 */
int cal_rlpcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

/* Stable name of column i ("item-kinds", "literals", "f00-parentHash-ctrl", "f03-stateRoot-data", ...); "?" if out of range. */
const char *cal_rlpcol_column_name(int i);

/* ---------------------------------------------------------------- hex columns (transform 3) */

/*
 * Text with hex values (JSON-RPC and beacon JSON, CSV exports, hex dumps): the text without its hex
 * values (the skeleton) and the values as binary, in columns by shape (quantity, 32-byte, 20-byte,
 * other) and by the JSON key they follow; docs/archive-codec.md, transform 3. Every input is
 * encodable (text with no hex values is all skeleton). Error codes are the CAL_RLPCOL_ERR_* above.
 */
enum { CAL_HEXCOL_COLUMNS = 2 + 4 * 32 };

/* Number of "0x"-prefixed lowercase hex values that start at a word boundary (for recognition). */
size_t cal_hexcol_count_values(const void *src, size_t len);

/* As cal_rlpcol_encode: *out is malloc'd (cal_codec_free); column_sizes, if not NULL, gets
 * CAL_HEXCOL_COLUMNS stored sizes. Returns CAL_RLPCOL_OK or a negative error. */
int cal_hexcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);

/* As cal_rlpcol_decode: exactly `expected` bytes to dst, or a negative error; never writes past dst+expected. */
int cal_hexcol_decode(const void *src, size_t len, void *dst, size_t expected);

/* Stored sizes of the CAL_HEXCOL_COLUMNS columns of a transform-3 payload. */
int cal_hexcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

/* ---------------------------------------------------------------- hex columns + recompute (transform 5) */

/*
 * Transform 3 plus "recompute" markers: the hash of every JSON-RPC transaction object whose stored
 * hash equals the Keccak-256 of its signed encoding (rebuilt from the object's own fields) is stored
 * as a one-byte token and recomputed on decode; docs/archive-codec.md, transform 5. One more column
 * than transform 3 (each marker's distance back to its object's '{').
 */
enum { CAL_HEXCOL2_COLUMNS = CAL_HEXCOL_COLUMNS + 1, CAL_HEXCOL_NOTHING_TO_RECOMPUTE = 1 };

/* As cal_hexcol_encode; returns CAL_HEXCOL_NOTHING_TO_RECOMPUTE (and no output) when the text has no
 * recomputable transaction hash, so the caller uses transform 3 instead. */
int cal_hexcol2_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);

/* As cal_hexcol_decode. Work is linear in `expected`: recomputed objects must be disjoint and in order. */
int cal_hexcol2_decode(const void *src, size_t len, void *dst, size_t expected);

/* Stored sizes of the CAL_HEXCOL2_COLUMNS columns of a transform-5 payload. */
int cal_hexcol2_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

/* Number of transaction hashes transform 5 would recompute in the text (for measurements). */
size_t cal_hexcol2_count_recomputable(const void *src, size_t len);

/*
 * Transaction hash of the JSON object starting at text[start] == '{' (a JSON-RPC transaction: legacy,
 * EIP-2930, EIP-1559, EIP-4844 or EIP-7702, fields as geth prints them): Keccak-256 of the signed
 * encoding rebuilt from the object's fields, ignoring the value of its "hash" member. Returns 1 and
 * sets *obj_end (index after the closing brace), *hash_at (index of the "0x" of the "hash" value) and
 * out32; 0 when the object is well formed but not a transaction it can encode (*obj_end set); -1 when
 * no object parses at start. Reads only text[start .. len).
 */
int cal_json_tx_hash(const void *text, size_t len, size_t start, size_t *obj_end, size_t *hash_at, void *out32);

/* ---------------------------------------------------------------- era1 (transform 4) */

/*
 * era1 files (e2store entries; headers, bodies and receipts snappy-framed): entries that re-encode
 * exactly with golang/snappy's encoder (reimplemented here, no libsnappy) are stored as their RLP —
 * headers through transform 2 — and total difficulties and the block index are recomputed; any other
 * entry or trailing bytes are literals. docs/archive-codec.md, transform 4. Error codes as above.
 */
enum { CAL_ERA1_COLUMNS = 6 };

/* Number of complete e2store entries at the start of src (for recognition). */
size_t cal_era1_entry_count(const void *src, size_t len);

/* As cal_rlpcol_encode (*out malloc'd, release with cal_codec_free). */
int cal_era1_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);

/* As cal_rlpcol_decode: exactly `expected` bytes, or a negative error. */
int cal_era1_decode(const void *src, size_t len, void *dst, size_t expected);

/* Stored sizes of the CAL_ERA1_COLUMNS columns of a transform-4 or transform-6 payload. */
int cal_era1_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

/*
 * era1-columns/2 (transform 6): transform 4 where each header's ommersHash may be recomputed as the
 * Keccak-256 of the uncle list of the body paired with it (header item k with body item k of the
 * bodies stream), and uncle parent hashes that are recent canonical block hashes are stored as zeros
 * and restored. Same columns and contracts as cal_era1_encode / cal_era1_decode.
 */
int cal_era1v2_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);
int cal_era1v2_decode(const void *src, size_t len, void *dst, size_t expected);

/* Releases a buffer returned by this module. NULL is allowed. */
void cal_codec_free(void *p);

/* ---------------------------------------------------------------- hex */

/*
 * Splits `len` bytes of text into lines ('\n'; a '\r' before it is dropped; the final newline ends
 * the last line, so "a\nb\n" is two lines and "" is zero lines) and decodes each line's hex
 * (upper or lower case, even length) into `out`, writing offsets[0..lines] like cal_sha256_many_var.
 * `out` holds out_cap bytes (len/2 is always enough); `offsets` holds offsets_cap entries (number of
 * '\n' + 2 is enough). Returns the number of lines (>= 0), -(1 + k) where k is the 0-based index of the
 * first bad line, or INT64_MIN if a buffer is too small (the text changed under the caller, say).
 */
int64_t cal_hex_decode_lines(const void *text, size_t len, void *out, size_t out_cap, uint64_t *offsets,
                             size_t offsets_cap);

/* Counts '\n' in `len` bytes (to size the buffers above). */
uint64_t cal_count_newlines(const void *text, size_t len);

/* ---------------------------------------------------------------- Ed25519 (OpenSSL), for comparison */

/*
 * OpenSSL's Ed25519 verifier, kept so that the choice of Ed25519 implementation is made by measurement
 * (Benchmarks/MetalayerBenchmarks compares it with swift-crypto, which the metalayer uses).
 * cal_ed25519_key_new returns an opaque key for a 32-byte public key, or NULL if it is not one;
 * free it with cal_ed25519_key_free. cal_ed25519_verify returns 1 if the 64-byte signature is valid
 * for the message, 0 if not, -1 on an internal error.
 */
void *cal_ed25519_key_new(const void *public32);
void cal_ed25519_key_free(void *key);
int cal_ed25519_verify(void *key, const void *msg, size_t len, const void *sig64);

/* ---------------------------------------------------------------- timing helpers for the claims harness */

/*
 * Rate of OpenSSL's EVP SHA-256 on `len`-byte messages, measured the way `openssl speed -evp sha256
 * -bytes len` does (one EVP_DigestInit_ex/Update/Final_ex per message on a reused context) for
 * about `seconds` of the calling thread's CPU time. Returns messages per CPU-second, or -1 on failure.
 */
double cal_openssl_sha256_rate(size_t len, double seconds);

#ifdef __cplusplus
}
#endif
#endif /* CCALDERA_H */
