/* Private helpers shared by the C files of CCaldera; not part of the public header. */
#ifndef CCALDERA_INTERNAL_H
#define CCALDERA_INTERNAL_H
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* A growable byte buffer (the codec's columns and the RLP it rebuilds). An allocation failure sets oom
 * and makes every later reserve fail, so callers check once at the end. */
typedef struct {
    uint8_t *p;
    size_t n, cap;
    int oom;
} buf_t;

static inline int buf_reserve(buf_t *b, size_t extra) {
    if (b->oom) return -1;
    if (b->cap - b->n >= extra) return 0;
    size_t ncap = b->cap ? b->cap : 256;
    while (ncap - b->n < extra) {
        if (ncap > SIZE_MAX / 2) { b->oom = 1; return -1; }
        ncap *= 2;
    }
    uint8_t *np = (uint8_t *)realloc(b->p, ncap);
    if (!np) { b->oom = 1; return -1; }
    b->p = np;
    b->cap = ncap;
    return 0;
}

/* CPU seconds of the calling thread, for the measurement helpers only: `openssl speed` counts CPU
 * time too, so rates stay comparable when other processes share the machine. */
static inline double cal_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
#endif
