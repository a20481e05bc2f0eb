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
    """(metadata, message) per message, in the given order: our messages as Hyperlane messages (nonce,
    origin, sender, destination, recipient, payload as body), one Hyperlane merkle tree and one signed
    checkpoint per origin."""
    ks = validator_keys(n)
    by_origin: dict[int, list[int]] = {}
    hms = []
    for k, (m, o) in enumerate(zip(messages, origins)):
        hms.append(hl.message(int.from_bytes(m[16:24], "big") & 0xFFFFFFFF, o & 0xFFFFFFFF, m[24:44],
                              int.from_bytes(m[8:16], "big") & 0xFFFFFFFF, m[44:64], m[64:]))
        by_origin.setdefault(o, []).append(k)
    out: list[tuple[bytes, bytes]] = [(b"", b"")] * len(hms)
    for o, members in by_origin.items():
        tree = hl.Tree([keccak(hms[k]) for k in members])
        signed = len(members) - 1
        signed_id = keccak(hms[members[signed]])
        digest = hl.checkpoint_digest(o & 0xFFFFFFFF, HOOK, tree.root, signed, signed_id)
        sigs = [hl.sign(digest, ks[p]) for p in signer_positions]
        for i, k in enumerate(members):
            out[k] = (hl.metadata(HOOK, i, signed_id, tree.branch(i), signed, sigs), hms[k])
    return out


def deploy_hyperlane(chain: Chain, n: int, t: int, message_bytes: int) -> bytes:
    ks = validator_keys(n)
    args = encode([f"address[{n}]", "uint256"], [[k.public_key.to_checksum_address() for k in ks], t])
    return chain.deploy(hyperlane_ism(n, message_bytes), args)


