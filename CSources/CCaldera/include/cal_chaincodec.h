/*
 * CCaldera chain-aware archive transforms (docs/archive-codec.md): RLP header columns (transform 2,
 * rlpcol.c), hex columns of JSON/hex text (transforms 3 and 5, hexcol.c), era1 files (transforms 4 and
 * 6, era1.c), and JSON-RPC transaction hashes (txhash.c). Include CCaldera.h; return conventions and
 * CAL_ERR_* codes are stated there.
 *
 * Every transform has the same four entry points:
 *   encode        int: on success 0, *out a malloc'd buffer of *out_len bytes (release with cal_free);
 *                 on failure a negative code and *out NULL. column_sizes, if not NULL, receives each
 *                 column's stored size (for measurements). Every input is encodable; errors are
 *                 CAL_ERR_NOMEM (and CAL_ERR_DECLINED for transform 5).
 *   decode        int: exactly `expected` bytes to dst (which holds `expected`), or CAL_ERR_TRUNCATED,
 *                 CAL_ERR_MALFORMED, CAL_ERR_FRAME, CAL_ERR_SIZE, CAL_ERR_TRAILING, CAL_ERR_LIMIT,
 *                 CAL_ERR_NOMEM on any input the format does not allow. Never writes past dst+expected;
 *                 allocates working memory bounded by a small multiple of `expected` + len and frees it.
 *                 The caller verifies the result against the container's SHA-256.
 *   column_sizes  int: fills the stored sizes of the payload's columns without decompressing.
 *   a recogniser  size_t count that cannot fail.
 */
#ifndef CAL_CHAINCODEC_H
#define CAL_CHAINCODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- RLP columns (transform 2) */

enum { CAL_RLPCOL_MAX_FIELDS = 24, CAL_RLPCOL_COLUMNS = 2 + 2 * CAL_RLPCOL_MAX_FIELDS };

/*
 * Number of leading top-level RLP items (at most `max_items` are examined) that are canonically
 * encoded lists of 1..CAL_RLPCOL_MAX_FIELDS canonically encoded byte strings whose first string is
 * 32 bytes long: the shape of an Ethereum block header. Stops at the first item that is not.
 * Used to recognise header streams; cannot fail.
 */
size_t cal_rlpcol_header_prefix(const void *src, size_t len, size_t max_items);

/*
 * Any byte string as a stream of RLP items split into columns. Items that are canonical lists of
 * canonical strings are split field by field; any other item is kept literally, and bytes after the
 * last parseable item form a literal tail. Each column is compressed with zstd at `level` or stored
 * raw, whichever is smaller. CAL_RLPCOL_COLUMNS columns.
 */
int cal_rlpcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);

/* Parent hashes stored as "recompute" are recomputed with Keccak-256. */
int cal_rlpcol_decode(const void *src, size_t len, void *dst, size_t expected);
int cal_rlpcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

/* Stable name of column i ("item-kinds", "literals", "f00-parentHash-ctrl", "f03-stateRoot-data", ...);
 * "?" if out of range. */
const char *cal_rlpcol_column_name(int i);

/* ---------------------------------------------------------------- hex columns (transforms 3 and 5) */

/*
 * Text with hex values (JSON-RPC and beacon JSON, CSV exports, hex dumps): the text without its hex
 * values (the skeleton) and the values as binary, in columns by shape (quantity, 32-byte, 20-byte,
 * other) and by the JSON key they follow. Text with no hex values is all skeleton.
 * Transform 5 adds "recompute" markers: the hash of every JSON-RPC transaction object whose stored hash
 * equals the Keccak-256 of its signed encoding is stored as a one-byte token and recomputed on decode;
 * one more column (each marker's distance back to its object's '{'). Its encoder returns
 * CAL_ERR_DECLINED (and no output) when the text has no recomputable transaction hash, so the caller
 * uses transform 3 instead; its decoder's work is linear in `expected`.
 */
enum { CAL_HEXCOL_COLUMNS = 2 + 4 * 32, CAL_HEXCOL2_COLUMNS = CAL_HEXCOL_COLUMNS + 1 };

/* Number of "0x"-prefixed lowercase hex values that start at a word boundary (recogniser). */
size_t cal_hexcol_count_values(const void *src, size_t len);

int cal_hexcol_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);
int cal_hexcol_decode(const void *src, size_t len, void *dst, size_t expected);
int cal_hexcol_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

int cal_hexcol2_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);
int cal_hexcol2_decode(const void *src, size_t len, void *dst, size_t expected);
int cal_hexcol2_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

/* Number of transaction hashes transform 5 would recompute in the text (for measurements; 0 when out
 * of memory). */
size_t cal_hexcol2_count_recomputable(const void *src, size_t len);

/*
 * Transaction hash of the JSON object starting at text[start] == '{' (a JSON-RPC transaction: legacy,
 * EIP-2930, EIP-1559, EIP-4844 or EIP-7702, fields as geth prints them): Keccak-256 of the signed
 * encoding rebuilt from the object's fields, ignoring the value of its "hash" member. Returns 0 and
 * sets *obj_end (index after the closing brace), *hash_at (index of the "0x" of the "hash" value) and
 * out32; CAL_ERR_NOT_TX when the object is well formed but not a transaction it can encode (*obj_end
 * set); CAL_ERR_MALFORMED when no object parses at start. Reads only text[start .. len).
 */
int cal_json_tx_hash(const void *text, size_t len, size_t start, size_t *obj_end, size_t *hash_at, void *out32);

/* ---------------------------------------------------------------- era1 (transforms 4 and 6) */

/*
 * era1 files (e2store entries; headers, bodies and receipts snappy-framed): entries that re-encode
 * exactly with golang/snappy's encoder (reimplemented in snappy.c, no libsnappy) are stored as their
 * RLP — headers through transform 2 — and total difficulties and the block index are recomputed; any
 * other entry or trailing bytes are literals. CAL_ERA1_COLUMNS columns in both transforms.
 * era1-columns/2 (transform 6, cal_era1v2_*): transform 4 where each header's ommersHash may be
 * recomputed as the Keccak-256 of the uncle list of the body paired with it, and uncle parent hashes
 * that are recent canonical block hashes are stored as zeros and restored.
 */
enum { CAL_ERA1_COLUMNS = 6 };

/* Number of complete e2store entries at the start of src (recogniser). */
size_t cal_era1_entry_count(const void *src, size_t len);

int cal_era1_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);
int cal_era1_decode(const void *src, size_t len, void *dst, size_t expected);
int cal_era1v2_encode(const void *src, size_t len, int level, void **out, size_t *out_len, uint64_t *column_sizes);
int cal_era1v2_decode(const void *src, size_t len, void *dst, size_t expected);

/* Stored sizes of the CAL_ERA1_COLUMNS columns of a transform-4 or transform-6 payload. */
int cal_era1_column_sizes(const void *src, size_t len, uint64_t *column_sizes);

/* Upper bound of cal_snappy_frame_encode's output for len bytes. */
size_t cal_snappy_frame_bound(size_t len);
/* Framed snappy exactly as golang/snappy's buffered Writer writes it (what go-ethereum puts in era1
 * entries; empty input gives 0 bytes); the encoded size (cannot fail; dst holds cal_snappy_frame_bound(len)). */
size_t cal_snappy_frame_encode(const void *src, size_t len, void *dst);

#ifdef __cplusplus
}
#endif
#endif /* CAL_CHAINCODEC_H */
