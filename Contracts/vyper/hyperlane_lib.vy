# Hyperlane's message and checkpoint primitives, ported from hyperlane-monorepo's Solidity (Message.sol,
# MerkleLib.branchRoot, CheckpointLib / LegacyCheckpointLib.domainHash, OpenZeppelin ECDSA.recover) for the
# baseline ISM (hyperlane_multisig_ism.vy). Cross-checked against Hyperlane's published vectors
# (../shared/vectors/hyperlane) by Contracts/tests/test_hyperlane.py.

HYPERLANE_TREE_DEPTH: constant(uint256) = 32
SECP256K1_HALF_N: constant(uint256) = 57896044618658097711785492504343953926418782139537452191302581570759080747168


# Message.origin: bytes 5..9 of the packed message (version u8, nonce u32, origin u32, sender, ...).
@internal
@pure
def _message_origin(message: Bytes[MAX_MESSAGE_BYTES]) -> uint32:
    return convert(convert(slice(message, 5, 4), bytes4), uint32)


@internal
@pure
def _domain_hash(origin: uint32, hook: bytes32) -> bytes32:
    return keccak256(concat(convert(origin, bytes4), hook, b"HYPERLANE"))


# MerkleLib.branchRoot: a 32-level keccak branch; bit i of the index says which side the sibling is on.
@internal
@pure
def _branch_root(item: bytes32, branch: bytes32[HYPERLANE_TREE_DEPTH], index: uint256) -> bytes32:
    current: bytes32 = item
    for i: uint256 in range(HYPERLANE_TREE_DEPTH):
        if (index >> i) & 1 == 1:
            current = keccak256(concat(branch[i], current))
        else:
            current = keccak256(concat(current, branch[i]))
    return current


# CheckpointLib.digest: the EIP-191 "\x19Ethereum Signed Message:\n32" hash of
# keccak256(domainHash ‖ root ‖ uint32 index ‖ messageId).
@internal
@pure
def _checkpoint_digest(origin: uint32, hook: bytes32, root: bytes32, index: uint32, message_id: bytes32) -> bytes32:
    inner: bytes32 = keccak256(concat(self._domain_hash(origin, hook), root, convert(index, bytes4), message_id))
    return keccak256(concat(b"\x19Ethereum Signed Message:\n32", inner))


# OpenZeppelin ECDSA.recover(hash, 65-byte signature): low s, v 27 or 28, a non-zero signer.
@internal
@pure
def _recover(digest: bytes32, r: uint256, s: uint256, v: uint256) -> address:
    assert s <= SECP256K1_HALF_N, "ECDSA: invalid signature 's' value"
    assert v == 27 or v == 28, "ECDSA: invalid signature 'v' value"
    signer: address = ecrecover(digest, v, r, s)
    assert signer != empty(address), "ECDSA: invalid signature"
    return signer
