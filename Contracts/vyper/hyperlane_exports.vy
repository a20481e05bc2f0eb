
# Test-only exports of hyperlane_lib.vy, so the vectors check the port's primitives on the EVM.
@external
@pure
def messageId(message: Bytes[MAX_MESSAGE_BYTES]) -> bytes32:
    return keccak256(message)


@external
@pure
def domainHash(origin: uint32, hook: bytes32) -> bytes32:
    return self._domain_hash(origin, hook)


@external
@pure
def branchRoot(item: bytes32, branch: bytes32[HYPERLANE_TREE_DEPTH], index: uint256) -> bytes32:
    return self._branch_root(item, branch, index)


@external
@pure
def checkpointDigest(origin: uint32, hook: bytes32, root: bytes32, index: uint32, message_id: bytes32) -> bytes32:
    return self._checkpoint_digest(origin, hook, root, index, message_id)


@external
@pure
def recover(digest: bytes32, r: uint256, s: uint256, v: uint256) -> address:
    return self._recover(digest, r, s, v)
