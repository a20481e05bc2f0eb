#!/usr/bin/env python3
"""End-to-end `caldera merkle root` vs pure hashing time, and vs pymerkle (an independent RFC 9162
implementation from PyPI), on the same 2^20 leaves.

Usage: python3 Benchmarks/scripts/merkle_compare.py [--leaves N] [--pymerkle-leaves N] [--runs R]
Needs a release build (swift build -c release --product caldera) and `pip install pymerkle`.
Prints a Markdown table for docs/benchmarks.md.
"""
import argparse, hashlib, os, random, re, statistics, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--leaves", type=int, default=1 << 20)
ap.add_argument("--pymerkle-leaves", type=int, default=1 << 20, help="pymerkle is slow; use fewer to save time")
ap.add_argument("--runs", type=int, default=5)
ap.add_argument("--bin", default=".build/release/caldera")
args = ap.parse_args()

rng = random.Random(20261125)
leaves = [rng.randbytes(32) for _ in range(args.leaves)]
path = os.path.join(tempfile.gettempdir(), f"caldera-leaves-{args.leaves}.txt")
with open(path, "w") as f:
    f.write("\n".join(l.hex() for l in leaves) + "\n")
size = os.path.getsize(path)

def rfc6962_root(hashes):
    # level by level, a lone last node promoted: equal to RFC 6962 MTH
    while len(hashes) > 1:
        nxt = [hashlib.sha256(b"\x01" + hashes[i] + hashes[i + 1]).digest() for i in range(0, len(hashes) - 1, 2)]
        if len(hashes) % 2:
            nxt.append(hashes[-1])
        hashes = nxt
    return hashes[0]

t = time.perf_counter()
ref = rfc6962_root([hashlib.sha256(b"\x00" + l).digest() for l in leaves]).hex()
hashlib_s = time.perf_counter() - t

walls, hashing = [], []
for _ in range(args.runs):
    t = time.perf_counter()
    p = subprocess.run([args.bin, "merkle", "root", "--timings", path], capture_output=True, text=True, check=True)
    walls.append(time.perf_counter() - t)
    ms = {m.group(1): float(m.group(2)) for m in re.finditer(r"timing: (\w+)[^:]*: ([\d.]+) ms", p.stderr)}
    hashing.append((ms["hashed"] if "hashed" in ms else 0) / 1e3)
    # two "hashed" lines (leaves, nodes): sum them
    hashing[-1] = sum(float(x) for x in re.findall(r"timing: hashed [^:]*: ([\d.]+) ms", p.stderr)) / 1e3
    root = p.stdout.strip()
assert root == ref, f"caldera {root} != hashlib reference {ref}"

py_rate = py_root = None
try:
    from pymerkle import InmemoryTree
    n = min(args.pymerkle_leaves, args.leaves)
    t = time.perf_counter()
    tree = InmemoryTree(algorithm="sha256")
    for l in leaves[:n]:
        tree.append_entry(l)
    py_root = tree.get_state().hex() if hasattr(tree, "get_state") else tree.get_root().hex()
    py_s = time.perf_counter() - t
    py_rate = n / py_s
    expected = ref if n == args.leaves else rfc6962_root([hashlib.sha256(b"\x00" + l).digest() for l in leaves[:n]]).hex()
    assert py_root == expected, "pymerkle disagrees"
except ImportError:
    print("pymerkle not installed (pip install pymerkle): skipped", file=sys.stderr)

wall, hs = statistics.median(walls), statistics.median(hashing)
print(f"| input | {args.leaves:,} leaves of 32 B, {size / 1e6:.1f} MB of hex |")
print("|---|---|")
print(f"| root (all agree) | `{root}` |")
print(f"| `caldera merkle root` end to end (median of {args.runs}) | {wall * 1e3:.0f} ms ({args.leaves / wall / 1e6:.2f} M leaves/s) |")
print(f"| of which hashing (leaves + nodes, in process) | {hs * 1e3:.0f} ms |")
print(f"| end to end ÷ hashing | {wall / hs:.2f}× (bar: ≤ 2×) |")
print(f"| Python hashlib, same tree | {hashlib_s * 1e3:.0f} ms ({args.leaves / hashlib_s / 1e3:.0f} k leaves/s) |")
if py_rate:
    print(f"| pymerkle 7 InmemoryTree, {n:,} leaves | {n / py_rate:.1f} s ({py_rate / 1e3:.0f} k leaves/s; caldera is {args.leaves / wall / py_rate:.0f}× faster) |")
