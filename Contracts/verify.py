#!/usr/bin/env python3
"""Verify a Caldera proof on a real EVM: deploy the verifier contract for the guardian set on a fresh
py-evm chain (Prague rules) and submit the proof in one signed transaction.

    python3 Contracts/verify.py PROOF_FILE --guardians GUARDIANS.json [--json]

Exit 0 when the transaction succeeds, 1 when it reverts, 2 when the input is unreadable (not a version-2
proof or guardian set, a decoding error, a file that cannot be read). The proof is decoded off-chain by
the strict decoder (caldera_proof.py; a zstd meta-proof is decompressed there) and its fields are sent
ABI-encoded: `calldataBytes` is that transaction's calldata, which is what the chain charges for.
`overheadPerMessage` is (gasUsed − gas of the same transaction carrying only the messages) / messages."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import caldera_proof as cp  # noqa: E402
import calls  # noqa: E402
import guardians  # noqa: E402
from evm import Chain  # noqa: E402

# Where the message-only transaction goes: an address without code, so it pays only base and calldata.
NO_CODE = bytes(19) + b"\xca"


def measure(proof: cp.Proof | cp.MetaProof, gs: guardians.GuardianSet) -> dict:
    chain = Chain()
    verifier = calls.deploy(chain, gs, calls.capacity_for(proof, len(gs.addresses)), isinstance(proof, cp.MetaProof))
    receipt = calls.submit(chain, verifier, proof)
    messages = calls.messages_of(proof)
    baseline = chain.send(NO_CODE, calls.messages_calldata(messages))
    n = len(messages)
    overhead = receipt.gas_used - baseline.gas_used
    return {"success": receipt.success, "error": receipt.error, "gasUsed": receipt.gas_used, "messages": n,
            "calldataBytes": receipt.calldata_bytes, "overheadPerMessage": (2 * overhead + n) // (2 * n)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("proof", metavar="PROOF_FILE")
    ap.add_argument("--guardians", required=True, metavar="GUARDIANS.json")
    ap.add_argument("--json", action="store_true", help="print {gasUsed, messages, calldataBytes, overheadPerMessage}")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        raw = Path(args.proof).read_bytes()
        proof = cp.decode(raw)
        gs = guardians.parse(Path(args.guardians).read_bytes())
    except OSError as e:
        print(f"error: {e.filename}: {e.strerror}", file=sys.stderr)
        return 2
    except cp.DecodeError as e:
        print(f"error: {args.proof}: {e}", file=sys.stderr)
        return 2
    except guardians.GuardianSetError as e:
        print(f"error: {args.guardians}: {e}", file=sys.stderr)
        return 2
    r = measure(proof, gs)
    if args.json:
        print(json.dumps({k: r[k] for k in ("gasUsed", "messages", "calldataBytes", "overheadPerMessage")}))
    else:
        kind = "meta-proof" if isinstance(proof, cp.MetaProof) else "proof"
        verdict = "verified on py-evm (Prague)" if r["success"] else f"reverted: {r['error']}"
        print(f"{kind}: {verdict}\ngas used {r['gasUsed']}, {r['messages']} message(s), calldata {r['calldataBytes']} bytes "
              f"(file {len(raw)} bytes), overhead {r['overheadPerMessage']} gas per message")
    if not r["success"] and args.json:
        print(f"reverted: {r['error']}", file=sys.stderr)
    return 0 if r["success"] else 1


if __name__ == "__main__":
    sys.exit(main())
