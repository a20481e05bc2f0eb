"""Hyperlane's side of the baseline, off-chain: message encoding and id, the 32-level keccak incremental
Merkle tree (its branches), checkpoint digests, and MerkleRootMultisigIsm metadata signed by t validators."""
from __future__ import annotations

from eth_hash.auto import keccak
from eth_keys import keys

TREE_DEPTH = 32
VERSION = 3
ZERO_HASHES = [bytes(32)]
for _ in range(TREE_DEPTH):
    ZERO_HASHES.append(keccak(ZERO_HASHES[-1] + ZERO_HASHES[-1]))


def message(nonce: int, origin: int, sender: bytes, destination: int, recipient: bytes, body: bytes, version: int = VERSION) -> bytes:
    """Message.formatMessage: version u8, nonce u32, origin u32, sender bytes32, destination u32, recipient bytes32, body."""
    return (bytes([version]) + nonce.to_bytes(4, "big") + origin.to_bytes(4, "big") + sender.rjust(32, b"\0")
            + destination.to_bytes(4, "big") + recipient.rjust(32, b"\0") + body)


def domain_hash(origin: int, hook: bytes) -> bytes:
    return keccak(origin.to_bytes(4, "big") + hook + b"HYPERLANE")


def checkpoint_digest(origin: int, hook: bytes, root: bytes, index: int, message_id: bytes) -> bytes:
    inner = keccak(domain_hash(origin, hook) + root + index.to_bytes(4, "big") + message_id)
    return keccak(b"\x19Ethereum Signed Message:\n32" + inner)


def branch_root(item: bytes, branch: list[bytes], index: int) -> bytes:
    cur = item
    for i, sib in enumerate(branch):
        cur = keccak(sib + cur) if index >> i & 1 else keccak(cur + sib)
    return cur


class Tree:
    """The incremental Merkle tree of MerkleTreeHook over `leaves`, with every level kept for branches."""

    def __init__(self, leaves: list[bytes]):
        self.levels = [list(leaves)]
        for d in range(TREE_DEPTH):
            cur = self.levels[-1]
            self.levels.append([keccak(cur[i] + (cur[i + 1] if i + 1 < len(cur) else ZERO_HASHES[d])) for i in range(0, len(cur), 2)])

    @property
    def root(self) -> bytes:
        return self.levels[-1][0] if self.levels[-1] else ZERO_HASHES[TREE_DEPTH]

    def branch(self, index: int) -> list[bytes]:
        out = []
        for d in range(TREE_DEPTH):
            s = (index >> d) ^ 1
            level = self.levels[d]
            out.append(level[s] if s < len(level) else ZERO_HASHES[d])
        return out


def sign(digest: bytes, key: keys.PrivateKey) -> bytes:
    """r ‖ s ‖ v with v 27 or 28 (eth-keys signs low-s)."""
    sig = key.sign_msg_hash(digest)
    return sig.r.to_bytes(32, "big") + sig.s.to_bytes(32, "big") + bytes([27 + sig.v])


def metadata(hook: bytes, message_index: int, signed_message_id: bytes, branch: list[bytes], signed_index: int, signatures: list[bytes]) -> bytes:
    """MerkleRootMultisigIsmMetadata: hook, message index, signed message id, proof, signed index, signatures."""
    return hook + message_index.to_bytes(4, "big") + signed_message_id + b"".join(branch) + signed_index.to_bytes(4, "big") + b"".join(signatures)
