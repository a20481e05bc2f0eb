# Shared part of Caldera's verifier contracts: the guardian set (immutables, fixed at deployment) and the
# checks docs/proof-format.md gives for a quorum certificate and for RFC 6962 trees. The harness
# (Contracts/sources.py) prepends the deployment's capacity constants (N_GUARDIANS, MAX_...) and
# appends the entry point (proof.vy or metaproof.vy): Vyper allocates memory for a value's maximum size,
# so capacities are fixed per deployment rather than at the format's limits.

# "caldera/snapshot/v2" and one zero byte: the 20-byte tag of the 84-byte signing message.
SIGNING_TAG: constant(bytes20) = 0x63616c646572612f736e617073686f742f763200
COMMITMENT_TAG: constant(Bytes[27]) = b"caldera/state-commitment/v1"
# secp256k1 group order n (0xffff…fffebaaedce6af48a03bbfd25e8cd0364141) and n/2 rounded down
# (0x7fff…ff5d576e7357a4501ddfe92f46681b20a0): the largest s a low-s (EIP-2) signature may have.
SECP256K1_N: constant(uint256) = 115792089237316195423570985008687907852837564279074904382605163141518161494337
SECP256K1_HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168
MIN_MESSAGE_BYTES: constant(uint256) = 56    # source, destination, nonce, sender, recipient
MAX_TREE_DEPTH: constant(uint256) = 64

struct Header:
    guardianSetId: uint64
    height: uint64
    timestampMillis: uint64
    entryCount: uint64
    root: bytes32

# One certificate signature and the guardian position its bitmap bit names.
struct Signature:
    position: uint256
    r: uint256
    s: uint256
    v: uint256

struct Entry:
    rollupId: uint64
    height: uint64
    stateRoot: bytes32
    outboxRoot: bytes32
    outboxSize: uint64

SET_ID: public(immutable(uint64))
GUARDIANS: public(immutable(address[N_GUARDIANS]))
STAKES: public(immutable(uint256[N_GUARDIANS]))
TOTAL_STAKE: public(immutable(uint256))


@deploy
def __init__(set_id: uint64, guardians: address[N_GUARDIANS], stakes: uint256[N_GUARDIANS]):
    total: uint256 = 0
    for i: uint256 in range(N_GUARDIANS):
        # ecrecover returns the zero address for garbage: it must never be a guardian.
        assert guardians[i] != empty(address), "zero address"
        total += stakes[i]
    assert total < 2**128, "total stake exceeds 128 bits"
    SET_ID = set_id
    GUARDIANS = guardians
    STAKES = stakes
    TOTAL_STAKE = total


@internal
@pure
def _node(left: bytes32, right: bytes32) -> bytes32:
    return sha256(concat(b"\x01", left, right))


@internal
@pure
def _entry_leaf(e: Entry) -> bytes32:
    commitment: bytes32 = sha256(concat(COMMITMENT_TAG, convert(e.rollupId, bytes8), convert(e.height, bytes8),
                                        e.stateRoot, e.outboxRoot, convert(e.outboxSize, bytes8)))
    return sha256(concat(b"\x00", convert(e.rollupId, bytes8), convert(e.height, bytes8), commitment))


@internal
@pure
def _message_source(message: Bytes[MAX_MESSAGE_BYTES]) -> uint64:
    assert len(message) >= MIN_MESSAGE_BYTES, "message shorter than its fixed fields"
    return convert(convert(slice(message, 0, 8), bytes8), uint64)


@internal
@view
def _check_certificate(h: Header, guardian_count: uint256, signatures: DynArray[Signature, N_GUARDIANS]):
    assert h.guardianSetId == SET_ID, "snapshot signed by another guardian set"
    assert guardian_count == N_GUARDIANS, "certificate is for another number of guardians"
    digest: bytes32 = keccak256(concat(SIGNING_TAG, convert(h.guardianSetId, bytes8), convert(h.height, bytes8),
                                       convert(h.timestampMillis, bytes8), convert(h.entryCount, bytes8), h.root))
    signed: uint256 = 0
    next_position: uint256 = 0   # positions strictly increase: no guardian counts twice
    for sig: Signature in signatures:
        assert sig.position >= next_position, "signers not in increasing guardian order"
        assert sig.position < N_GUARDIANS, "signer outside the set"
        assert sig.v == 27 or sig.v == 28, "v must be 27 or 28"
        assert sig.r >= 1 and sig.r < SECP256K1_N, "r out of range"
        # ecrecover accepts high s: EIP-2's low-s rule is checked here.
        assert sig.s >= 1 and sig.s <= SECP256K1_HALF_N, "s not low"
        assert ecrecover(digest, sig.v, sig.r, sig.s) == GUARDIANS[sig.position], "wrong signer"
        signed += STAKES[sig.position]
        next_position = sig.position + 1
    assert 3 * signed > 2 * TOTAL_STAKE, "signers hold at most two thirds of the stake"


# RFC 9162 section 2.1.3.2: the root an inclusion path leads to from leaf `index` of a tree of `size`.
@internal
@pure
def _path_root(index: uint256, size: uint256, leaf: bytes32, path: DynArray[bytes32, MAX_TREE_DEPTH]) -> bytes32:
    assert index < size, "index outside the tree"
    fn: uint256 = index
    sn: uint256 = size - 1
    r: bytes32 = leaf
    for p: bytes32 in path:
        assert sn != 0, "path too long"
        if fn & 1 == 1 or fn == sn:
            r = self._node(p, r)
            if fn & 1 == 0:
                for _: uint256 in range(MAX_TREE_DEPTH):
                    if fn & 1 == 1 or fn == 0:
                        break
                    fn >>= 1
                    sn >>= 1
        else:
            r = self._node(r, p)
        fn >>= 1
        sn >>= 1
    assert sn == 0, "path too short"
    return r
