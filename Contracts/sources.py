"""Vyper sources of the verifier contracts with a deployment's capacities filled in.

Vyper reserves memory for a value's maximum size and lays later values out after it, so a contract
declared for the format's limits (1,024 guardians, 2^20 messages of 64 KiB) would pay for megabytes of
memory expansion on every call. A deployment therefore fixes its capacities: the guardian count is the
set's (the contract is deployed per guardian set), the others are chosen for the batches it will accept
(`Capacity.fitting` picks the smallest powers of two that hold a given proof). A proof beyond the
capacities reverts; the gas figures are measured with the capacities stated next to them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VYPER_DIR = Path(__file__).resolve().parent / "vyper"


def _pow2(n: int, floor: int = 1) -> int:
    c = floor
    while c < n:
        c *= 2
    return c


@dataclass(frozen=True)
class Capacity:
    guardians: int
    message_bytes: int = 256
    messages: int = 1
    rollups: int = 1
    proof_hashes: int = 1

    @staticmethod
    def fitting(guardians: int, message_bytes: int, messages: int = 1, rollups: int = 1, proof_hashes: int = 1) -> "Capacity":
        return Capacity(guardians, _pow2(message_bytes, 64), _pow2(messages), _pow2(rollups), _pow2(proof_hashes))

    def constants(self) -> str:
        return "\n".join([
            f"N_GUARDIANS: constant(uint256) = {self.guardians}",
            f"MAX_MESSAGE_BYTES: constant(uint256) = {self.message_bytes}",
            f"MAX_MESSAGES: constant(uint256) = {self.messages}",
            f"MAX_ROLLUPS: constant(uint256) = {self.rollups}",
            f"MAX_PROOF_HASHES: constant(uint256) = {self.proof_hashes}",
        ]) + "\n\n"


def _read(name: str) -> str:
    return (VYPER_DIR / name).read_text()


def proof_verifier(cap: Capacity) -> str:
    return cap.constants() + _read("guardian_set.vy") + _read("proof.vy")


def certificate_verifier(cap: Capacity) -> str:
    return cap.constants() + _read("guardian_set.vy") + _read("certificate.vy")


def metaproof_verifier(cap: Capacity) -> str:
    return cap.constants() + _read("guardian_set.vy") + _read("metaproof.vy")


def hyperlane_constants(validators: int, message_bytes: int) -> str:
    return (f"N_VALIDATORS: constant(uint256) = {validators}\n"
            f"MAX_METADATA_BYTES: constant(uint256) = {1096 + 65 * validators}\n"
            f"MAX_MESSAGE_BYTES: constant(uint256) = {_pow2(message_bytes, 64)}\n\n")


def hyperlane_ism(validators: int, message_bytes: int) -> str:
    """Hyperlane's MerkleRootMultisigIsm, ported (the baseline)."""
    return hyperlane_constants(validators, message_bytes) + _read("hyperlane_lib.vy") + _read("hyperlane_multisig_ism.vy")


def hyperlane_exports(message_bytes: int = 1024) -> str:
    return hyperlane_constants(1, message_bytes) + _read("hyperlane_lib.vy") + _read("hyperlane_exports.vy")
