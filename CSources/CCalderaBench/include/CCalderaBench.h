/*
 * CCalderaBench: C used only to measure Caldera against OpenSSL, kept out of the library products.
 * Only the benchmark executables, the claims harness (Claims) and tests depend on this target.
 * Return conventions are CCaldera.h's: int functions return 0 or a negative CAL_ERR_* code
 * (CAL_ERR_LIBCRYPTO, CAL_ERR_PARAM).
 */
#ifndef CCALDERA_BENCH_H
#define CCALDERA_BENCH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- OpenSSL SHA-256 rate (claims harness) */

/*
 * Rate of OpenSSL's EVP SHA-256 on `len`-byte messages, measured the way `openssl speed -evp sha256
 * -bytes len` does (one EVP_DigestInit_ex/Update/Final_ex per message on a reused context) for
 * about `seconds` of the calling thread's CPU time. Sets *rate to messages per CPU-second and returns 0;
 * CAL_ERR_PARAM when len > 1 MiB, CAL_ERR_LIBCRYPTO when libcrypto fails (*rate untouched).
 */
int cal_openssl_sha256_rate(size_t len, double seconds, double *rate);

#ifdef __cplusplus
}
#endif
#endif /* CCALDERA_BENCH_H */
