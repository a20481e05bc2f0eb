# Measurement contract for docs/proof-format.md's BLS section (not a Caldera format: guardians sign with
# secp256k1): verify one BLS12-381 aggregate signature (public keys in G1, signature in G2, the
# IETF "minimal-pubkey-size" scheme) with the EIP-2537 precompiles. Points use EIP-2537's encoding
# (G1: 128 bytes, G2: 256 bytes, Fp2: 128 bytes). hash-to-field (expand_message_xmd) is done by the
# caller and passed as u0, u1; the contract maps both to G2 and adds them (hash_to_curve's map and
# cofactor clearing), aggregates the signers' keys with G1ADD, and runs a two-pair pairing check
# e(pk, H(m)) · e(−g1, σ) = 1. The guardians' public keys are immutables (in the code, as a verifier
# deployed per guardian set would hold them), four 32-byte words each; a call names its signers.

G1ADD: constant(address) = 0x000000000000000000000000000000000000000b
G2ADD: constant(address) = 0x000000000000000000000000000000000000000d
PAIRING: constant(address) = 0x000000000000000000000000000000000000000F
MAP_FP2_TO_G2: constant(address) = 0x0000000000000000000000000000000000000011


PUBKEY_WORDS: immutable(bytes32[4 * N_KEYS])
NEG_G1: immutable(Bytes[128])


@deploy
def __init__(pubkey_words: bytes32[4 * N_KEYS], neg_g1: Bytes[128]):
    PUBKEY_WORDS = pubkey_words
    NEG_G1 = neg_g1


@internal
@view
def _pubkey(i: uint256) -> Bytes[128]:
    return concat(PUBKEY_WORDS[4 * i], PUBKEY_WORDS[4 * i + 1], PUBKEY_WORDS[4 * i + 2], PUBKEY_WORDS[4 * i + 3])


@external
@view
def verifyAggregate(signers: DynArray[uint256, N_KEYS], u0: Bytes[128], u1: Bytes[128], signature: Bytes[256]) -> bool:
    assert len(signers) >= 1, "no signers"
    pk: Bytes[128] = self._pubkey(signers[0])
    for i: uint256 in range(1, len(signers), bound=N_KEYS):
        assert signers[i] > signers[i - 1] and signers[i] < N_KEYS, "signers must increase within the set"
        pk = raw_call(G1ADD, concat(pk, self._pubkey(signers[i])), max_outsize=128, is_static_call=True)
    q0: Bytes[256] = raw_call(MAP_FP2_TO_G2, u0, max_outsize=256, is_static_call=True)
    q1: Bytes[256] = raw_call(MAP_FP2_TO_G2, u1, max_outsize=256, is_static_call=True)
    h: Bytes[256] = raw_call(G2ADD, concat(q0, q1), max_outsize=256, is_static_call=True)
    ok: Bytes[32] = raw_call(PAIRING, concat(pk, h, NEG_G1, signature), max_outsize=32, is_static_call=True)
    assert convert(ok, uint256) == 1, "pairing check failed"
    return True
