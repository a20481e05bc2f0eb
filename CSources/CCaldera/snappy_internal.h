/* Internal to CChainCodec: snappy framing for era1 entries (snappy.c). */
#ifndef CCHAINCODEC_SNAPPY_INTERNAL_H
#define CCHAINCODEC_SNAPPY_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
/* Upper bound of cal_snappy_frame_encode's output for len bytes. */
size_t cal_snappy_frame_bound(size_t len);
/* Framed snappy exactly as golang/snappy's buffered Writer writes it (empty input gives 0 bytes). */
size_t cal_snappy_frame_encode(const void *src, size_t len, void *dst);
/* Decodes a framed stream (compressed and uncompressed chunks only, CRCs checked) into dst (cap
 * bytes); returns the decoded length or -1. */
long cal_snappy_frame_decode(const void *src, size_t len, void *dst, size_t cap);
#endif
