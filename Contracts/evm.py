"""A fresh py-evm chain with Prague rules: deploy Vyper contracts, send signed transactions, read gas
from receipts. Every figure the harness reports is a receipt's gasUsed (21,000 base + calldata with the
EIP-7623 floor + execution) for that one transaction: receipts in a block are cumulative, so a transaction's
gas is its receipt's minus the previous one's. Blocks are mined every few transactions (mining hashes the
state), and keep the genesis gas limit (py-evm would otherwise move it towards its default by 1/1024 a block)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import vyper
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.vm.forks import PragueVM
from eth_keys import keys
from eth_utils import function_signature_to_4byte_selector

CHAIN_ID = 1337
# The sender's key is public test material: it funds transactions on a throwaway in-memory chain.
SENDER_KEY = keys.PrivateKey(b"\x5a" * 32)
BLOCK_GAS_LIMIT = 4_000_000_000
TRANSACTIONS_PER_BLOCK = 64


@dataclass
class Receipt:
    success: bool
    gas_used: int
    calldata_bytes: int
    output: bytes
    error: str | None
    contract: bytes | None = None


@lru_cache(maxsize=64)
def compile_vyper(source: str) -> tuple[bytes, tuple]:
    out = vyper.compile_code(source, output_formats=["bytecode", "abi"])
    return bytes.fromhex(out["bytecode"][2:]), tuple(str(x) for x in out["abi"])


def selector(signature: str) -> bytes:
    return function_signature_to_4byte_selector(signature)


def calldata_gas(data: bytes) -> tuple[int, int]:
    """(standard, floor) calldata gas of EIP-2028 / EIP-7623, without the 21,000 base."""
    zeros = data.count(0)
    tokens = zeros + 4 * (len(data) - zeros)
    return 4 * tokens, 10 * tokens


class Chain:
    """One fresh chain per instance; the sender is funded in the genesis block."""

    def __init__(self) -> None:
        klass = MiningChain.configure(__name__="CalderaPrague", vm_configuration=((0, PragueVM),), chain_id=CHAIN_ID)
        sender = SENDER_KEY.public_key.to_canonical_address()
        genesis = {"difficulty": 0, "gas_limit": BLOCK_GAS_LIMIT, "timestamp": 1_764_000_000,
                   "coinbase": b"\x00" * 20, "extra_data": b"", "nonce": b"\x00" * 8}
        self.chain = klass.from_genesis(AtomicDB(), genesis, {sender: {"balance": 10**36, "nonce": 0, "code": b"", "storage": {}}})
        self.chain.header = self.chain.header.copy(gas_limit=BLOCK_GAS_LIMIT)
        self.nonce = 0
        self.in_block = 0          # transactions applied since the last mined block
        self.cumulative = 0        # gas used in the pending block so far

    def _mine(self) -> None:
        self.chain.mine_block()
        self.chain.header = self.chain.header.copy(gas_limit=BLOCK_GAS_LIMIT)
        self.in_block = self.cumulative = 0

    def send(self, to: bytes, data: bytes, gas: int = 1_000_000_000) -> Receipt:
        if self.in_block >= TRANSACTIONS_PER_BLOCK or self.cumulative + gas > BLOCK_GAS_LIMIT:
            self._mine()
        vm = self.chain.get_vm()
        tx = vm.create_unsigned_transaction(nonce=self.nonce, gas_price=10**9, gas=gas, to=to, value=0, data=data)
        tx = tx.as_signed_transaction(SENDER_KEY, chain_id=CHAIN_ID)
        self.nonce += 1
        _, receipt, computation = self.chain.apply_transaction(tx)
        gas_used = receipt.gas_used - self.cumulative
        self.cumulative = receipt.gas_used
        self.in_block += 1
        created = computation.msg.storage_address if to == b"" and computation.is_success else None
        err = None if computation.is_success else revert_reason(computation.output) or type(computation.error).__name__
        return Receipt(computation.is_success, gas_used, len(data), computation.output, err, created)

    def deploy(self, source: str, constructor_args: bytes = b"") -> bytes:
        code, _ = compile_vyper(source)
        r = self.send(b"", code + constructor_args)
        if not r.success:
            raise RuntimeError(f"deployment failed: {r.error}")
        return r.contract


def revert_reason(output: bytes) -> str | None:
    """The string of a Solidity/Vyper `Error(string)` revert, if that is what the output holds."""
    if output[:4] != selector("Error(string)"):
        return None
    try:
        from eth_abi import decode
        return decode(["string"], output[4:])[0]
    except Exception:
        return None
