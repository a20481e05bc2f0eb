
# Hyperlane's MerkleRootMultisigIsm.verify (AbstractMerkleRootMultisigIsm.digest + AbstractMultisig.verify),
# ported as the baseline. Metadata layout (MerkleRootMultisigIsmMetadata):
#   [0:32] origin merkle tree hook, [32:36] message index, [36:68] signed checkpoint message id,
#   [68:1092] 32-level merkle proof, [1092:1096] signed checkpoint index, [1096:] threshold × 65-byte signatures.
# Hyperlane's StaticMultisigIsm reads validators and threshold from immutable args appended to a
# MetaProxy's code; here they are Vyper immutables (also code), one deployment per validator set.

VALIDATORS: public(immutable(address[N_VALIDATORS]))
THRESHOLD: public(immutable(uint256))


@deploy
def __init__(validators: address[N_VALIDATORS], threshold: uint256):
    assert threshold >= 1 and threshold <= N_VALIDATORS, "threshold"
    VALIDATORS = validators
    THRESHOLD = threshold


@external
@view
def verify(_metadata: Bytes[MAX_METADATA_BYTES], _message: Bytes[MAX_MESSAGE_BYTES]) -> bool:
    message_index: uint32 = convert(convert(slice(_metadata, 32, 4), bytes4), uint32)
    signed_index: uint32 = convert(convert(slice(_metadata, 1092, 4), bytes4), uint32)
    assert message_index <= signed_index, "Invalid merkle index metadata"
    branch: bytes32[HYPERLANE_TREE_DEPTH] = empty(bytes32[HYPERLANE_TREE_DEPTH])
    for i: uint256 in range(HYPERLANE_TREE_DEPTH):
        branch[i] = extract32(_metadata, 68 + 32 * i)
    signed_root: bytes32 = self._branch_root(keccak256(_message), branch, convert(message_index, uint256))
    digest: bytes32 = self._checkpoint_digest(self._message_origin(_message), extract32(_metadata, 0), signed_root,
                                              signed_index, extract32(_metadata, 36))
    validator_index: uint256 = 0
    # Signatures are ordered by validator: each one must match a later validator than the previous one.
    for i: uint256 in range(THRESHOLD, bound=N_VALIDATORS):
        start: uint256 = 1096 + 65 * i
        assert start + 65 <= len(_metadata), "signature out of range"
        signer: address = self._recover(digest, convert(extract32(_metadata, start), uint256),
                                        convert(extract32(_metadata, start + 32), uint256),
                                        convert(slice(_metadata, start + 64, 1), uint256))
        for _: uint256 in range(N_VALIDATORS):
            if validator_index >= N_VALIDATORS or signer == VALIDATORS[validator_index]:
                break
            validator_index += 1
        assert validator_index < N_VALIDATORS, "!threshold"
        validator_index += 1
    return True
