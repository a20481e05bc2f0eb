/* Ethereum-style secp256k1 signatures over libsecp256k1 (see cal_secp256k1.h). */
#include "CCaldera.h"

#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>
#include <sys/random.h>

/* The group order n and n/2 (rounded down), big-endian: bounds for r, s and secret keys. */
static const unsigned char ORDER[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
static const unsigned char HALF_ORDER[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

static secp256k1_context *ctx;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void ctx_create(void) {
    secp256k1_context *c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    unsigned char seed[32];
    /* Blinding only hardens against side channels; without entropy the results are still correct. */
    if (getrandom(seed, sizeof seed, 0) == (ssize_t)sizeof seed) (void)secp256k1_context_randomize(c, seed);
    memset(seed, 0, sizeof seed);
    ctx = c;
}

static const secp256k1_context *context(void) {
    pthread_once(&ctx_once, ctx_create);
    return ctx;
}

static int is_zero(const unsigned char *x) {
    unsigned char acc = 0;
    for (int i = 0; i < 32; i++) acc |= x[i];
    return acc == 0;
}

/* Big-endian comparison of two 32-byte numbers: < 0, 0, > 0. Only used on public values. */
static int compare(const unsigned char *a, const unsigned char *b) { return memcmp(a, b, 32); }

static void address_of(const secp256k1_pubkey *pk, unsigned char *pub65, void *address20) {
    size_t len = 65;
    secp256k1_ec_pubkey_serialize(context(), pub65, &len, pk, SECP256K1_EC_UNCOMPRESSED);
    if (address20) {
        unsigned char h[32];
        cal_keccak256(pub65 + 1, 64, h);
        memcpy(address20, h + 12, 20);
    }
}

int cal_secp256k1_seckey_check(const void *seckey32) {
    return secp256k1_ec_seckey_verify(context(), seckey32) ? CAL_OK : CAL_ERR_BAD_KEY;
}

int cal_secp256k1_public_key(const void *seckey32, void *pubkey65, void *address20) {
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(context(), &pk, seckey32)) return CAL_ERR_BAD_KEY;
    unsigned char pub[65];
    address_of(&pk, pub, address20);
    if (pubkey65) memcpy(pubkey65, pub, 65);
    return CAL_OK;
}

int cal_secp256k1_sign(const void *seckey32, const void *digest32, void *sig65) {
    secp256k1_ecdsa_recoverable_signature sig;
    /* NULL nonce function: RFC 6979. libsecp256k1 always returns the low-s form (and the matching id). */
    if (!secp256k1_ecdsa_sign_recoverable(context(), &sig, digest32, seckey32, NULL, NULL)) return CAL_ERR_BAD_KEY;
    int recid = 0;
    unsigned char *out = sig65;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out, &recid, &sig);
    out[64] = (unsigned char)(27 + recid);
    return CAL_OK;
}

int cal_secp256k1_recover(const void *digest32, const void *sig65, void *pubkey65, void *address20) {
    const unsigned char *in = sig65;
    const unsigned char *r = in, *s = in + 32;
    if (in[64] != 27 && in[64] != 28) return CAL_ERR_SIG_V;
    if (is_zero(r) || is_zero(s) || compare(r, ORDER) >= 0 || compare(s, ORDER) >= 0) return CAL_ERR_SIG_RANGE;
    if (compare(s, HALF_ORDER) > 0) return CAL_ERR_SIG_HIGH_S;
    secp256k1_ecdsa_recoverable_signature sig;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, in, in[64] - 27)) return CAL_ERR_SIG_RANGE;
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(context(), &pk, &sig, digest32)) return CAL_ERR_BAD_SIGNATURE;
    unsigned char pub[65];
    address_of(&pk, pub, address20);
    if (pubkey65) memcpy(pubkey65, pub, 65);
    return CAL_OK;
}

int cal_secp256k1_verify(const void *digest32, const void *sig65, const void *address20) {
    unsigned char got[20];
    int rc = cal_secp256k1_recover(digest32, sig65, NULL, got);
    if (rc != CAL_OK) return rc;
    return memcmp(got, address20, 20) == 0 ? CAL_OK : CAL_ERR_BAD_SIGNATURE;
}
