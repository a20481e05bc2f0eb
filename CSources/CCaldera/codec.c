/* Compression for the data layer: zstd (levels, long-distance matching, dictionaries), ZDICT training, lz4.
 * Contracts in CCaldera.h. */
#include "CCaldera.h"

#include <lz4.h>
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>
#include <limits.h>

/* Our own error codes, beyond zstd's: encoded like zstd's (as -code), names below. */
enum { CAL_ERR_LZ4_TOO_LARGE = 1000, CAL_ERR_LZ4_DST_TOO_SMALL, CAL_ERR_LZ4_CORRUPT, CAL_ERR_ALLOC,
       CAL_ERR_NO_CONTENT_SIZE, CAL_ERR_TRAILING };
#define CAL_ERROR(e) ((size_t) - (e))

unsigned cal_codec_is_error(size_t code) { return code > CAL_ERROR(1200) || ZSTD_isError(code) || ZDICT_isError(code); }

const char *cal_codec_error_name(size_t code) {
    switch (code) {
    case CAL_ERROR(CAL_ERR_LZ4_TOO_LARGE): return "lz4: input larger than LZ4_MAX_INPUT_SIZE";
    case CAL_ERROR(CAL_ERR_LZ4_DST_TOO_SMALL): return "lz4: destination buffer too small";
    case CAL_ERROR(CAL_ERR_LZ4_CORRUPT): return "lz4: malformed block or size mismatch";
    case CAL_ERROR(CAL_ERR_ALLOC): return "out of memory creating a codec context";
    case CAL_ERROR(CAL_ERR_NO_CONTENT_SIZE): return "zstd: frame header does not record the content size";
    case CAL_ERROR(CAL_ERR_TRAILING): return "zstd: bytes after the end of the frame";
    default: return ZSTD_getErrorName(code);
    }
}

size_t cal_zstd_bound(size_t src_size) { return ZSTD_compressBound(src_size); }

size_t cal_zstd_compress(void *dst, size_t dst_capacity, const void *src, size_t src_size,
                         const void *dict, size_t dict_size, cal_zstd_params params) {
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    if (!cctx) return CAL_ERROR(CAL_ERR_ALLOC);
    size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, params.level);
    if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
    if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    if (!ZSTD_isError(rc) && params.window_log > 0) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, params.window_log);
    if (!ZSTD_isError(rc) && params.long_distance) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);
    if (!ZSTD_isError(rc) && dict && dict_size > 0) rc = ZSTD_CCtx_loadDictionary(cctx, dict, dict_size);
    if (!ZSTD_isError(rc)) rc = ZSTD_compress2(cctx, dst, dst_capacity, src, src_size);
    ZSTD_freeCCtx(cctx);
    return rc;
}

size_t cal_zstd_frame_content_size(const void *src, size_t src_size) {
    unsigned long long n = ZSTD_getFrameContentSize(src, src_size);
    if (n == ZSTD_CONTENTSIZE_ERROR) return CAL_ERROR(ZSTD_error_prefix_unknown);
    if (n == ZSTD_CONTENTSIZE_UNKNOWN) return CAL_ERROR(CAL_ERR_NO_CONTENT_SIZE);
    if (n > (unsigned long long)(SIZE_MAX - 2000)) return CAL_ERROR(ZSTD_error_frameParameter_unsupported);
    return (size_t)n;
}

size_t cal_zstd_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size,
                           const void *dict, size_t dict_size, int window_log_max) {
    /* Exactly one frame: the compressed size of the first frame must be the whole input. */
    size_t frame = ZSTD_findFrameCompressedSize(src, src_size);
    if (ZSTD_isError(frame)) return frame;
    if (frame != src_size) return CAL_ERROR(CAL_ERR_TRAILING);
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) return CAL_ERROR(CAL_ERR_ALLOC);
    size_t rc = 0;
    if (window_log_max > 0) rc = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log_max);
    if (!ZSTD_isError(rc) && dict && dict_size > 0) rc = ZSTD_DCtx_loadDictionary(dctx, dict, dict_size);
    if (!ZSTD_isError(rc)) rc = ZSTD_decompressDCtx(dctx, dst, dst_capacity, src, src_size);
    ZSTD_freeDCtx(dctx);
    return rc;
}

size_t cal_zstd_decompress_prefix(void *dst, size_t prefix_size, const void *src, size_t src_size,
                                  const void *dict, size_t dict_size, int window_log_max) {
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) return CAL_ERROR(CAL_ERR_ALLOC);
    size_t rc = 0;
    if (window_log_max > 0) rc = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log_max);
    if (!ZSTD_isError(rc) && dict && dict_size > 0) rc = ZSTD_DCtx_loadDictionary(dctx, dict, dict_size);
    if (!ZSTD_isError(rc)) {
        ZSTD_outBuffer out = { dst, prefix_size, 0 };
        ZSTD_inBuffer in = { src, src_size, 0 };
        while (out.pos < out.size) {
            size_t before_in = in.pos, before_out = out.pos;
            rc = ZSTD_decompressStream(dctx, &out, &in);
            if (ZSTD_isError(rc)) break;
            if (rc == 0 && out.pos < out.size) { rc = CAL_ERROR(ZSTD_error_srcSize_wrong); break; } /* frame ended early */
            if (in.pos == before_in && out.pos == before_out) { rc = CAL_ERROR(ZSTD_error_srcSize_wrong); break; } /* no progress: truncated */
        }
        if (!ZSTD_isError(rc) && !(rc > CAL_ERROR(1200))) rc = out.pos;
    }
    ZSTD_freeDCtx(dctx);
    return rc;
}

size_t cal_zdict_train(void *dict, size_t dict_capacity, const void *samples, const size_t *sample_sizes,
                       unsigned count) {
    return ZDICT_trainFromBuffer(dict, dict_capacity, samples, sample_sizes, count);
}

unsigned cal_zdict_id(const void *dict, size_t dict_size) { return ZDICT_getDictID(dict, dict_size); }

size_t cal_lz4_bound(size_t src_size) {
    if (src_size > (size_t)LZ4_MAX_INPUT_SIZE) return 0;
    return (size_t)LZ4_compressBound((int)src_size);
}

size_t cal_lz4_compress(void *dst, size_t dst_capacity, const void *src, size_t src_size, int acceleration) {
    if (src_size > (size_t)LZ4_MAX_INPUT_SIZE) return CAL_ERROR(CAL_ERR_LZ4_TOO_LARGE);
    int cap = dst_capacity > (size_t)INT_MAX ? INT_MAX : (int)dst_capacity;
    int n = LZ4_compress_fast((const char *)src, (char *)dst, (int)src_size, cap, acceleration < 1 ? 1 : acceleration);
    if (n <= 0) return CAL_ERROR(CAL_ERR_LZ4_DST_TOO_SMALL);
    return (size_t)n;
}

size_t cal_lz4_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size, size_t original_size) {
    if (original_size > dst_capacity) return CAL_ERROR(CAL_ERR_LZ4_DST_TOO_SMALL);
    if (src_size > (size_t)INT_MAX || original_size > (size_t)INT_MAX) return CAL_ERROR(CAL_ERR_LZ4_TOO_LARGE);
    int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_size, (int)original_size);
    if (n < 0 || (size_t)n != original_size) return CAL_ERROR(CAL_ERR_LZ4_CORRUPT);
    return (size_t)n;
}
