// Merkle: SHA-256 and RFC 6962/9162 Merkle trees for every layer of Caldera.
//
// This module owns hashing (`SHA256`, `Digest`), trees (`MerkleTree`), proofs (`InclusionProof`,
// `ConsistencyProof`, `ProofDocument`), append-only accumulators (`CompactRange`), hex leaf files
// (`HexLines`) and the seeded generator every layer shares (`SplitMix64`). Its hot loops (SHA-256, tree
// levels, proofs) run in the C core (CCaldera); other layers reach those through this module.
import CCaldera

/// A 32-byte SHA-256 digest, stored inline (no heap allocation).
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible {
    @usableFromInline var storage: (UInt64, UInt64, UInt64, UInt64)

    /// The all-zero digest (a placeholder, not the hash of anything).
    public static let zero = Digest(storage: (0, 0, 0, 0))

    @usableFromInline init(storage: (UInt64, UInt64, UInt64, UInt64)) { self.storage = storage }

    /// Copies exactly 32 bytes; `nil` for any other length.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else { return nil }
        var s: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &s) { dst in
            for (i, b) in bytes.enumerated() { dst[i] = b }
        }
        storage = s
    }

    /// Reads 32 bytes at `pointer` (no bounds check: the caller owns that contract).
    @inlinable public init(unsafeBytesAt pointer: UnsafeRawPointer) {
        var s: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &s) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: 32)) }
        storage = s
    }

    /// Parses 64 hex digits (either case, optional `0x`); `nil` otherwise.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), let d = Digest(bytes: bytes) else { return nil }
        self = d
    }

    /// The digest a C function writes into 32 bytes it is given.
    static func written(by body: (UnsafeMutableRawPointer?) -> Void) -> Digest {
        var out = Digest.zero
        withUnsafeMutableBytes(of: &out.storage) { body($0.baseAddress) }
        return out
    }

    /// The 32 bytes, in order.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Lowercase hex, 64 characters.
    public var hex: String { withUnsafeBytes { Hex.encode($0) } }
    public var description: String { hex }

    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    public static func == (a: Digest, b: Digest) -> Bool {
        a.storage.0 == b.storage.0 && a.storage.1 == b.storage.1 && a.storage.2 == b.storage.2
            && a.storage.3 == b.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0); hasher.combine(storage.1); hasher.combine(storage.2); hasher.combine(storage.3)
    }

    /// Byte-wise (lexicographic) order, as `memcmp` would give.
    public static func < (a: Digest, b: Digest) -> Bool {
        a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in
            for i in 0..<32 where pa[i] != pb[i] { return pa[i] < pb[i] }
            return false
        } }
    }
}

extension Digest: Codable {
    /// Encoded as a lowercase hex string, the form every Caldera JSON uses.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = Digest(hex: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected 64 hex digits, got \"\(s.prefix(80))\"")
        }
        self = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(hex)
    }
}

/// Hex encoding and decoding (lowercase out, either case in).
public enum Hex {
    /// Decodes hex digits, allowing a `0x` prefix; `nil` on odd length or a non-hex character.
    public static func decode(_ s: String) -> [UInt8]? {
        var utf8 = Substring(s).utf8[...]
        if utf8.starts(with: "0x".utf8) || utf8.starts(with: "0X".utf8) { utf8 = utf8.dropFirst(2) }
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var hi: UInt8 = 0
        var odd = false
        for c in utf8 {
            guard let v = nibble(c) else { return nil }
            if odd { out.append(hi << 4 | v) } else { hi = v }
            odd.toggle()
        }
        return out
    }

    @inline(__always) static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Lowercase hex of the bytes.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
