/*
 * CCaldera compression: one zstd family (frames with parameters and dictionaries, exact frames for
 * untrusted input, prefixes, dictionary training), lz4 blocks, and CRC-32. Implemented in codec.c.
 * Include CCaldera.h; return conventions and CAL_ERR_* codes are stated there (size_t results are
 * tested with cal_is_error, and zstd's own errors keep zstd's names in cal_error_name).
 */
#ifndef CAL_CODEC_H
#define CAL_CODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- zstd */

/* Compression parameters. level: 1..22 (zstd's scale; out-of-range values are clamped by zstd).
 * window_log: 0 = the level's default, else 10..31 (27 = 128 MiB, as `zstd --long=27`).
 * long_distance: 1 enables long-distance matching (needed for matches beyond the level's window).
 * checksum: 1 appends zstd's content checksum (XXH64) to the frame. */
typedef struct {
    int level;
    int window_log;
    int long_distance;
    int checksum;
} cal_zstd_params;

/* Upper bound of the compressed size of `src_size` bytes (ZSTD_compressBound). Cannot fail. */
size_t cal_zstd_bound(size_t src_size);

/*
 * Compresses `src_size` bytes into one zstd frame in `dst` (capacity `dst_capacity`, which should be
 * cal_zstd_bound(src_size)), with the content size written in the frame header. When `dict` is not
 * NULL and `dict_size` > 0 the frame is compressed with that dictionary (a ZDICT-trained one or raw
 * content); the decoder must be given the same dictionary.
 * Returns the compressed size, or an error code: parameter out of range, dst too small, bad dictionary.
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

/* Flags of cal_zstd_decompress_exact. */
enum { CAL_ZSTD_REQUIRE_CHECKSUM = 1 };

/*
 * The strict form for untrusted input with a known size: `src` must be exactly one zstd frame (no
 * skippable frame, nothing after it) that declares a content size of exactly `expected` bytes and
 * delivers exactly that many into `dst` (which holds `expected` bytes); window up to 2^27, no
 * dictionary. With CAL_ZSTD_REQUIRE_CHECKSUM the frame must also carry a content checksum, which is
 * verified. Returns 0, or CAL_ERR_FRAME on any error or mismatch (dst contents are then unspecified).
 * Never writes more than `expected` bytes.
 */
int cal_zstd_decompress_exact(void *dst, size_t expected, const void *src, size_t src_size, int flags);

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

/* Upper bound of the LZ4 block size of `src_size` bytes, or CAL_ERR_LZ4_TOO_LARGE above
 * LZ4_MAX_INPUT_SIZE (~2 GB). */
size_t cal_lz4_bound(size_t src_size);

/*
 * LZ4 block compression (LZ4_compress_fast, acceleration >= 1; 1 = default). Returns the compressed
 * size (> 0), or CAL_ERR_LZ4_TOO_LARGE / CAL_ERR_LZ4_DST_TOO_SMALL.
 * The block does not record its decompressed size: the caller stores it.
 */
size_t cal_lz4_compress(void *dst, size_t dst_capacity, const void *src, size_t src_size, int acceleration);

/*
 * Decompresses an LZ4 block that must expand to exactly `original_size` bytes into `dst`
 * (capacity >= original_size). Returns original_size, or CAL_ERR_LZ4_CORRUPT on a malformed block or
 * a size mismatch (CAL_ERR_LZ4_DST_TOO_SMALL, CAL_ERR_LZ4_TOO_LARGE for impossible sizes). Safe on
 * hostile input (LZ4_decompress_safe).
 */
size_t cal_lz4_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size, size_t original_size);

/* ---------------------------------------------------------------- CRC-32 */

/*
 * CRC-32 (IEEE 802.3, reflected, as zlib's crc32). Detects every error burst of up to 32 bits, so
 * every single-byte change: Caldera uses it to make compressed encodings non-malleable (a zstd frame
 * has bits that do not affect what it decodes to).
 */
uint32_t cal_crc32(const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* CAL_CODEC_H */