class Series:
    """One guardian count and locality: one draw of max(N) proofs from `caldera proof generate`; a batch of
    N is the draw's first N proofs (as proof-curves takes them). Each individual proof and each Hyperlane
    delivery is its own transaction, sent once and summed into every batch that contains it; each batch's
    meta-proof (`caldera proof compress` of its N files) is one transaction."""

    def __init__(self, binary: Path, g: int, locality: str, seed: int, draw: int, work: Path):
        self.binary, self.g, self.locality = binary, g, locality
        self.dir = work / f"g{g}-{locality}"
        self.files = workload.generate(binary, self.dir, batch=draw, guardians=g, locality=locality, seed=seed)
        self.gs = guardians.parse((self.dir / "guardians.json").read_bytes())
        self.proofs = [cp.decode(f.read_bytes()) for f in self.files]
        self.signers = self.proofs[0].certificate.signers
        self.chain = Chain()
        messages = [p.message for p in self.proofs]
        self.individual = calls.deploy(self.chain, self.gs, Capacity.fitting(g, max(len(m) for m in messages)), meta=False)
        self.deliveries = hyperlane_deliveries(messages, [p.entry.rollup_id for p in self.proofs], self.signers, g)
        self.ism = deploy_hyperlane(self.chain, g, len(self.signers), max(len(x) for _, x in self.deliveries))
        self.sent: list[tuple[int, int, int, int, int, int]] = []   # per proof: gas, base, calldata; Hyperlane the same

    def _send_up_to(self, n: int) -> None:
        for p, (md, x) in zip(self.proofs[len(self.sent):n], self.deliveries[len(self.sent):n]):
            r = calls.submit(self.chain, self.individual, p)
            if not r.success:
                raise RuntimeError(f"individual proof reverted: {r.error}")
            data = HYPERLANE_VERIFY + encode(["bytes", "bytes"], [md, x])
            h = self.chain.send(self.ism, data)
            if not h.success:
                raise RuntimeError(f"Hyperlane verify reverted: {h.error}")
            self.sent.append((r.gas_used, message_only_gas(calls.messages_calldata([p.message])), r.calldata_bytes,
                              h.gas_used, message_only_gas(HYPERLANE_VERIFY + encode(["bytes"], [x])), len(data)))

    def measure(self, n: int) -> dict:
        self._send_up_to(n)
        ind_gas, ind_base, ind_calldata, hl_gas, hl_base, hl_calldata = (sum(col) for col in zip(*self.sent[:n]))
        meta_file = workload.compress(self.binary, self.files[:n], self.dir / f"meta-{n}.bin")
        meta = cp.decode(meta_file.read_bytes())
        mcap = calls.capacity_for(meta, self.g)
        verifier = calls.deploy(self.chain, self.gs, mcap, meta=True)
        r = calls.submit(self.chain, verifier, meta)
        if not r.success:
            raise RuntimeError(f"meta-proof reverted: {r.error}")
        meta_base = self.chain.send(NO_CODE, calls.messages_calldata(calls.messages_of(meta))).gas_used

        def per(total: int, base: int) -> int:
            return (2 * (total - base) + n) // (2 * n)

        return {
            "guardians": self.g, "locality": self.locality, "messages": n, "signatures": len(self.signers),
            "rollups": len(meta.rollups),
            "individual": {"gas": ind_gas, "overheadPerMessage": per(ind_gas, ind_base), "calldataBytes": ind_calldata},
            "meta": {"gas": r.gas_used, "overheadPerMessage": per(r.gas_used, meta_base), "calldataBytes": r.calldata_bytes,
                     "fileBytes": meta_file.stat().st_size,
                     "capacity": {"messages": mcap.messages, "messageBytes": mcap.message_bytes, "rollups": mcap.rollups, "proofHashes": mcap.proof_hashes}},
            "hyperlane": {"gas": hl_gas, "overheadPerMessage": per(hl_gas, hl_base), "calldataBytes": hl_calldata},
            "metaSavingVsHyperlanePercent": round(100 * (hl_gas - r.gas_used) / hl_gas, 1),
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


def overhead_saving(row: dict) -> float:
    """Meta-proof vs Hyperlane on verification overhead alone: without the 21,000 base per transaction and
    the messages' own calldata, i.e. against Hyperlane deliveries batched into one transaction (multicall)."""
    m, h = row["meta"]["overheadPerMessage"], row["hyperlane"]["overheadPerMessage"]
    return round(100 * (h - m) / h, 1)


def markdown(result: dict) -> str:
    """The docs' tables (docs/benchmarks.md, docs/proof-format.md) from a --json result."""
    out = ["| guardians (signatures) | locality | N | N individual proofs: gas (overhead/msg) | one meta-proof: gas (overhead/msg) | N Hyperlane verifications: gas (overhead/msg) | meta-proof vs Hyperlane: total | overhead only |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    def less(pct: float) -> str:
        return f"{pct:.1f}% less" if pct >= 0 else f"{-pct:.1f}% more"

    order = {"contiguous": 0, "random": 1}
    for r in sorted(result["rows"], key=lambda r: (r["guardians"], order.get(r["locality"], 2), r["messages"])):
        cell = lambda k: f"{r[k]['gas']:,} ({r[k]['overheadPerMessage']:,})"
        out.append(f"| {r['guardians']} ({r['signatures']}) | {r['locality']} | {r['messages']:,} | {cell('individual')} | {cell('meta')} | "
                   f"{cell('hyperlane')} | {less(r['metaSavingVsHyperlanePercent'])} | {less(overhead_saving(r))} |")
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
    ap.add_argument("--rows", metavar="FILE", help="also append each row to FILE as a JSON line as soon as it is measured")
    ap.add_argument("--markdown", metavar="RESULT.json", help="print the tables of a saved --json result as Markdown, and exit")
    ap.add_argument("--merge", nargs="+", metavar="RESULT.json", help="print one --json result made of several runs' rows (run in parallel), and exit")
    args = ap.parse_args(argv)
    if args.merge:
        # --json results, or --rows files (one row per line; the published comparison is re-measured)
        rows, published = [], None
        for f in args.merge:
            text = Path(f).read_text()
            if text.lstrip().startswith('{"conditions"'):
                part = json.loads(text)
                rows += part["rows"]
                published = part["hyperlanePublished"]
            else:
                rows += [json.loads(line) for line in text.splitlines() if line.strip()]
        print(json.dumps(summarize(rows, published or hyperlane_published(), args.seed)))
        return 0
    if args.markdown:
        print(markdown(json.loads(Path(args.markdown).read_text())))
        return 0
    binary = workload.caldera_binary()
    if binary is None:
        print("error: no caldera binary: run `swift build` first (or set CALDERA_BIN)", file=sys.stderr)
        return 2
    rows = []
    ns = sorted(map(int, args.ns.split(",")))
    with tempfile.TemporaryDirectory(prefix="caldera-gas-") as tmp:
        series = [Series(binary, g, loc, args.seed, ns[-1], Path(tmp))
                  for g in map(int, args.guardians.split(",")) for loc in args.localities.split(",")]
        for n in ns:            # smaller batches first: a partial run still has every curve's start
            for s in series:
                row = s.measure(n)
                rows.append(row)
                g, loc = s.g, s.locality
                # with --json the progress lines go to stderr, and each row as JSON to --rows
                if args.rows:
                    with open(args.rows, "a") as f:
                        f.write(json.dumps(row) + "\n")
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
