#!/usr/bin/env python3
"""Two experiments behind docs/archive-codec.md's reading of the JSON-RPC rows, on the ethereumjs block files.

  floor     How far can recomputation take JSON-RPC block exports? zstd -19 --long=27 of each block
            re-serialised (json.dumps, indent 2) with, cumulatively, these transaction fields deleted:
            hash | + from | + gasPrice, yParity, blockHash, blockNumber, transactionIndex | + r, s (not
            recomputable: it shows how much the signatures weigh). Prints the gain over the untouched block.
  calldata  Would an ABI-aware calldata model beat zstd -19? Baseline = zstd -19 of every transaction's
            `input` (varint length + bytes); model = columns (4-byte selectors, word counts, per 32-byte
            word a control byte = leading zero bytes or a reference into a move-to-front list of recently
            seen addresses, the words' remaining bytes, non-ABI inputs), each zstd -19'd.

Usage: Benchmarks/scripts/jsonrpc-experiments.py floor|calldata   (reads $CALDERA_SHARED/corpus, default ../shared/corpus)"""
import glob, json, os, subprocess, sys

root = os.environ.get("CALDERA_SHARED") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared")
files = sorted(glob.glob(os.path.join(root, "corpus/ethereumjs/block2447600?.json")))
if len(sys.argv) != 2 or sys.argv[1] not in ("floor", "calldata"):
    sys.exit(__doc__)
if not files:
    sys.exit(f"no corpus/ethereumjs/block2447600?.json under {root} (set CALDERA_SHARED)")


def zstd(b, long=False):
    args = ["zstd", "-19", "-c", "-q"] + (["--long=27"] if long else [])
    return len(subprocess.run(args, input=bytes(b), capture_output=True, check=True).stdout) if b else 0


def floor():
    steps = [["hash"], ["from"], ["gasPrice", "yParity", "blockHash", "blockNumber", "transactionIndex"], ["r", "s"]]
    print("| file | txs | zstd -19 (B) | − hash | − from | − derivable fields | − r, s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for f in files:
        block = json.load(open(f))
        base = zstd(json.dumps(block, indent=2).encode(), long=True)
        removed, cells = [], []
        for step in steps:
            removed += step
            b = json.loads(json.dumps(block))
            for t in b["transactions"]:
                for k in removed:
                    t.pop(k, None)
            cells.append(f"{base / zstd(json.dumps(b, indent=2).encode(), long=True):.2f}×")
        print(f"| {os.path.basename(f)} | {len(block['transactions'])} | {base} | " + " | ".join(cells) + " |")


def varint(v):
    o = bytearray()
    while v >= 0x80:
        o.append(v & 0x7F | 0x80); v >>= 7
    o.append(v)
    return o


def calldata():
    print("| file | txs | calldata zstd -19 (B) | ABI model (B) | gain |")
    print("|---|---:|---:|---:|---:|")
    for f in files:
        txs = json.load(open(f))["transactions"]
        inputs = [bytes.fromhex(t["input"][2:]) for t in txs]
        base = bytearray()
        for b in inputs:
            base += varint(len(b)) + b
        sel, counts, ctrl, rest, other = bytearray(), bytearray(), bytearray(), bytearray(), bytearray()
        mtf = []
        def seen(a):
            if a in mtf: mtf.remove(a)
            mtf.insert(0, a); del mtf[190:]
        for t, b in zip(txs, inputs):
            for k in ("from", "to"):
                if t.get(k): seen(bytes.fromhex(t[k][2:]))
            if len(b) >= 4 and (len(b) - 4) % 32 == 0:
                sel += b[:4]; counts += varint((len(b) - 4) // 32)
                for i in range(4, len(b), 32):
                    w = b[i:i + 32]
                    lz = len(w) - len(w.lstrip(b"\0"))
                    if lz == 12 and w[12:] in mtf:
                        ctrl.append(64 + mtf.index(w[12:])); seen(w[12:]); continue
                    ctrl.append(lz); rest += w[lz:]
                    if lz == 12: seen(w[12:])
            else:
                counts += b"\xff"; other += varint(len(b)) + b
        model = sum(zstd(c) for c in (sel, counts, ctrl, rest, other))
        print(f"| {os.path.basename(f)} | {len(txs)} | {zstd(base)} | {model} | {zstd(base) / model:.2f}× |")


floor() if sys.argv[1] == "floor" else calldata()
