/*
 * CCaldera: the hot paths of Caldera, in C, behind this umbrella header.
 *
 *   cal_hash.h        SHA-256 (backends, batches), Keccak-256, Merkle levels, proofs and multiproofs,
 *                     line-per-leaf hex decoding
 *   cal_codec.h       zstd (one family: frames, exact frames, prefixes, dictionaries), lz4, CRC-32
 *   cal_chaincodec.h  the chain-aware archive transforms (RLP columns, hex columns, era1) and
 *                     JSON-RPC transaction hashes; docs/archive-codec.md
 *   cal_secp256k1.h   Ethereum-style secp256k1 signatures (sign, recover, verify) over libsecp256k1
 *
 * Return conventions, one per return type (in the manner of zstd.h):
 *   int        0 on success, or a negative CAL_ERR_* code below. The only exceptions say so in their
 *              name: cal_*_available / cal_*_uses_* answer 1 or 0, cal_sha256_backend_auto returns a
 *              backend id.
 *   size_t     a size or count, or an error code for which cal_is_error() is 1 (the same CAL_ERR_*
 *              values, converted; zstd's own errors are passed on in a range of their own).
 *              cal_error_name() names any code. Functions documented "cannot fail" never return one.
 *   pointers   NULL on failure.
 *   void, uint32_t, uint64_t, const char *   plain values: the function cannot fail.
 * Extra results (a line number, an end offset) come back through out-parameters, never through the
 * return value. Pointers to digests always point at 32 bytes. Buffers are `void *` / `const void *`
 * so Swift raw pointers pass without rebinding. Nothing allocates unless its comment says so (such
 * buffers are released with cal_free); nothing keeps a pointer after returning.
 *
 * This module imports nothing of Caldera's; Swift targets wrap it in value types. Benchmark-only C
 * (the OpenSSL SHA-256 rate) lives in the separate CCalderaBench target.
 */
#ifndef CCALDERA_H
#define CCALDERA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- error codes */

enum {
    CAL_OK = 0,
    /* arguments and environment */
    CAL_ERR_BACKEND = -1,          /* SHA-256 backend unknown or not available on this CPU */
    CAL_ERR_PARAM = -2,            /* an argument out of range (prefix > 255, n == 0, ...) */
    CAL_ERR_LIBCRYPTO = -3,        /* OpenSSL failed */
    CAL_ERR_NOMEM = -4,            /* allocation failed */
    CAL_ERR_DST_TOO_SMALL = -5,    /* an output buffer is too small (or the input changed under the caller) */
    /* Merkle proofs */
    CAL_ERR_INDEX = -10,           /* index >= size */
    CAL_ERR_PROOF_SIZE = -11,      /* proof has the wrong number of elements */
    CAL_ERR_ROOT_MISMATCH = -12,   /* recomputed root differs from the given root */
    CAL_ERR_SIZES = -13,           /* consistency: size2 < size1, or size1 == 0 */
    CAL_ERR_ROOT1_MISMATCH = -14,
    CAL_ERR_ROOT2_MISMATCH = -15,
    CAL_ERR_EMPTY_PROOF = -16,     /* consistency: sizes differ but the proof is empty */
    CAL_ERR_NONEMPTY_PROOF = -17,  /* consistency: sizes equal but the proof is not empty */
    /* multiproofs */
    CAL_ERR_EMPTY = -20,           /* n == 0 or k == 0 */
    CAL_ERR_INDICES = -21,         /* indices not strictly increasing, or >= n */
    CAL_ERR_PROOF_SHORT = -22,     /* the proof ran out of hashes */
    CAL_ERR_PROOF_LONG = -23,      /* hashes left over: the proof is not the canonical one */
    /* decoders of untrusted bytes */
    CAL_ERR_TRUNCATED = -30,       /* the input ended inside a field */
    CAL_ERR_MALFORMED = -31,       /* a value the format does not allow */
    CAL_ERR_FRAME = -32,           /* a zstd frame is not exactly one frame decoding to its declared size */
    CAL_ERR_SIZE = -33,            /* the reconstruction did not have exactly the expected bytes */
    CAL_ERR_TRAILING = -34,        /* bytes left over after the end */
    CAL_ERR_LIMIT = -35,           /* a declared size exceeds the bound the expected size allows */
    CAL_ERR_NO_CONTENT_SIZE = -36, /* zstd: the frame header does not record the content size */
    CAL_ERR_BAD_HEX = -37,         /* a line is not an even number of hex digits */
    /* lz4 */
    CAL_ERR_LZ4_TOO_LARGE = -50,   /* input larger than LZ4_MAX_INPUT_SIZE (~2 GB) */
    CAL_ERR_LZ4_DST_TOO_SMALL = -51,
    CAL_ERR_LZ4_CORRUPT = -52,     /* malformed block or size mismatch */
    /* answers that are not faults */
    CAL_ERR_DECLINED = -40,        /* the transform does not apply to this input (nothing to recompute) */
    CAL_ERR_NOT_TX = -41,          /* a well-formed JSON object that is not a transaction it can encode */
    /* signatures (cal_secp256k1.h) */
    CAL_ERR_BAD_SIGNATURE = -42,   /* a signature that does not verify: no key recovers, or another key does */
    CAL_ERR_BAD_KEY = -43,         /* a secp256k1 secret key that is 0 or >= the group order */
    CAL_ERR_SIG_HIGH_S = -44,      /* s > n/2: the malleable twin of a low-s signature (EIP-2) */
    CAL_ERR_SIG_V = -45,           /* v is not 27 or 28 */
    CAL_ERR_SIG_RANGE = -46,       /* r or s is 0 or >= the group order */
    /* zstd's own error e is reported as CAL_ERR_ZSTD_BASE - e (e < 1000) */
    CAL_ERR_ZSTD_BASE = -1000,
    CAL_ERR_MIN = -2000,
};

/* 1 if `code` (a size_t a function returned) is an error, else 0. */
unsigned cal_is_error(size_t code);

/* A static, human-readable name for an error code, given as a size_t or as an int's negative value
 * ("No error detected" for a non-error). Never NULL. */
const char *cal_error_name(size_t code);

/* Releases a buffer a function of this module allocated for the caller. NULL is allowed. */
void cal_free(void *p);

#ifdef __cplusplus
}
#endif

#include "cal_hash.h"
#include "cal_codec.h"
#include "cal_chaincodec.h"
#include "cal_secp256k1.h"

#endif /* CCALDERA_H */
