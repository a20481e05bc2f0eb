/* OpenSSL's SHA-256 rate, in process, for the claims harness (see CCalderaBench.h). */
#include "CCalderaBench.h"
#include "CCaldera.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <time.h>

/* CPU seconds of the calling thread: `openssl speed` counts CPU time too, so rates stay comparable
 * when other processes share the machine. */
static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cal_openssl_sha256_rate(size_t len, double seconds, double *rate) {
    if (len > 1 << 20) return CAL_ERR_PARAM;
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL); /* fetched once, as the library's OpenSSL backend does */
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t *buf = OPENSSL_zalloc(len ? len : 1);
    if (!md || !ctx || !buf) {
        OPENSSL_free(buf);
        EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
        return CAL_ERR_LIBCRYPTO;
    }
    uint8_t out[32];
    unsigned int outlen;
    uint64_t n = 0;
    double start = now_seconds(), now = start;
    while (now - start < seconds) {
        for (int i = 0; i < 4096; i++) {
            EVP_DigestInit_ex(ctx, md, NULL);
            EVP_DigestUpdate(ctx, buf, len);
            EVP_DigestFinal_ex(ctx, out, &outlen);
            buf[0] ^= out[0]; /* a dependency, so nothing is hoisted */
        }
        n += 4096;
        now = now_seconds();
    }
    OPENSSL_free(buf);
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    *rate = (double)n / (now - start);
    return CAL_OK;
}
