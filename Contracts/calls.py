"""Calldata for the verifier contracts: the decoded proof's fields, ABI-encoded, and the
message-only calldata of the same transaction without a proof (the overhead baseline)."""
from __future__ import annotations

from eth_abi import encode

import caldera_proof as cp
from evm import Chain, Receipt, selector
from guardians import GuardianSet
from sources import Capacity, metaproof_verifier, proof_verifier

HEADER = "(uint64,uint64,uint64,uint64,bytes32)"
SIGNATURE = "(uint256,uint256,uint256,uint256)"
ENTRY = "(uint64,uint64,bytes32,bytes32,uint64)"
PROOF_ARGS = [HEADER, "uint256", f"{SIGNATURE}[]", ENTRY, "uint256", "bytes32[]", "uint256", "bytes", "bytes32[]"]
META_ARGS = [HEADER, "uint256", f"{SIGNATURE}[]", "uint256[]", f"{ENTRY}[]", "bytes32[]", "uint256[]", "uint256[]",
             "bytes[]", "uint256[]", "bytes32[]"]
VERIFY_PROOF = selector(f"verifyProof({','.join(PROOF_ARGS)})")
VERIFY_META = selector(f"verifyMetaProof({','.join(META_ARGS)})")


def header_tuple(h: cp.Header) -> tuple:
    return (h.guardian_set_id, h.height, h.timestamp_millis, h.entry_count, h.root)


def signature_tuples(c: cp.Certificate) -> list[tuple]:
    return [(pos, int.from_bytes(s[:32], "big"), int.from_bytes(s[32:64], "big"), s[64]) for pos, s in zip(c.signers, c.signatures)]


def entry_tuple(e: cp.Entry) -> tuple:
    return (e.rollup_id, e.height, e.state_root, e.outbox_root, e.outbox_size)


def proof_calldata(p: cp.Proof, signatures: list[tuple] | None = None) -> bytes:
    sigs = signature_tuples(p.certificate) if signatures is None else signatures
    return VERIFY_PROOF + encode(PROOF_ARGS, [header_tuple(p.header), p.certificate.guardian_count, sigs, entry_tuple(p.entry),
                                              p.entry_index, p.snapshot_path, p.message_index, p.message, p.outbox_path])


def meta_calldata(m: cp.MetaProof, signatures: list[tuple] | None = None) -> bytes:
    sigs = signature_tuples(m.certificate) if signatures is None else signatures
    rs = m.rollups
    return VERIFY_META + encode(META_ARGS, [
        header_tuple(m.header), m.certificate.guardian_count, sigs,
        [r.entry_index for r in rs], [entry_tuple(r.entry) for r in rs], m.snapshot_proof,
        [len(r.messages) for r in rs], [i for r in rs for i in r.message_indices], [x for r in rs for x in r.messages],
        [len(r.outbox_proof) for r in rs], [h for r in rs for h in r.outbox_proof]])


def messages_calldata(messages: list[bytes]) -> bytes:
    """The same messages, encoded as the verifier receives them (one bytes argument, or an array of
    them), behind a 4-byte selector: what a transaction delivering them without any proof carries."""
    if len(messages) == 1:
        return VERIFY_PROOF + encode(["bytes"], [messages[0]])
    return VERIFY_META + encode(["bytes[]"], [messages])


def capacity_for(proof: cp.Proof | cp.MetaProof, guardians: int) -> Capacity:
    c = guardians
    if isinstance(proof, cp.Proof):
        return Capacity.fitting(c, len(proof.message))
    msgs = [x for r in proof.rollups for x in r.messages]
    hashes = max(len(proof.snapshot_proof), sum(len(r.outbox_proof) for r in proof.rollups), 1)
    return Capacity.fitting(c, max(len(x) for x in msgs), len(msgs), len(proof.rollups), hashes)


def deploy(chain: Chain, gs: GuardianSet, cap: Capacity, meta: bool) -> bytes:
    """The verifier for this guardian set, with `cap`'s capacities (its guardian count is the set's)."""
    assert cap.guardians == len(gs.addresses)
    source = metaproof_verifier(cap) if meta else proof_verifier(cap)
    args = encode(["uint64", f"address[{cap.guardians}]", f"uint256[{cap.guardians}]"],
                  [gs.set_id, ["0x" + a.hex() for a in gs.addresses], gs.stakes])
    return chain.deploy(source, args)


def submit(chain: Chain, verifier: bytes, proof: cp.Proof | cp.MetaProof) -> Receipt:
    data = proof_calldata(proof) if isinstance(proof, cp.Proof) else meta_calldata(proof)
    return chain.send(verifier, data)


def messages_of(proof: cp.Proof | cp.MetaProof) -> list[bytes]:
    return [proof.message] if isinstance(proof, cp.Proof) else [x for r in proof.rollups for x in r.messages]
