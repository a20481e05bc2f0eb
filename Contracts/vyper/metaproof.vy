
# Entry point for a meta-proof (docs/proof-format.md, "Meta-proof"): one certificate, a multiproof over the
# snapshot for the rollups' entries and one multiproof per rollup over its outbox. The variable-length
# parts are flattened: rollup r owns the next messageCounts[r] messages and indices and the next
# outboxProofCounts[r] hashes of outboxProofs.
@external
@view
def verifyMetaProof(header: Header, guardianCount: uint256, signatures: DynArray[Signature, N_GUARDIANS],
                    entryIndices: DynArray[uint256, MAX_ROLLUPS], entries: DynArray[Entry, MAX_ROLLUPS],
                    snapshotProof: DynArray[bytes32, MAX_PROOF_HASHES],
                    messageCounts: DynArray[uint256, MAX_ROLLUPS], messageIndices: DynArray[uint256, MAX_MESSAGES],
                    messages: DynArray[Bytes[MAX_MESSAGE_BYTES], MAX_MESSAGES],
                    outboxProofCounts: DynArray[uint256, MAX_ROLLUPS], outboxProofs: DynArray[bytes32, MAX_PROOF_HASHES]) -> bool:
    rollups: uint256 = len(entries)
    assert rollups >= 1, "no rollups"
    assert len(entryIndices) == rollups and len(messageCounts) == rollups and len(outboxProofCounts) == rollups, "rollup arrays differ in length"
    assert len(messageIndices) == len(messages), "one index per message"
    first_message: uint256 = 0
    first_hash: uint256 = 0
    leaves: DynArray[bytes32, MAX_MESSAGES] = []
    indices: DynArray[uint256, MAX_MESSAGES] = []
    entry_leaves: DynArray[bytes32, MAX_MESSAGES] = []
    for r: uint256 in range(rollups, bound=MAX_ROLLUPS):
        e: Entry = entries[r]
        count: uint256 = messageCounts[r]
        assert count >= 1, "a rollup without messages"
        assert first_message + count <= len(messages), "message counts exceed the messages"
        leaves = []
        indices = []
        for i: uint256 in range(first_message, first_message + count, bound=MAX_MESSAGES):
            assert self._message_source(messages[i]) == e.rollupId, "message comes from another rollup"
            leaves.append(sha256(concat(b"\x00", messages[i])))
            indices.append(messageIndices[i])
        root: bytes32 = self._multiproof_root(convert(e.outboxSize, uint256), indices, leaves, outboxProofs, first_hash, outboxProofCounts[r])
        assert root == e.outboxRoot, "messages do not lead to their outbox root"
        first_message += count
        first_hash += outboxProofCounts[r]
        entry_leaves.append(self._entry_leaf(e))
    assert first_message == len(messages), "messages not claimed by any rollup"
    assert first_hash == len(outboxProofs), "outbox hashes not claimed by any rollup"
    snapshot_root: bytes32 = self._multiproof_root(convert(header.entryCount, uint256), entryIndices, entry_leaves, snapshotProof, 0, len(snapshotProof))
    assert snapshot_root == header.root, "entries do not lead to the signed snapshot root"
    self._check_certificate(header, guardianCount, signatures)
    return True


# The root k known leaves (strictly increasing positions) and proof[first:first+count] lead to in an
# RFC 6962 tree of `size` leaves, walked level by level as docs/proof-format.md ("Multiproofs") gives it.
# The proof must be consumed exactly. Works in place: parents overwrite the level's known nodes.
@internal
@pure
def _multiproof_root(size: uint256, positions: DynArray[uint256, MAX_MESSAGES], nodes: DynArray[bytes32, MAX_MESSAGES],
                     proof: DynArray[bytes32, MAX_PROOF_HASHES], first: uint256, count: uint256) -> bytes32:
    known: uint256 = len(positions)
    assert known >= 1 and size >= 1, "no leaves, or an empty tree"
    assert first + count <= len(proof), "proof range outside the hashes"
    for i: uint256 in range(1, known, bound=MAX_MESSAGES):
        assert positions[i - 1] < positions[i], "leaf positions must strictly increase"
    assert positions[known - 1] < size, "leaf position outside the tree"
    idx: DynArray[uint256, MAX_MESSAGES] = positions
    hs: DynArray[bytes32, MAX_MESSAGES] = nodes
    p: uint256 = first
    end: uint256 = first + count
    level_size: uint256 = size
    for _: uint256 in range(MAX_TREE_DEPTH + 1):
        if level_size <= 1:
            break
        i: uint256 = 0
        j: uint256 = 0
        for _k: uint256 in range(known, bound=MAX_MESSAGES):
            if i >= known:
                break
            x: uint256 = idx[i]
            h: bytes32 = hs[i]
            if x & 1 == 0:
                if x + 1 < level_size:
                    if i + 1 < known and idx[i + 1] == x + 1:
                        h = self._node(h, hs[i + 1])
                        i += 2
                    else:
                        assert p < end, "multiproof has too few hashes"
                        h = self._node(h, proof[p])
                        p += 1
                        i += 1
                else:
                    i += 1   # lone last node of an odd level: promoted unchanged
            else:
                assert p < end, "multiproof has too few hashes"
                h = self._node(proof[p], h)
                p += 1
                i += 1
            idx[j] = x >> 1
            hs[j] = h
            j += 1
        known = j
        level_size = (level_size + 1) >> 1
    assert p == end, "multiproof has more hashes than the canonical one"
    return hs[0]
