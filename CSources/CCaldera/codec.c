/*
 * Compression: the one zstd family (frames with parameters and dictionaries, the strict exact-size form
 * untrusted input needs, prefixes, ZDICT training), lz4 blocks, CRC-32, and the module's error codes
 * and their names. Contracts in cal_codec.h and CCaldera.h.
 */
#include "CCaldera.h"
#include "internal.h"

#include <limits.h>
#include <lz4.h>
#include <stdlib.h>
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

/* ---------------------------------------------------------------- error codes */

/* A zstd (or ZDICT) result in CCaldera's error space: sizes pass, zstd error e becomes CAL_ERR_ZSTD_BASE - e. */
static size_t zstd_result(size_t r) {
    return ZSTD_isError(r) ? CAL_SIZE_ERROR(CAL_ERR_ZSTD_BASE - (int)ZSTD_getErrorCode(r)) : r;
}

unsigned cal_is_error(size_t code) { return code >= CAL_SIZE_ERROR(CAL_ERR_MIN); }

const char *cal_error_name(size_t code) {
    if (!cal_is_error(code)) return "No error detected";
    int e = (int)(ptrdiff_t)code;
    if (e <= CAL_ERR_ZSTD_BASE) return ZSTD_getErrorString((ZSTD_ErrorCode)(CAL_ERR_ZSTD_BASE - e));
    switch (e) {
    case CAL_ERR_BACKEND: return "SHA-256 backend unknown or not available on this CPU";
    case CAL_ERR_PARAM: return "argument out of range";
    case CAL_ERR_LIBCRYPTO: return "libcrypto failed";
    case CAL_ERR_NOMEM: return "out of memory";
    case CAL_ERR_DST_TOO_SMALL: return "destination buffer too small";
    case CAL_ERR_INDEX: return "index out of range";
    case CAL_ERR_PROOF_SIZE: return "proof has the wrong number of elements";
    case CAL_ERR_ROOT_MISMATCH: return "root mismatch";
    case CAL_ERR_SIZES: return "consistency proof sizes out of order";
    case CAL_ERR_ROOT1_MISMATCH: return "old root mismatch";
    case CAL_ERR_ROOT2_MISMATCH: return "new root mismatch";
    case CAL_ERR_EMPTY_PROOF: return "empty consistency proof between different sizes";
    case CAL_ERR_NONEMPTY_PROOF: return "non-empty consistency proof between equal sizes";
    case CAL_ERR_EMPTY: return "no leaves";
    case CAL_ERR_INDICES: return "indices not strictly increasing or out of range";
    case CAL_ERR_PROOF_SHORT: return "proof too short";
    case CAL_ERR_PROOF_LONG: return "proof too long";
    case CAL_ERR_TRUNCATED: return "input ended inside a value";
    case CAL_ERR_MALFORMED: return "a value the format does not allow";
    case CAL_ERR_FRAME: return "not exactly one zstd frame of the declared size";
    case CAL_ERR_SIZE: return "the reconstruction does not have the declared length";
    case CAL_ERR_TRAILING: return "zstd: bytes after the end of the frame";
    case CAL_ERR_LIMIT: return "a declared size exceeds what the original length allows";
    case CAL_ERR_NO_CONTENT_SIZE: return "zstd: frame header does not record the content size";
    case CAL_ERR_BAD_HEX: return "not an even number of hex digits";
    case CAL_ERR_LZ4_TOO_LARGE: return "lz4: input larger than LZ4_MAX_INPUT_SIZE";
    case CAL_ERR_LZ4_DST_TOO_SMALL: return "lz4: destination buffer too small";
    case CAL_ERR_LZ4_CORRUPT: return "lz4: malformed block or size mismatch";
    case CAL_ERR_DECLINED: return "the transform does not apply to this input";
    case CAL_ERR_NOT_TX: return "not a transaction object";
    case CAL_ERR_BAD_SIGNATURE: return "signature does not verify";
    case CAL_ERR_BAD_KEY: return "secp256k1 secret key is 0 or not below the group order";
    case CAL_ERR_SIG_HIGH_S: return "signature has a high s (malleable; EIP-2 requires s <= n/2)";
    case CAL_ERR_SIG_V: return "signature's v is not 27 or 28";
    case CAL_ERR_SIG_RANGE: return "signature's r or s is 0 or not below the group order";
    default: return "unknown error";
    }
}

void cal_free(void *p) { free(p); }

