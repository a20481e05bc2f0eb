import Merkle

/// Why bytes read from disk (or a peer) were rejected. Decoders never trap on hostile input: every
/// length is checked against what is left and against the format's limits.
public enum FormatError: Error, Equatable, Sendable, CustomStringConvertible {
    case truncated(what: String, need: Int, have: Int)
    case badMagic(what: String)
    case unsupportedVersion(what: String, version: Int)
    case unknownCodec(id: Int)
    case limitExceeded(what: String, value: UInt64, limit: UInt64)
    case inconsistent(String)
    case checksumMismatch(what: String)
    case trailingBytes(what: String, count: Int)

    public var description: String {
        switch self {
        case let .truncated(what, need, have): "\(what) is truncated: needs \(need) bytes, \(have) left"
        case let .badMagic(what): "\(what): wrong magic bytes (not a Caldera file of this kind)"
        case let .unsupportedVersion(what, v): "\(what): format version \(v) is not supported by this build"
        case let .unknownCodec(id): "unknown codec id \(id) (written by a newer Caldera?)"
        case let .limitExceeded(what, v, l): "\(what) = \(v) exceeds the format limit \(l)"
        case let .inconsistent(s): "inconsistent: \(s)"
        case let .checksumMismatch(what): "\(what): checksum mismatch (the bytes are corrupt)"
        case let .trailingBytes(what, n): "\(what): \(n) unexpected bytes after the end"
        }
    }
}

/// Little-endian writer for the on-disk formats.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func raw<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }
    mutating func digest(_ d: Digest) { d.withUnsafeBytes { bytes.append(contentsOf: $0) } }
    /// u32 length, then the bytes.
    mutating func blob(_ b: [UInt8]) { u32(UInt32(b.count)); raw(b) }
}

/// Bounds-checked little-endian reader: every read names what it reads, so errors say where.
struct ByteReader {
    let bytes: ArraySlice<UInt8>
    var position: Int
    let what: String
    init(_ bytes: ArraySlice<UInt8>, what: String) { self.bytes = bytes; self.position = bytes.startIndex; self.what = what }
    var remaining: Int { bytes.endIndex - position }

    mutating func take(_ n: Int, _ field: String) throws(FormatError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw .truncated(what: "\(what) \(field)", need: n, have: remaining) }
        defer { position += n }
        return bytes[position ..< position + n]
    }
    mutating func u8(_ f: String) throws(FormatError) -> UInt8 { try take(1, f).first! }
    mutating func u16(_ f: String) throws(FormatError) -> UInt16 { UInt16(try uint(2, f)) }
    mutating func u32(_ f: String) throws(FormatError) -> UInt32 { UInt32(try uint(4, f)) }
    mutating func u64(_ f: String) throws(FormatError) -> UInt64 { try uint(8, f) }
    mutating func i64(_ f: String) throws(FormatError) -> Int64 { Int64(bitPattern: try uint(8, f)) }
    mutating func digest(_ f: String) throws(FormatError) -> Digest { Digest(bytes: try take(32, f))! }
    mutating func uint(_ n: Int, _ f: String) throws(FormatError) -> UInt64 {
        let s = try take(n, f)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }
    /// u32 length (at most `limit`), then that many bytes.
    mutating func blob(_ f: String, limit: Int) throws(FormatError) -> [UInt8] {
        let n = try u32("\(f) length")
        guard n <= limit else { throw .limitExceeded(what: "\(what) \(f) length", value: UInt64(n), limit: UInt64(limit)) }
        return Array(try take(Int(n), f))
    }
    func finish() throws(FormatError) {
        if remaining != 0 { throw .trailingBytes(what: what, count: remaining) }
    }
}

/// A Celestia namespace: version byte + 28-byte id (29 bytes). Caldera uses version 0, whose id is 18
/// zero bytes followed by 10 user bytes.
public struct Namespace: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public static let size = 29
    public let bytes: [UInt8]

    /// Exactly 29 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Namespace.size else { return nil }
        self.bytes = bytes
    }

    /// A version-0 namespace from up to 10 user bytes (left-padded with zeros).
    public init?(v0 id: [UInt8]) {
        guard id.count <= 10 else { return nil }
        bytes = [0] + [UInt8](repeating: 0, count: 28 - id.count) + id
    }

    /// Parses a user-facing name: `0x` + up to 20 hex digits, or 1–10 printable ASCII characters.
    public init?(name: String) {
        if name.hasPrefix("0x") || name.hasPrefix("0X") {
            guard let b = Hex.decode(name), !b.isEmpty, let ns = Namespace(v0: b) else { return nil }
            self = ns
            return
        }
        let u = Array(name.utf8)
        guard !u.isEmpty, u.count <= 10, u.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        self.init(v0: u)
    }

    public static let `default` = Namespace(name: "caldera")!

    /// The name it was parsed from, when the id is printable ASCII; `0x` + the 10-byte id for other
    /// version-0 namespaces; `0x` + all 29 bytes otherwise.
    public var description: String {
        let isV0 = bytes[0] == 0 && bytes[1..<19].allSatisfy { $0 == 0 }
        let id = bytes.suffix(10).drop { $0 == 0 }
        if isV0, !id.isEmpty, id.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) { return String(decoding: id, as: UTF8.self) }
        return "0x" + Hex.encode(isV0 ? Array(bytes.suffix(10)) : bytes)
    }

    public static func < (a: Namespace, b: Namespace) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let b = Hex.decode(s), let ns = Namespace(bytes: b) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a 29-byte hex namespace"))
        }
        self = ns
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(Hex.encode(bytes))
    }
}

/// A blob's identity: SHA-256(namespace ‖ data). Content-addressed, so putting the same bytes in the
/// same namespace twice is one blob.
public struct BlobID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let digest: Digest
    public init(digest: Digest) { self.digest = digest }
    public init(namespace: Namespace, data: [UInt8]) {
        var b = namespace.bytes
        b.append(contentsOf: data)
        digest = SHA256.hash(b)
    }
    /// 64 hex digits.
    public init?(hex: String) {
        guard hex.count == 64, let d = Digest(hex: hex) else { return nil }
        digest = d
    }
    public var hex: String { digest.hex }
    public var description: String { digest.hex }
    public static func < (a: BlobID, b: BlobID) -> Bool { a.digest < b.digest }
    public init(from decoder: Decoder) throws { digest = try Digest(from: decoder) }
    public func encode(to encoder: Encoder) throws { try digest.encode(to: encoder) }
}
