#!/usr/bin/env python3
"""Gas of cross-chain verification on py-evm (Prague), from transaction receipts, in one run:
N individual Caldera proofs (N transactions), one meta-proof of the same N messages (one transaction), and
N Hyperlane MerkleRootMultisigIsm verifications (N transactions, the baseline), for N messages drawn
contiguously or at random, with 4, 21 and 100 guardians (Hyperlane: as many validators, and as many
signatures as our certificate carries, at the same positions).

    python3 Contracts/gas.py [--ns 1,8,64,256,1024] [--guardians 4,21,100] [--localities contiguous,random] [--json]

Overhead per message = (receipt gas − gas of the same transactions carrying only the messages) / N; the
message-only transaction carries the messages exactly as the verifier's calldata encodes them, to an
address without code (21,000 + calldata). Proofs come from the real CLI (`caldera proof generate`,
`compress`; $CALDERA_BIN or .build/debug/caldera). --json prints one JSON object with every figure."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eth_abi import encode  # noqa: E402
from eth_hash.auto import keccak  # noqa: E402
from eth_keys import keys  # noqa: E402

import caldera_proof as cp  # noqa: E402
import calls  # noqa: E402
import guardians  # noqa: E402
import hyperlane as hl  # noqa: E402
import workload  # noqa: E402
from evm import Chain, calldata_gas, selector  # noqa: E402
from sources import Capacity, hyperlane_ism  # noqa: E402

NO_CODE = bytes(19) + b"\xca"
HYPERLANE_VERIFY = selector("verify(bytes,bytes)")
HOOK = bytes(12) + b"\x22" * 20


def message_only_gas(data: bytes) -> int:
    """Receipt gas of a transaction carrying `data` to an address without code: 21,000 + calldata
    (EIP-7623: max of the standard cost and the floor; with no execution the floor applies)."""
    standard, floor = calldata_gas(data)
    return 21_000 + max(standard, floor)


@lru_cache(maxsize=None)
def validator_keys(n: int) -> tuple:
    return tuple(keys.PrivateKey(keccak(b"hyperlane-validator" + i.to_bytes(4, "big"))) for i in range(n))


def hyperlane_deliveries(messages: list[bytes], origins: list[int], signer_positions: list[int], n: int) -> list[tuple[bytes, bytes]]:
    """(metadata, message) per message: one Hyperlane merkle tree and one signed checkpoint per origin."""
    ks = validator_keys(n)
    by_origin: dict[int, list[bytes]] = {}
    for m, o in zip(messages, origins):
        src = int.from_bytes(m[0:8], "big")
        hm = hl.message(int.from_bytes(m[16:24], "big") & 0xFFFFFFFF, o & 0xFFFFFFFF, m[24:44],
                        int.from_bytes(m[8:16], "big") & 0xFFFFFFFF, m[44:64], m[64:])
        by_origin.setdefault(src, []).append(hm)
    out = []
    for hms in by_origin.values():
        tree = hl.Tree([keccak(x) for x in hms])
        signed = len(hms) - 1
        origin = int.from_bytes(hms[0][5:9], "big")
        digest = hl.checkpoint_digest(origin, HOOK, tree.root, signed, keccak(hms[signed]))
        sigs = [hl.sign(digest, ks[p]) for p in signer_positions]
        for i, x in enumerate(hms):
            out.append((hl.metadata(HOOK, i, keccak(hms[signed]), tree.branch(i), signed, sigs), x))
    return out


def deploy_hyperlane(chain: Chain, n: int, t: int, message_bytes: int) -> bytes:
    ks = validator_keys(n)
    args = encode([f"address[{n}]", "uint256"], [[k.public_key.to_checksum_address() for k in ks], t])
    return chain.deploy(hyperlane_ism(n, message_bytes), args)


def measure(binary: Path, n: int, g: int, locality: str, seed: int, work: Path) -> dict:
    d = work / f"g{g}-{locality}-n{n}"
    proof_files = workload.generate(binary, d, batch=n, guardians=g, locality=locality, seed=seed)
    meta_file = workload.compress(binary, proof_files, d / "meta.bin")
    gs = guardians.parse((d / "guardians.json").read_bytes())
    proofs = [cp.decode(f.read_bytes()) for f in proof_files]
    meta = cp.decode(meta_file.read_bytes())
    chain = Chain()
    messages = [p.message for p in proofs]

    # N individual proofs
    cap = Capacity.fitting(g, max(len(m) for m in messages))
    v1 = calls.deploy(chain, gs, cap, meta=False)
    ind_gas = ind_base = ind_calldata = 0
    for p in proofs:
        r = calls.submit(chain, v1, p)
        if not r.success:
            raise RuntimeError(f"individual proof reverted: {r.error}")
        ind_gas += r.gas_used
        ind_calldata += r.calldata_bytes
        ind_base += message_only_gas(calls.messages_calldata([p.message]))

    # one meta-proof
    mcap = calls.capacity_for(meta, g)
    v2 = calls.deploy(chain, gs, mcap, meta=True)
    r = calls.submit(chain, v2, meta)
    if not r.success:
        raise RuntimeError(f"meta-proof reverted: {r.error}")
    meta_gas, meta_calldata = r.gas_used, r.calldata_bytes
    meta_msgs = calls.messages_of(meta)
    meta_base_receipt = chain.send(NO_CODE, calls.messages_calldata(meta_msgs))
    meta_base = meta_base_receipt.gas_used

    # N Hyperlane verifications, as many signatures as our certificate, at the same positions
    signers = meta.certificate.signers
    deliveries = hyperlane_deliveries(messages, [p.entry.rollup_id for p in proofs], signers, g)
    ism = deploy_hyperlane(chain, g, len(signers), max(len(x) for _, x in deliveries))
    hl_gas = hl_base = hl_calldata = 0
    for md, x in deliveries:
        data = HYPERLANE_VERIFY + encode(["bytes", "bytes"], [md, x])
        rr = chain.send(ism, data)
        if not rr.success:
            raise RuntimeError(f"Hyperlane verify reverted: {rr.error}")
        hl_gas += rr.gas_used
        hl_calldata += len(data)
        hl_base += message_only_gas(HYPERLANE_VERIFY + encode(["bytes"], [x]))

    def per(total: int, base: int) -> int:
        return (2 * (total - base) + n) // (2 * n)

    return {
        "guardians": g, "locality": locality, "messages": n, "signatures": len(signers),
        "rollups": len(meta.rollups),
        "individual": {"gas": ind_gas, "overheadPerMessage": per(ind_gas, ind_base), "calldataBytes": ind_calldata},
        "meta": {"gas": meta_gas, "overheadPerMessage": per(meta_gas, meta_base), "calldataBytes": meta_calldata,
                 "fileBytes": len(meta_file.read_bytes()),
                 "capacity": {"messages": mcap.messages, "messageBytes": mcap.message_bytes, "rollups": mcap.rollups, "proofHashes": mcap.proof_hashes}},
        "hyperlane": {"gas": hl_gas, "overheadPerMessage": per(hl_gas, hl_base), "calldataBytes": hl_calldata},
        "metaSavingVsHyperlanePercent": round(100 * (hl_gas - meta_gas) / hl_gas, 1),
    }


def hyperlane_published() -> list[dict]:
    """Our port at Hyperlane's published points (t-of-n), next to hyperlane-monorepo
    solidity/gas/StaticMultisigIsm.json (commit 8aa65721) "verify"."""
    published = {(1, 1): 64_624, (10, 10): 122_912, (18, 18): 216_906, (1, 10): 71_189, (1, 18): 106_686, (9, 18): 157_799}
    rows = []
    for (t, n), pub in published.items():
        chain = Chain()
        ism = deploy_hyperlane(chain, n, t, 200)
        msg = bytes(56) + b"\x01" * 76    # a 132-byte message shape, as in the runs
        (md, x), = hyperlane_deliveries([b"\x00" * 7 + b"\x01" + msg[8:]], [1], list(range(t)), n)
        data = HYPERLANE_VERIFY + encode(["bytes", "bytes"], [md, x])
        r = chain.send(ism, data)
        standard, floor = calldata_gas(data)
        execution = r.gas_used - 21_000 - standard
        rows.append({"validators": n, "threshold": t, "published": pub, "receiptGas": r.gas_used,
                     "executionGas": execution, "calldataBytes": len(data), "floorApplies": floor > standard + execution,
                     "receiptVsPublishedPercent": round(100 * (r.gas_used - pub) / pub, 1)})
    return rows


def summarize(rows: list[dict], published: list[dict], seed: int) -> dict:
    goal_row = next((r for r in rows if r["guardians"] == 21 and r["locality"] == "contiguous" and r["messages"] == 256), None)
    from_8 = [r for r in rows if r["messages"] >= 8]
    return {
        "conditions": "py-evm 0.12.1b1 PragueVM (EIP-7623 floor), Vyper 0.4.3, receipts of signed transactions; "
                      f"caldera proof generate defaults (16 rollups x 1024 messages, 132-byte messages), seed {seed}",
        "rows": rows,
        "hyperlanePublished": published,
        "goals": {
            "metaOverheadAt256Contiguous21": goal_row and goal_row["meta"]["overheadPerMessage"],
            "metaOverheadGoal": 5000,
            "metaOverheadGoalMet": bool(goal_row) and goal_row["meta"]["overheadPerMessage"] <= 5000,
            "minSavingVsHyperlaneFromN8Percent": min((r["metaSavingVsHyperlanePercent"] for r in from_8), default=None),
            "savingGoalPercent": 75,
            "savingGoalMet": bool(from_8) and all(r["metaSavingVsHyperlanePercent"] >= 75 for r in from_8),
        },
    }


def markdown(result: dict) -> str:
    """The docs' tables (docs/benchmarks.md, docs/proof-format.md) from a --json result."""
    out = ["| guardians (signatures) | locality | N | N individual proofs: gas (overhead/msg) | one meta-proof: gas (overhead/msg) | N Hyperlane verifications: gas (overhead/msg) | meta-proof vs Hyperlane |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for r in result["rows"]:
        cell = lambda k: f"{r[k]['gas']:,} ({r[k]['overheadPerMessage']:,})"
        out.append(f"| {r['guardians']} ({r['signatures']}) | {r['locality']} | {r['messages']:,} | {cell('individual')} | {cell('meta')} | "
                   f"{cell('hyperlane')} | {r['metaSavingVsHyperlanePercent']:.1f}% less |")
    out += ["", "| Hyperlane port, t-of-n | published `verify` | port: receipt gas | difference | port: execution only |", "|---|---:|---:|---:|---:|"]
    for p in result["hyperlanePublished"]:
        out.append(f"| {p['threshold']}-of-{p['validators']} | {p['published']:,} | {p['receiptGas']:,} | {p['receiptVsPublishedPercent']:+.1f}% | {p['executionGas']:,} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ns", default="1,8,64,256,1024")
    ap.add_argument("--guardians", default="4,21,100")
    ap.add_argument("--localities", default="contiguous,random")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--markdown", metavar="RESULT.json", help="print the tables of a saved --json result as Markdown, and exit")
    ap.add_argument("--merge", nargs="+", metavar="RESULT.json", help="print one --json result made of several runs' rows (run in parallel), and exit")
    args = ap.parse_args(argv)
    if args.merge:
        parts = [json.loads(Path(f).read_text()) for f in args.merge]
        print(json.dumps(summarize([r for p in parts for r in p["rows"]], parts[0]["hyperlanePublished"], args.seed)))
        return 0
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())))
        return 0
    binary = workload.caldera_binary()
    if binary is None:
        print("error: no caldera binary: run `swift build` first (or set CALDERA_BIN)", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="caldera-gas-") as tmp:
        for g in map(int, args.guardians.split(",")):
            for loc in args.localities.split(","):
                for n in map(int, args.ns.split(",")):
                    row = measure(binary, n, g, loc, args.seed, Path(tmp))
                    rows.append(row)
                    # with --json the progress lines go to stderr
                    print(f"g={g:3d} {loc:10s} N={n:5d} sigs={row['signatures']:3d} | individual {row['individual']['gas']:>11,} "
                          f"({row['individual']['overheadPerMessage']:>7,}/msg) | meta {row['meta']['gas']:>10,} "
                          f"({row['meta']['overheadPerMessage']:>6,}/msg) | hyperlane {row['hyperlane']['gas']:>11,} "
                          f"({row['hyperlane']['overheadPerMessage']:>7,}/msg) | meta saves {row['metaSavingVsHyperlanePercent']}%",
                          file=sys.stderr if args.json else sys.stdout, flush=True)
    result = summarize(rows, hyperlane_published(), args.seed)
    if args.json:
        print(json.dumps(result))
    else:
        for p in result["hyperlanePublished"]:
            print(f"Hyperlane port {p['threshold']}-of-{p['validators']}: receipt {p['receiptGas']:,} (execution {p['executionGas']:,}), "
                  f"published {p['published']:,} ({p['receiptVsPublishedPercent']:+}%)")
        print("goals:", json.dumps(result["goals"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
