"""Workloads written by the real CLI (`caldera proof generate` / `compress`), and the guardians' keys
derived as docs/proof-format.md gives them (so tests and gas runs can sign variants)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from eth_hash.auto import keccak
from eth_keys import keys

REPO = Path(__file__).resolve().parent.parent
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def caldera_binary() -> Path | None:
    """$CALDERA_BIN, else the debug build of this checkout (`swift build`)."""
    p = Path(os.environ.get("CALDERA_BIN", REPO / ".build" / "debug" / "caldera"))
    return p if p.is_file() and os.access(p, os.X_OK) else None


def run(binary: Path, *args: str) -> str:
    r = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"caldera {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def generate(binary: Path, out: Path, *, batch: int, guardians: int, rollups: int = 16, messages: int = 1024,
             locality: str = "contiguous", seed: int = 1) -> list[Path]:
    run(binary, "proof", "generate", "--batch", str(batch), "--guardians", str(guardians), "--rollups", str(rollups),
        "--messages", str(messages), "--locality", locality, "--seed", str(seed), "--out", str(out))
    return sorted(out.glob("proof-*.bin"))


def compress(binary: Path, proofs: list[Path], out: Path, zstd: bool = True) -> Path:
    run(binary, "proof", "compress", *map(str, proofs), "-o", str(out), *([] if zstd else ["--no-zstd"]))
    return out


def derived_key(seed: int, index: int) -> keys.PrivateKey:
    """keccak256("caldera/secp256k1-key/v1" ‖ u64(seed) ‖ u64(index) ‖ u32(attempt)), first valid attempt."""
    for attempt in range(1 << 32):
        k = int.from_bytes(keccak(b"caldera/secp256k1-key/v1" + seed.to_bytes(8, "big") + index.to_bytes(8, "big")
                                  + attempt.to_bytes(4, "big")), "big")
        if 0 < k < SECP256K1_N:
            return keys.PrivateKey(k.to_bytes(32, "big"))
    raise AssertionError("unreachable")
