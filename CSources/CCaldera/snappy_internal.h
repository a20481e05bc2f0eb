/* Internal to CCaldera: snappy framing for the era1 transforms (snappy.c, used by era1.c). */
#ifndef CCALDERA_SNAPPY_INTERNAL_H
#define CCALDERA_SNAPPY_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
/* cal_snappy_frame_bound and cal_snappy_frame_encode are public (cal_chaincodec.h). */
/* Decodes a framed stream (compressed and uncompressed chunks only, CRCs checked) into dst (cap
 * bytes); returns the decoded length, or CAL_ERR_MALFORMED as a size_t (test with cal_is_error). */
size_t cal_snappy_frame_decode(const void *src, size_t len, void *dst, size_t cap);
#endif
