// Metalayer: guardian-signed snapshots of every rollup's state, cross-chain proofs against them, and
// meta-proofs that carry many such proofs in one object (one header, one certificate, multiproofs).
//
// Formats are specified byte for byte in docs/proof-format.md. Every decoder here is strict: versioned,
// every length bounded and checked, no trailing bytes, typed errors; each has a libFuzzer target (Fuzz/).

/// Why bytes could not be decoded. Decoding never traps on any input.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(field: String)
    case badMagic
    case unsupportedVersion(UInt8)
    case unexpectedKind(UInt8)
    case varintOverflow(field: String)
    case outOfBounds(field: String, value: UInt64, limit: UInt64)
    case notIncreasing(field: String)
    case trailingBytes(Int)
    case badBitmap
    case compression(String)

    public var description: String {
        switch self {
        case let .truncated(f): "truncated: ran out of bytes reading \(f)"
        case .badMagic: "not a Caldera proof (bad magic)"
        case let .unsupportedVersion(v): "unsupported format version \(v)"
        case let .unexpectedKind(k): "unexpected object kind \(k)"
        case let .varintOverflow(f): "\(f): varint longer than 64 bits or not minimal"
        case let .outOfBounds(f, v, l): "\(f) = \(v) is out of bounds (limit \(l))"
        case let .notIncreasing(f): "\(f) must be strictly increasing"
        case let .trailingBytes(n): "\(n) unexpected bytes after the end"
        case .badBitmap: "signer bitmap has bits set beyond the guardian count"
        case let .compression(m): "compressed body: \(m)"
        }
    }
}

/// Append-only byte encoder (big-endian fixed integers, LEB128 varints).
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
    mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 { bytes.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
        bytes.append(UInt8(x))
    }
    mutating func raw<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }
    mutating func digest(_ d: Digest) { d.withUnsafeBytes { bytes.append(contentsOf: $0) } }
    mutating func lengthPrefixed(_ b: [UInt8]) { varint(UInt64(b.count)); raw(b) }
}

/// Bounds-checked decoder over a byte array; every read names its field for the error.
struct ByteReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) { self.bytes = bytes; self.offset = offset }

    var remaining: Int { bytes.count - offset }

    mutating func u8(_ field: String) throws(DecodeError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(field: field) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u32(_ field: String) throws(DecodeError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated(field: field) }
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    mutating func u64(_ field: String) throws(DecodeError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated(field: field) }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(bytes[offset + i]) }
        offset += 8
        return v
    }

    /// LEB128, at most 10 bytes, minimal (no redundant trailing zero groups) so each value has one encoding.
    mutating func varint(_ field: String) throws(DecodeError) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        for i in 0..<10 {
            guard remaining >= 1 else { throw .truncated(field: field) }
            let b = bytes[offset]
            offset += 1
            if i == 9 && b > 1 { throw .varintOverflow(field: field) }
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 {
                if b == 0 && i > 0 { throw .varintOverflow(field: field) }
                return v
            }
            shift += 7
        }
        throw .varintOverflow(field: field)
    }

    /// A varint that must be ≤ limit (bounds every allocation that follows).
    mutating func count(_ field: String, max limit: UInt64) throws(DecodeError) -> Int {
        let v = try varint(field)
        guard v <= limit else { throw .outOfBounds(field: field, value: v, limit: limit) }
        return Int(v)
    }

    mutating func raw(_ n: Int, _ field: String) throws(DecodeError) -> ArraySlice<UInt8> {
        guard n >= 0, remaining >= n else { throw .truncated(field: field) }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    mutating func digest(_ field: String) throws(DecodeError) -> Digest {
        let s = try raw(32, field)
        return s.withUnsafeBytes { Digest(unsafeBytesAt: $0.baseAddress!) }
    }

    mutating func digests(_ field: String, max limit: UInt64) throws(DecodeError) -> [Digest] {
        let n = try count("\(field) count", max: limit)
        guard remaining >= n * 32 else { throw .truncated(field: field) }
        var out = [Digest]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try digest(field)) }
        return out
    }

    mutating func lengthPrefixed(_ field: String, max limit: UInt64) throws(DecodeError) -> [UInt8] {
        let n = try count("\(field) length", max: limit)
        return Array(try raw(n, field))
    }

    func finish() throws(DecodeError) {
        if remaining != 0 { throw .trailingBytes(remaining) }
    }
}

import Merkle
