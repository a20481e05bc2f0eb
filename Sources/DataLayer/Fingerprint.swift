import Foundation
import Merkle

/// The tiers a blob can live in, as a bit set.
public struct Tiers: OptionSet, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let hot = Tiers(rawValue: 1)
    public static let cold = Tiers(rawValue: 2)
    public var description: String { [contains(.hot) ? "hot" : nil, contains(.cold) ? "cold" : nil].compactMap { $0 }.joined(separator: "+") }
}

/// The record of one transfer of a blob into a tier: what the rollup commits to on chain (through the
/// fingerprint log's root). Byte layout in docs/archive-format.md; a log leaf is SHA-256(0x00 ‖ encoding).
public struct Fingerprint: Equatable, Sendable, Codable {
    public enum Kind: UInt8, Sendable, Codable, CustomStringConvertible {
        /// The blob was posted to the hot (DA) tier.
        case put = 1
        /// The blob was archived to the cold tier (and its hot copy released).
        case migrate = 2
        public var description: String { self == .put ? "put" : "migrate" }
    }
    public static let formatVersion: UInt8 = 1
    public static let maxPathLength = 1024

    public var kind: Kind
    public var blob: BlobID
    public var namespace: Namespace
    /// Where the stored form lives: `hot/<namespace>/<height>` or `cold/segments/<sha256>.seg#<frame>`.
    public var path: String
    /// When the transfer happened, milliseconds since 1970 (UTC).
    public var timestampMillis: Int64
    public var originalSize: UInt64
    public var originalHash: Digest
    /// The stored form: the lz4/raw bytes in the hot store, or the compressed frame holding the blob.
    public var storedSize: UInt64
    public var storedHash: Digest
    /// The tier's own commitment: Celestia's share commitment (put) or the Arweave data_root of the segment (migrate).
    public var commitment: Digest
    /// Tiers holding the blob once this transfer completes.
    public var tiers: Tiers

    public init(kind: Kind, blob: BlobID, namespace: Namespace, path: String, timestampMillis: Int64, originalSize: UInt64,
                originalHash: Digest, storedSize: UInt64, storedHash: Digest, commitment: Digest, tiers: Tiers) {
        self.kind = kind; self.blob = blob; self.namespace = namespace; self.path = path; self.timestampMillis = timestampMillis
        self.originalSize = originalSize; self.originalHash = originalHash; self.storedSize = storedSize; self.storedHash = storedHash
        self.commitment = commitment; self.tiers = tiers
    }

    /// The canonical encoding (the log leaf's data).
    public var encoded: [UInt8] {
        var w = ByteWriter(endianness: .little)
        w.u8(Self.formatVersion); w.u8(kind.rawValue); w.digest(blob.digest); w.raw(namespace.bytes)
        w.i64(timestampMillis); w.u64(originalSize); w.digest(originalHash); w.u64(storedSize); w.digest(storedHash)
        w.digest(commitment); w.u8(tiers.rawValue)
        let p = Array(path.utf8)
        w.u16(UInt16(p.count)); w.raw(p)
        return w.bytes
    }

    public var leafHash: Digest { MerkleHash.leaf(encoded) }

    /// Decodes a record, checking every field.
    public init(decoding bytes: [UInt8]) throws(FormatError) {
        var r = ByteReader(bytes[...], what: "fingerprint")
        let v = try r.u8("version")
        guard v == Self.formatVersion else { throw .unsupportedVersion(what: "fingerprint", version: Int(v)) }
        guard let k = Kind(rawValue: try r.u8("kind")) else { throw .inconsistent("fingerprint kind is neither put (1) nor migrate (2)") }
        kind = k
        blob = BlobID(digest: try r.digest("blob id"))
        namespace = Namespace(bytes: Array(try r.take(Namespace.size, "namespace")))!
        timestampMillis = try r.i64("timestamp")
        originalSize = try r.u64("original size"); originalHash = try r.digest("original hash")
        storedSize = try r.u64("stored size"); storedHash = try r.digest("stored hash")
        commitment = try r.digest("commitment")
        let t = try r.u8("tiers")
        guard t & ~3 == 0, t != 0 else { throw .inconsistent("fingerprint tiers \(t) is not a non-empty subset of {hot, cold}") }
        tiers = Tiers(rawValue: t)
        let n = Int(try r.u16("path length"))
        guard n <= Self.maxPathLength else { throw .limitExceeded(what: "fingerprint path length", value: UInt64(n), limit: UInt64(Self.maxPathLength)) }
        guard let p = String(validating: try r.take(n, "path"), as: UTF8.self) else { throw .inconsistent("fingerprint path is not UTF-8") }
        path = p
        try r.finish()
    }

    /// For `migrate` records: where the cold copy lives, parsed from the path.
    public var coldLocation: ColdLocation? { kind == .migrate ? ColdLocation(path: path) : nil }
}

/// Where a cold copy lives: a segment (by content address) and the frame inside it that holds the
/// blob. Its `path` is committed, byte for byte, in `migrate` fingerprints; this formatter and its
/// parser are the only code that writes or reads that string.
public struct ColdLocation: Hashable, Sendable {
    public var segment: Digest
    public var frame: Int
    public init(segment: Digest, frame: Int) { self.segment = segment; self.frame = frame }

    static let prefix = "cold/segments/"

    /// `cold/segments/<segment sha256 hex>.seg#<frame>` (docs/archive-format.md).
    public var path: String { "\(Self.prefix)\(segment.hex).seg#\(frame)" }

    /// Parses what `path` writes; nil for anything else.
    public init?(path: String) {
        guard path.hasPrefix(Self.prefix) else { return nil }
        let parts = path.dropFirst(Self.prefix.count).split(separator: "#", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].hasSuffix(".seg"), let d = Digest(hex: String(parts[0].dropLast(4))),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let f = Int(parts[1]), f >= 0 else { return nil }
        self.init(segment: d, frame: f)
    }
}

/// Where a hot copy lives, as a `put` fingerprint's path records it: the low 10 bytes of the namespace
/// (its id) and the DA height. Formatted here only.
public struct HotLocation: Hashable, Sendable {
    public var namespace: Namespace
    public var height: UInt64
    public init(namespace: Namespace, height: UInt64) { self.namespace = namespace; self.height = height }
    /// `hot/<hex of the namespace's last 10 bytes>/<height>` (docs/archive-format.md).
    public var path: String { "hot/\(Hex.encode(namespace.bytes.suffix(10)))/\(height)" }
}
