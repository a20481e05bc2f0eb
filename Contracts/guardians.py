"""Guardian set JSON, version 2 (docs/proof-format.md, "Guardian set"), read as strictly as the Swift
reader: exactly the three keys, no duplicates, EIP-55 checksums on mixed-case addresses."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from eth_utils import is_checksum_address

MIN_STAKE = 500_000 * 10**18


class GuardianSetError(Exception):
    pass


@dataclass(frozen=True)
class GuardianSet:
    set_id: int
    addresses: list[bytes]
    stakes: list[int]

    @property
    def total_stake(self) -> int:
        return sum(self.stakes)


def _strict_object(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise GuardianSetError(f"duplicate key in {keys}")
    return dict(pairs)


def parse(data: bytes) -> GuardianSet:
    if len(data) > 1 << 20:
        raise GuardianSetError("larger than 1 MiB")
    try:
        doc = json.loads(data.decode("utf-8"), object_pairs_hook=_strict_object)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise GuardianSetError(f"not JSON: {e}") from None
    if not isinstance(doc, dict) or set(doc) != {"version", "setId", "guardians"}:
        raise GuardianSetError('expected {"version": 2, "setId": N, "guardians": [...]}')
    if doc["version"] != 2 or isinstance(doc["version"], bool):
        raise GuardianSetError(f"unsupported guardian set version {doc['version']!r}")
    set_id, guardians = doc["setId"], doc["guardians"]
    if not isinstance(set_id, int) or isinstance(set_id, bool) or not 0 <= set_id < 1 << 64:
        raise GuardianSetError("setId must be an integer below 2^64")
    if not isinstance(guardians, list) or not 1 <= len(guardians) <= 1024:
        raise GuardianSetError("a guardian set has 1 to 1024 guardians")
    addresses, stakes = [], []
    for i, g in enumerate(guardians):
        if not isinstance(g, dict) or set(g) != {"address", "stake"}:
            raise GuardianSetError(f"guardian {i}: expected address and stake")
        a, s = g["address"], g["stake"]
        if not isinstance(a, str) or not re.fullmatch(r"0x[0-9a-fA-F]{40}", a):
            raise GuardianSetError(f"guardian {i}: address {a!r} is not 0x and 40 hex digits")
        body = a[2:]
        if body != body.lower() and body != body.upper() and not is_checksum_address(a):
            raise GuardianSetError(f"guardian {i}: address {a} has a wrong EIP-55 checksum")
        raw = bytes.fromhex(body)
        if raw == bytes(20):
            raise GuardianSetError(f"guardian {i}: the zero address cannot be a guardian")
        if not isinstance(s, str) or not re.fullmatch(r"0|[1-9][0-9]{0,38}", s):
            raise GuardianSetError(f"guardian {i}: stake {s!r} is not a whole number of base units")
        if int(s) < MIN_STAKE:
            raise GuardianSetError(f"guardian {i}: stake below the guardian minimum")
        addresses.append(raw)
        stakes.append(int(s))
    if len(set(addresses)) != len(addresses):
        raise GuardianSetError("an address appears twice")
    if sum(stakes) >= 1 << 128:
        raise GuardianSetError("total stake overflows 128 bits")
    return GuardianSet(set_id, addresses, stakes)
