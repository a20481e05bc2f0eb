/*
 * CCaldera secp256k1: Ethereum-style ECDSA recoverable signatures over 32-byte digests, through Debian's
 * libsecp256k1 (with its recovery module). Include CCaldera.h; return conventions and CAL_ERR_* codes
 * are stated there. docs/proof-format.md specifies how guardian certificates use these.
 *
 * Formats, as Ethereum's ecrecover takes them:
 *   secret key  32 bytes big-endian, 0 < k < n (n = the group order)
 *   public key  65 bytes, uncompressed: 0x04 ‖ x ‖ y
 *   address     20 bytes: the last 20 bytes of keccak256(x ‖ y)
 *   signature   65 bytes r ‖ s ‖ v: r and s 32 bytes big-endian, v = 27 + recovery id (27 or 28)
 *
 * Signing is deterministic (RFC 6979 nonces) and always low-s (EIP-2: s ≤ n/2). Recovery refuses
 * what ecrecover-based verifiers must refuse, each with its own code: s > n/2 (the malleable twin of
 * a valid signature), v not 27 or 28, r or s equal to 0 or ≥ n, and an r that is no point's x.
 *
 * One context serves every call: created and randomized (side-channel blinding, from getrandom) on
 * first use, then only read, which libsecp256k1 allows from any number of threads.
 */
#ifndef CAL_SECP256K1_H
#define CAL_SECP256K1_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0 if `seckey32` is a valid secret key, else CAL_ERR_BAD_KEY. */
int cal_secp256k1_seckey_check(const void *seckey32);

/* The uncompressed public key (65 bytes) and the address (20 bytes) of a secret key. Either output may
 * be NULL. CAL_ERR_BAD_KEY for an invalid key (outputs untouched). */
int cal_secp256k1_public_key(const void *seckey32, void *pubkey65, void *address20);

/* Signs a 32-byte digest as r ‖ s ‖ v (65 bytes, low-s, v ∈ {27, 28}). CAL_ERR_BAD_KEY for an invalid key. */
int cal_secp256k1_sign(const void *seckey32, const void *digest32, void *sig65);

/* The key that signed `digest32`, as ecrecover finds it, with the checks above: CAL_ERR_SIG_V,
 * CAL_ERR_SIG_RANGE, CAL_ERR_SIG_HIGH_S, or CAL_ERR_BAD_SIGNATURE when no key recovers. Either
 * output may be NULL. */
int cal_secp256k1_recover(const void *digest32, const void *sig65, void *pubkey65, void *address20);

/* 0 if `sig65` over `digest32` recovers to `address20`; CAL_ERR_BAD_SIGNATURE if it recovers another
 * address; otherwise cal_secp256k1_recover's code. */
int cal_secp256k1_verify(const void *digest32, const void *sig65, const void *address20);

#ifdef __cplusplus
}
#endif
#endif /* CAL_SECP256K1_H */
