
# Entry point for an individual cross-chain proof (docs/proof-format.md, "Individual proof").
@external
@view
def verifyProof(header: Header, guardianCount: uint256, signatures: DynArray[Signature, N_GUARDIANS], entry: Entry,
                entryIndex: uint256, snapshotPath: DynArray[bytes32, MAX_TREE_DEPTH], messageIndex: uint256,
                message: Bytes[MAX_MESSAGE_BYTES], outboxPath: DynArray[bytes32, MAX_TREE_DEPTH]) -> bool:
    assert self._message_source(message) == entry.rollupId, "message comes from another rollup"
    leaf: bytes32 = sha256(concat(b"\x00", message))
    assert self._path_root(messageIndex, convert(entry.outboxSize, uint256), leaf, outboxPath) == entry.outboxRoot, "message not in the outbox"
    assert self._path_root(entryIndex, convert(header.entryCount, uint256), self._entry_leaf(entry), snapshotPath) == header.root, "entry not in the snapshot"
    self._check_certificate(header, guardianCount, signatures)
    return True
