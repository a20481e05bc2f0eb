"""Strict decoder of Caldera's version-2 proof formats (docs/proof-format.md), mirroring the Swift
decoders: every length is bounded and checked against the bytes left, varints are minimal, there are no
trailing bytes, and every failure is a `DecodeError`. The contracts receive the decoded fields
ABI-encoded (`abi.py`); what the decoder does not check (paths, multiproofs, signatures, quorum) the
contracts do."""
from __future__ import annotations

import zlib
from dataclasses import dataclass

MAGIC = b"CLDX"
VERSION = 2
KIND_INDIVIDUAL, KIND_META = 1, 2
MAX_GUARDIANS = 1024
MAX_PATH = 64
MAX_MESSAGE_BYTES = 64 * 1024
MAX_ENTRIES_IN_META = 1 << 16
MAX_MESSAGES_IN_META = 1 << 20
MAX_MULTIPROOF_HASHES = 1 << 22
MAX_META_BODY = 256 << 20
ENTRY_BYTES = 88
SIGNATURE_BYTES = 65


class DecodeError(Exception):
    pass


@dataclass
class Header:
    guardian_set_id: int
    height: int
    timestamp_millis: int
    entry_count: int
    root: bytes


@dataclass
class Certificate:
    guardian_count: int
    signers: list[int]
    signatures: list[bytes]   # 65 bytes each: r ‖ s ‖ v


@dataclass
class Entry:
    rollup_id: int
    height: int
    state_root: bytes
    outbox_root: bytes
    outbox_size: int


@dataclass
class Proof:
    header: Header
    certificate: Certificate
    entry: Entry
    entry_index: int
    snapshot_path: list[bytes]
    message_index: int
    message: bytes
    outbox_path: list[bytes]


@dataclass
class MetaRollup:
    entry_index: int
    entry: Entry
    message_indices: list[int]
    messages: list[bytes]
    outbox_proof: list[bytes]


@dataclass
class MetaProof:
    header: Header
    certificate: Certificate
    rollups: list[MetaRollup]
    snapshot_proof: list[bytes]
    compressed: bool

    @property
    def message_count(self) -> int:
        return sum(len(r.messages) for r in self.rollups)


class Reader:
    def __init__(self, b: bytes):
        self.b, self.pos = b, 0

    @property
    def remaining(self) -> int:
        return len(self.b) - self.pos

    def take(self, n: int, field: str) -> bytes:
        if n > self.remaining:
            raise DecodeError(f"{field}: truncated (need {n} bytes, have {self.remaining})")
        out = self.b[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self, field: str) -> int:
        return self.take(1, field)[0]

    def u32(self, field: str) -> int:
        return int.from_bytes(self.take(4, field), "big")

    def u64(self, field: str) -> int:
        return int.from_bytes(self.take(8, field), "big")

    def varint(self, field: str) -> int:
        v, shift = 0, 0
        for i in range(10):
            b = self.u8(field)
            if i == 9 and b > 1:
                raise DecodeError(f"{field}: varint overflows 64 bits")
            v |= (b & 0x7F) << shift
            if b & 0x80 == 0:
                if b == 0 and i > 0:
                    raise DecodeError(f"{field}: varint not minimal")
                return v
            shift += 7
        raise DecodeError(f"{field}: varint longer than 10 bytes")

    def count(self, field: str, limit: int) -> int:
        v = self.varint(field)
        if v > limit:
            raise DecodeError(f"{field}: {v} exceeds the limit {limit}")
        return v

    def digests(self, field: str, limit: int) -> list[bytes]:
        n = self.count(f"{field} count", limit)
        if n > self.remaining // 32:
            raise DecodeError(f"{field}: truncated (need {32 * n} bytes, have {self.remaining})")
        return [self.take(32, field) for _ in range(n)]

    def finish(self) -> None:
        if self.remaining:
            raise DecodeError(f"{self.remaining} trailing bytes")


def _header(r: Reader) -> Header:
    return Header(r.u64("header.guardianSetId"), r.u64("header.height"), r.u64("header.timestampMillis"),
                  r.u64("header.entryCount"), r.take(32, "header.root"))


