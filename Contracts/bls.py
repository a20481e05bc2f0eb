#!/usr/bin/env python3
"""BLS12-381 aggregate verification measured on py-evm (Prague, EIP-2537 precompiles) with points from
py_ecc, next to t ecrecover checks: docs/proof-format.md's BLS section.

    python3 Contracts/bls.py [--guardians 4,21,100] [--json]

For g guardians (public keys held by the contract), t = floor(2g/3) + 1 sign. Each run: t py_ecc keys sign one 84-byte message, the
signature is aggregated, and one transaction verifies it (t−1 G1 additions, two map-to-G2, one G2
addition, a two-pair pairing). A second transaction with a wrong message must revert. Gas is the
receipt's, and the 'execution' column subtracts 21,000 and calldata."""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eth_abi import encode  # noqa: E402
from py_ecc.bls import G2ProofOfPossession as bls  # noqa: E402
from py_ecc.bls.hash_to_curve import hash_to_field_FQ2  # noqa: E402
from py_ecc.bls.point_compression import decompress_G1, decompress_G2  # noqa: E402
from py_ecc.optimized_bls12_381 import G1, neg, normalize  # noqa: E402

import calls  # noqa: E402
import workload  # noqa: E402
from evm import Chain, calldata_gas, selector  # noqa: E402
from sources import VYPER_DIR, Capacity, certificate_verifier  # noqa: E402

VERIFY = selector("verifyAggregate(uint256[],bytes,bytes,bytes)")


def fp(x) -> bytes:
    return int(x).to_bytes(64, "big")


def g1(p) -> bytes:
    x, y = normalize(p)
    return fp(x.n) + fp(y.n)


def g2(p) -> bytes:
    x, y = normalize(p)
    return fp(x.coeffs[0]) + fp(x.coeffs[1]) + fp(y.coeffs[0]) + fp(y.coeffs[1])


def fp2(u) -> bytes:
    return fp(u.coeffs[0]) + fp(u.coeffs[1])


def measure(g: int, chain: Chain) -> dict:
    t = 2 * g // 3 + 1
    source = f"N_KEYS: constant(uint256) = {g}\n\n" + (VYPER_DIR / "bls_aggregate.vy").read_text()
    all_sks = [1000 + 7 * i for i in range(g)]
    words = b"".join(g1(decompress_G1(int.from_bytes(bls.SkToPk(sk), "big"))) for sk in all_sks)
    contract = chain.deploy(source, encode([f"bytes32[{4 * g}]", "bytes"], [[words[i:i + 32] for i in range(0, len(words), 32)], g1(neg(G1))]))
    message = b"caldera/snapshot/v2\x00" + bytes(range(64))
    positions = list(range(0, g, 1))[:t]
    sks = [all_sks[p] for p in positions]
    sigs = [bls.Sign(sk, message) for sk in sks]
    aggregate = bls.Aggregate(sigs)     # compressed G2: two 48-byte halves
    agg = decompress_G2((int.from_bytes(aggregate[:48], "big"), int.from_bytes(aggregate[48:], "big")))
    assert bls.FastAggregateVerify([bls.SkToPk(sk) for sk in sks], message, aggregate)

    def call(msg: bytes):
        u0, u1 = hash_to_field_FQ2(msg, 2, bls.DST, hashlib.sha256)
        data = VERIFY + encode(["uint256[]", "bytes", "bytes", "bytes"], [positions, fp2(u0), fp2(u1), g2(agg)])
        return chain.send(contract, data), data

    r, data = call(message)
    if not r.success:
        raise RuntimeError(f"aggregate signature refused: {r.error}")
    bad, _ = call(message[:-1] + b"\x00")
    if bad.success:
        raise RuntimeError("a wrong message verified")
    standard, floor = calldata_gas(data)
    return {"guardians": g, "signers": t, "receiptGas": r.gas_used, "executionGas": r.gas_used - 21_000 - standard,
            "calldataBytes": len(data), "pairingGas": 32_600 * 2 + 37_700,
            "ecrecoverOnlyGas": 3_000 * t}


VERIFY_CERTIFICATE = selector(f"verifyCertificate({calls.HEADER},uint256,{calls.SIGNATURE}[])")


def measure_ecdsa(g: int, chain: Chain) -> dict:
    """The same t signers with secp256k1: our certificate check alone (equal stakes, keys derived as
    `caldera proof generate` derives them), t ecrecover calls and comparisons."""
    from eth_hash.auto import keccak
    t = 2 * g // 3 + 1
    ks = [workload.derived_key(7, i) for i in range(g)]
    args = encode(["uint64", f"address[{g}]", f"uint256[{g}]"], [1, [k.public_key.to_checksum_address() for k in ks], [10**24] * g])
    contract = chain.deploy(certificate_verifier(Capacity(g)), args)
    header = (1, 100, 1_764_000_000_000, 16, b"\xab" * 32)
    digest = keccak(b"caldera/snapshot/v2\x00" + b"".join(x.to_bytes(8, "big") for x in header[:4]) + header[4])
    sigs = []
    for i in range(t):
        s = ks[i].sign_msg_hash(digest)
        sigs.append((i, s.r, s.s, 27 + s.v))
    data = VERIFY_CERTIFICATE + encode([calls.HEADER, "uint256", f"{calls.SIGNATURE}[]"], [header, g, sigs])
    r = chain.send(contract, data)
    if not r.success:
        raise RuntimeError(f"certificate refused: {r.error}")
    standard, _ = calldata_gas(data)
    return {"receiptGas": r.gas_used, "executionGas": r.gas_used - 21_000 - standard, "calldataBytes": len(data)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--guardians", default="4,21,100")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    chain = Chain()
    rows = []
    for g in map(int, args.guardians.split(",")):
        row = measure(g, chain)
        row["ecdsa"] = measure_ecdsa(g, chain)
        rows.append(row)
    if args.json:
        print(json.dumps(rows))
    else:
        for r in rows:
            e = r["ecdsa"]
            print(f"g={r['guardians']:3d} t={r['signers']:3d}: BLS aggregate receipt {r['receiptGas']:,} (execution {r['executionGas']:,}, "
                  f"calldata {r['calldataBytes']} bytes) | {r['signers']} x ecrecover receipt {e['receiptGas']:,} (execution {e['executionGas']:,}, "
                  f"calldata {e['calldataBytes']} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
