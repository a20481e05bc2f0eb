/* zstd one-shot helpers with the checks untrusted input needs (exact declared size, checksum). */
#include "CCaldera.h"

#include <zstd.h>

int cal_zstd_decompress_exact(const void *src, size_t len, void *dst, size_t expected) {
    unsigned long long declared = ZSTD_getFrameContentSize(src, len);
    if (declared == ZSTD_CONTENTSIZE_ERROR || declared == ZSTD_CONTENTSIZE_UNKNOWN || declared != expected) return -1;
    /* A zstd frame (RFC 8878 §3.1.1): magic 0xFD2FB528 little-endian, then the frame header descriptor,
     * whose bit 2 is Content_Checksum_flag. The checksum is required. */
    const uint8_t *b = (const uint8_t *)src;
    if (len < 5 || b[0] != 0x28 || b[1] != 0xB5 || b[2] != 0x2F || b[3] != 0xFD || !((b[4] >> 2) & 1)) return -1;
    /* exactly one frame, nothing after it */
    size_t frame = ZSTD_findFrameCompressedSize(src, len);
    if (ZSTD_isError(frame) || frame != len) return -1;
    size_t r = ZSTD_decompress(dst, expected, src, len);
    if (ZSTD_isError(r) || r != expected) return -1;
    return 0;
}

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