def _certificate(r: Reader) -> Certificate:
    n = r.count("certificate.guardianCount", MAX_GUARDIANS)
    if n == 0:
        raise DecodeError("certificate.guardianCount is 0")
    bitmap = r.take((n + 7) // 8, "certificate.bitmap")
    signers = []
    for j, byte in enumerate(bitmap):
        for bit in range(8):
            if byte >> bit & 1:
                if 8 * j + bit >= n:
                    raise DecodeError("certificate bitmap has bits beyond the guardian count")
                signers.append(8 * j + bit)
    sigs = [r.take(SIGNATURE_BYTES, "certificate.signature") for _ in signers]
    return Certificate(n, signers, sigs)


def _entry(r: Reader) -> Entry:
    return Entry(r.u64("entry.rollupId"), r.u64("entry.height"), r.take(32, "entry.stateRoot"),
                 r.take(32, "entry.outboxRoot"), r.u64("entry.outboxSize"))


def _message(r: Reader) -> bytes:
    n = r.count("message length", MAX_MESSAGE_BYTES)
    m = r.take(n, "message")
    if len(m) < 56:   # source, destination, nonce, sender, recipient
        raise DecodeError(f"message: truncated ({len(m)} bytes, the fixed fields need 56)")
    return m


def _preamble(r: Reader) -> int:
    if r.take(4, "magic") != MAGIC:
        raise DecodeError("not a Caldera proof (bad magic)")
    v = r.u8("version")
    if v != VERSION:
        raise DecodeError(f"unsupported format version {v}")
    return r.u8("kind")


def _next_index(r: Reader, prev: int | None, limit: int, field: str) -> int:
    v = r.varint(field)
    x = v if prev is None else prev + 1 + v
    if x >= limit or x >= 1 << 64:
        raise DecodeError(f"{field}: {x} not below {limit}")
    return x


def _meta_body(r: Reader, compressed: bool) -> MetaProof:
    header = _header(r)
    cert = _certificate(r)
    if header.entry_count == 0:
        raise DecodeError("snapshot entry count is 0")
    count = r.count("rollup count", min(MAX_ENTRIES_IN_META, header.entry_count))
    if count == 0:
        raise DecodeError("rollup count is 0")
    if r.remaining < count * (1 + ENTRY_BYTES):
        raise DecodeError("rollups: truncated")
    indices: list[int] = []
    for _ in range(count):
        indices.append(_next_index(r, indices[-1] if indices else None, header.entry_count, "entry index"))
    entries = [_entry(r) for _ in range(count)]
    snapshot_proof = r.digests("snapshot multiproof", MAX_MULTIPROOF_HASHES)
    rollups, total = [], 0
    for ei, e in zip(indices, entries):
        n = r.count("message count", min(MAX_MESSAGES_IN_META - total, e.outbox_size))
        if n == 0:
            raise DecodeError("message count is 0")
        if r.remaining < 2 * n:
            raise DecodeError("messages: truncated")
        total += n
        idx: list[int] = []
        for _ in range(n):
            idx.append(_next_index(r, idx[-1] if idx else None, e.outbox_size, "message index"))
        msgs = [_message(r) for _ in range(n)]
        proof = r.digests("outbox multiproof", MAX_MULTIPROOF_HASHES)
        rollups.append(MetaRollup(ei, e, idx, msgs, proof))
    r.finish()
    return MetaProof(header, cert, rollups, snapshot_proof, compressed)


def decode(b: bytes) -> Proof | MetaProof:
    r = Reader(b)
    kind = _preamble(r)
    if kind == KIND_INDIVIDUAL:
        p = Proof(_header(r), _certificate(r), _entry(r), r.varint("entryIndex"), r.digests("snapshotPath", MAX_PATH),
                  r.varint("messageIndex"), _message(r), r.digests("outboxPath", MAX_PATH))
        r.finish()
        return p
    if kind != KIND_META:
        raise DecodeError(f"unexpected proof kind {kind}")
    c = r.u8("compression")
    if c == 0:
        return _meta_body(r, False)
    if c != 1:
        raise DecodeError(f"unknown compression {c}")
    raw_len = r.count("body length", MAX_META_BODY)
    crc = r.u32("frame CRC-32")
    frame = r.take(r.remaining, "zstd frame")
    if raw_len > len(frame) * 131_072 + 64:
        raise DecodeError("body length exceeds what the frame can expand to")
    if zlib.crc32(frame) != crc:
        raise DecodeError("CRC-32 mismatch")
    body = _zstd_exact(frame, raw_len)
    return _meta_body(Reader(body), True)


def _zstd_exact(frame: bytes, raw_len: int) -> bytes:
    """One zstd frame with content size and checksum, decompressing to exactly raw_len bytes."""
    import zstandard
    try:
        params = zstandard.get_frame_parameters(frame)
    except zstandard.ZstdError as e:
        raise DecodeError(f"zstd: {e}") from None
    if params.content_size != raw_len or not params.has_checksum:
        raise DecodeError(f"zstd frame must declare content size {raw_len} and a checksum")
    d = zstandard.ZstdDecompressor()
    try:
        obj = d.decompressobj()
        out = obj.decompress(frame)
        if not obj.eof or obj.unused_data:
            raise DecodeError("not exactly one zstd frame")
    except zstandard.ZstdError as e:
        raise DecodeError(f"zstd: {e}") from None
    if len(out) != raw_len:
        raise DecodeError("zstd output length differs from the body length")
    return out
