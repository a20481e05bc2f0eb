/* OpenSSL Ed25519 verification, for measuring against swift-crypto (see CCalderaBench.h). */
#include "CCalderaBench.h"
#include "CCaldera.h"

#include <openssl/evp.h>

void *cal_ed25519_key_new(const void *public32) {
    return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, (const unsigned char *)public32, 32);
}

void cal_ed25519_key_free(void *key) { EVP_PKEY_free((EVP_PKEY *)key); }

int cal_ed25519_verify(void *key, const void *msg, size_t len, const void *sig64) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return CAL_ERR_LIBCRYPTO;
    int r = CAL_ERR_LIBCRYPTO;
    if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, (EVP_PKEY *)key) == 1)
        r = EVP_DigestVerify(ctx, (const unsigned char *)sig64, 64, (const unsigned char *)msg, len) == 1 ? CAL_OK
                                                                                                         : CAL_ERR_BAD_SIGNATURE;
    EVP_MD_CTX_free(ctx);
    return r;
}