/* ---------------------------------------------------------------- zstd */

size_t cal_zstd_bound(size_t src_size) { return ZSTD_compressBound(src_size); }

size_t cal_zstd_compress(void *dst, size_t dst_capacity, const void *src, size_t src_size,
                         const void *dict, size_t dict_size, cal_zstd_params params) {
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    if (!cctx) return CAL_SIZE_ERROR(CAL_ERR_NOMEM);
    size_t rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, params.level);
    if (!ZSTD_isError(rc)) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
    if (!ZSTD_isError(rc) && params.checksum) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
    if (!ZSTD_isError(rc) && params.window_log > 0) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, params.window_log);
    if (!ZSTD_isError(rc) && params.long_distance) rc = ZSTD_CCtx_setParameter(cctx, ZSTD_c_enableLongDistanceMatching, 1);
    if (!ZSTD_isError(rc) && dict && dict_size > 0) rc = ZSTD_CCtx_loadDictionary(cctx, dict, dict_size);
    if (!ZSTD_isError(rc)) rc = ZSTD_compress2(cctx, dst, dst_capacity, src, src_size);
    ZSTD_freeCCtx(cctx);
    return zstd_result(rc);
}

size_t cal_zstd_frame_content_size(const void *src, size_t src_size) {
    unsigned long long n = ZSTD_getFrameContentSize(src, src_size);
    if (n == ZSTD_CONTENTSIZE_ERROR) return CAL_SIZE_ERROR(CAL_ERR_ZSTD_BASE - ZSTD_error_prefix_unknown);
    if (n == ZSTD_CONTENTSIZE_UNKNOWN) return CAL_SIZE_ERROR(CAL_ERR_NO_CONTENT_SIZE);
    if (n > (unsigned long long)(SIZE_MAX - 2000)) return CAL_SIZE_ERROR(CAL_ERR_ZSTD_BASE - ZSTD_error_frameParameter_unsupported);
    return (size_t)n;
}

/* A decompression context with a window limit (0: zstd's default) and a dictionary (may be NULL). */
static size_t dctx_setup(ZSTD_DCtx *dctx, const void *dict, size_t dict_size, int window_log_max) {
    size_t rc = 0;
    if (window_log_max > 0) rc = ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, window_log_max);
    if (!ZSTD_isError(rc) && dict && dict_size > 0) rc = ZSTD_DCtx_loadDictionary(dctx, dict, dict_size);
    return rc;
}

size_t cal_zstd_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size,
                           const void *dict, size_t dict_size, int window_log_max) {
    /* Exactly one frame: the compressed size of the first frame must be the whole input. */
    size_t frame = ZSTD_findFrameCompressedSize(src, src_size);
    if (ZSTD_isError(frame)) return zstd_result(frame);
    if (frame != src_size) return CAL_SIZE_ERROR(CAL_ERR_TRAILING);
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) return CAL_SIZE_ERROR(CAL_ERR_NOMEM);
    size_t rc = dctx_setup(dctx, dict, dict_size, window_log_max);
    if (!ZSTD_isError(rc)) rc = ZSTD_decompressDCtx(dctx, dst, dst_capacity, src, src_size);
    ZSTD_freeDCtx(dctx);
    return zstd_result(rc);
}

int cal_zstd_exact_with(struct ZSTD_DCtx_s *dctx, void *dst, size_t expected, const void *src, size_t len, int flags) {
    /* A zstd frame (RFC 8878 §3.1.1): magic 0xFD2FB528 little-endian (so no skippable frame), then the
     * frame header descriptor, whose bit 2 is Content_Checksum_flag. */
    const uint8_t *b = (const uint8_t *)src;
    if (len < 4 || b[0] != 0x28 || b[1] != 0xB5 || b[2] != 0x2F || b[3] != 0xFD) return CAL_ERR_FRAME;
    if ((flags & CAL_ZSTD_REQUIRE_CHECKSUM) && (len < 5 || !((b[4] >> 2) & 1))) return CAL_ERR_FRAME;
    size_t frame = ZSTD_findFrameCompressedSize(src, len); /* exactly one frame, nothing after it */
    if (ZSTD_isError(frame) || frame != len) return CAL_ERR_FRAME;
    unsigned long long declared = ZSTD_getFrameContentSize(src, len);
    if (declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR || declared != (unsigned long long)expected)
        return CAL_ERR_FRAME;
    size_t r = ZSTD_decompressDCtx(dctx, dst, expected, src, len);
    return (!ZSTD_isError(r) && r == expected) ? CAL_OK : CAL_ERR_FRAME;
}

