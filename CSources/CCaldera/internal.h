/* Private helpers shared by the C files of CCaldera; not part of the public header. */
#ifndef CCALDERA_INTERNAL_H
#define CCALDERA_INTERNAL_H
#include <time.h>

/* CPU seconds of the calling thread, for the measurement helpers only: `openssl speed` counts CPU
 * time too, so rates stay comparable when other processes share the machine. */
static inline double cal_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
#endif
