/* Internal to CCaldera: snappy framing for the era1 transforms (snappy.c, used by era1.c). */
#ifndef CCALDERA_SNAPPY_INTERNAL_H
#define CCALDERA_SNAPPY_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
/* Upper bound of cal_snappy_frame_encode's output for len bytes. */
size_t cal_snappy_frame_bound(size_t len);
/* Framed snappy exactly as golang/snappy's buffered Writer writes it (empty input gives 0 bytes); the
 * encoded size (cannot fail; dst holds cal_snappy_frame_bound(len)). */
size_t cal_snappy_frame_encode(const void *src, size_t len, void *dst);
/* Decodes a framed stream (compressed and uncompressed chunks only, CRCs checked) into dst (cap
 * bytes); returns the decoded length, or CAL_ERR_MALFORMED as a size_t (test with cal_is_error). */
size_t cal_snappy_frame_decode(const void *src, size_t len, void *dst, size_t cap);
#endif