struct ZSTD_DCtx_s *cal_zstd_exact_dctx(void) {
    ZSTD_DCtx *d = ZSTD_createDCtx();
    if (d && ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax, 27))) { ZSTD_freeDCtx(d); d = NULL; }
    return d;
}

void cal_zstd_dctx_free(struct ZSTD_DCtx_s *dctx) { ZSTD_freeDCtx(dctx); }

int cal_zstd_decompress_exact(void *dst, size_t expected, const void *src, size_t src_size, int flags) {
    ZSTD_DCtx *d = cal_zstd_exact_dctx();
    if (!d) return CAL_ERR_FRAME;
    int rc = cal_zstd_exact_with(d, dst, expected, src, src_size, flags);
    ZSTD_freeDCtx(d);
    return rc;
}

size_t cal_zstd_decompress_prefix(void *dst, size_t prefix_size, const void *src, size_t src_size,
                                  const void *dict, size_t dict_size, int window_log_max) {
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx) return CAL_SIZE_ERROR(CAL_ERR_NOMEM);
    size_t rc = dctx_setup(dctx, dict, dict_size, window_log_max);
    if (!ZSTD_isError(rc)) {
        ZSTD_outBuffer out = { dst, prefix_size, 0 };
        ZSTD_inBuffer in = { src, src_size, 0 };
        while (out.pos < out.size) {
            size_t before_in = in.pos, before_out = out.pos;
            rc = ZSTD_decompressStream(dctx, &out, &in);
            if (ZSTD_isError(rc)) break;
            /* frame ended early, or no progress (truncated) */
            if ((rc == 0 && out.pos < out.size) || (in.pos == before_in && out.pos == before_out)) {
                rc = (size_t)-ZSTD_error_srcSize_wrong;
                break;
            }
        }
        if (!ZSTD_isError(rc)) rc = out.pos;
    }
    ZSTD_freeDCtx(dctx);
    return zstd_result(rc);
}

size_t cal_zdict_train(void *dict, size_t dict_capacity, const void *samples, const size_t *sample_sizes,
                       unsigned count) {
    return zstd_result(ZDICT_trainFromBuffer(dict, dict_capacity, samples, sample_sizes, count));
}

unsigned cal_zdict_id(const void *dict, size_t dict_size) { return ZDICT_getDictID(dict, dict_size); }

/* ---------------------------------------------------------------- lz4 */

size_t cal_lz4_bound(size_t src_size) {
    if (src_size > (size_t)LZ4_MAX_INPUT_SIZE) return CAL_SIZE_ERROR(CAL_ERR_LZ4_TOO_LARGE);
    return (size_t)LZ4_compressBound((int)src_size);
}

size_t cal_lz4_compress(void *dst, size_t dst_capacity, const void *src, size_t src_size, int acceleration) {
    if (src_size > (size_t)LZ4_MAX_INPUT_SIZE) return CAL_SIZE_ERROR(CAL_ERR_LZ4_TOO_LARGE);
    int cap = dst_capacity > (size_t)INT_MAX ? INT_MAX : (int)dst_capacity;
    int n = LZ4_compress_fast((const char *)src, (char *)dst, (int)src_size, cap, acceleration < 1 ? 1 : acceleration);
    if (n <= 0) return CAL_SIZE_ERROR(CAL_ERR_LZ4_DST_TOO_SMALL);
    return (size_t)n;
}

size_t cal_lz4_decompress(void *dst, size_t dst_capacity, const void *src, size_t src_size, size_t original_size) {
    if (original_size > dst_capacity) return CAL_SIZE_ERROR(CAL_ERR_LZ4_DST_TOO_SMALL);
    if (src_size > (size_t)INT_MAX || original_size > (size_t)INT_MAX) return CAL_SIZE_ERROR(CAL_ERR_LZ4_TOO_LARGE);
    int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_size, (int)original_size);
    if (n < 0 || (size_t)n != original_size) return CAL_SIZE_ERROR(CAL_ERR_LZ4_CORRUPT);
    return (size_t)n;
}

/* ---------------------------------------------------------------- CRC-32 */

uint32_t cal_crc32(const void *data, size_t len) {
    static uint32_t table[256];
    static int ready = 0;
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c; /* racing initialisers write identical values */
        }
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    const uint8_t *p = (const uint8_t *)data;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}
