/* Private helpers shared by the C files of CCaldera; not part of the public header. */
#ifndef CCALDERA_INTERNAL_H
#define CCALDERA_INTERNAL_H
#include <time.h>

/* Monotonic seconds, for the measurement helpers only. */
static inline double cal_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
#endif
