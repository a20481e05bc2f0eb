import Merkle
import Wire

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

// The on-disk formats are little-endian; the reader and writer are Wire's, and its errors map onto
// FormatError's cases (so messages read as before).
typealias ByteReader = Wire.ByteReader<FormatError>
typealias ByteWriter = Wire.ByteWriter

extension FormatError: WireErrorConvertible {
    public init(_ wire: WireError) {
        switch wire.reason {
        case let .truncated(need, have): self = .truncated(what: wire.field, need: need, have: have)
        case .badVarint: self = .inconsistent("\(wire.field): bad varint")
        case let .tooLarge(v, l): self = .limitExceeded(what: wire.field, value: v, limit: l)
        case let .trailingBytes(n): self = .trailingBytes(what: wire.field, count: n)
        }
    }
}

extension Wire.ByteReader where Failure == FormatError {
    /// A little-endian reader whose errors name `what` (the object being read).
    init(_ bytes: ArraySlice<UInt8>, what: String) { self.init(bytes, endianness: .little, context: what) }
    /// u32 length (at most `limit`), then that many bytes.
    mutating func blob(_ field: String, limit: Int) throws(FormatError) -> [UInt8] { try lengthPrefixed(field, width: UInt32.self, max: limit) }
}

extension Wire.ByteWriter {
    /// u32 length, then the bytes.
    mutating func blob(_ b: [UInt8]) { lengthPrefixed(b, width: UInt32.self) }
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
