// ChainCodec: Caldera's chain-aware archive codec. It recognises chain data (RLP block-header streams,
// era1 archives, JSON-RPC exports and other hex text), splits it into typed columns that compress far better
// than the raw bytes, recomputes what can be recomputed (parent and ommers hashes, total difficulties,
// transaction hashes, via Keccak-256) and falls back to plain zstd for everything else. The C core
// (CCaldera: keccak.c, rlpcol.c, hexcol.c, era1.c, columns.c, snappy.c, txhash.c) does the hot loops; this module owns the versioned
// container, its strict decoder and the value-type API, and nothing else: no files, processes or clocks
// (the measurements against other compressors are `Measure.CodecMeasure`). The format is specified byte by
// byte in docs/archive-codec.md.

import CCaldera
import Wire

/// Why an archive could not be decoded. Decoding never traps on any input, and never returns bytes
/// other than the ones that were encoded: the container's SHA-256 of the original is checked last.
public enum ChainCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The container's bytes themselves: a field cut short, a bad varint, bytes after the payload.
    case wire(WireError)
    case badMagic
    case unsupportedVersion(UInt8)
    case unknownTransform(UInt8)
    case payload(transform: String, reason: String)
    case checksumMismatch

    public var description: String {
        switch self {
        case let .wire(w):
            if case .tooLarge = w.reason, w.field == "original length" {
                "archive: \(w) (raise maxOutputBytes if the archive is trusted)"
            } else { "archive: \(w)" }
        case .badMagic: "not a Caldera chain-codec archive (bad magic; expected \"CALZ\")"
        case let .unsupportedVersion(v): "archive format version \(v) is newer than this codec (supports 1); upgrade Caldera"
        case let .unknownTransform(t): "unknown transform id \(t); this archive needs a newer codec"
        case let .payload(t, r): "\(t) payload is corrupt: \(r)"
        case .checksumMismatch: "decoded bytes do not match the archive's SHA-256: the archive is corrupt"
        }
    }
}

/// The transform that produced an archive's payload. Ids are never reused: a codec improvement gets
/// a new id, and every id ever written stays decodable.
public enum Transform: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// The original bytes, unchanged (when nothing compresses them).
    case stored = 0
    /// One zstd frame (level 19, long window) of the original bytes: the general path.
    case zstd = 1
    /// RLP items split into per-field columns (block-header layout), each column zstd'd.
    case rlpColumns = 2
    /// Text with hex values: skeleton + binary values in columns by shape and JSON key, each zstd'd.
    case hexColumns = 3
    /// era1 (e2store): snappy entries stored as RLP (headers as `rlpColumns`), TDs and index recomputed.
    case era1Columns = 4
    /// `hexColumns` plus recompute markers: JSON-RPC transaction hashes rebuilt from the object's fields.
    case hexColumns2 = 5
    /// `era1Columns` plus recomputed ommers hashes (Keccak-256 of each block's uncle list, from its body)
    /// and uncle parent hashes restored from the chain's own recent block hashes.
    case era1Columns2 = 6

    public var description: String {
        switch self {
        case .stored: "stored"
        case .zstd: "zstd"
        case .rlpColumns: "rlp-columns/1"
        case .hexColumns: "hex-columns/1"
        case .era1Columns: "era1-columns/1"
        case .hexColumns2: "hex-columns/2"
        case .era1Columns2: "era1-columns/2"
        }
    }
}

/// What the container header says, without decoding the payload.
public struct ArchiveHeader: Equatable, Sendable {
    public var formatVersion: UInt8
    public var transform: Transform
    public var originalLength: UInt64
    public var sha256: [UInt8]
    public var payloadOffset: Int
    public var payloadLength: Int
}

enum Container {
    static let magic: [UInt8] = Array("CALZ".utf8)
    static let version: UInt8 = 1

    static func write(transform: Transform, original: [UInt8], digest: [UInt8], payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(magic)
        w.u8(version)
        w.u8(transform.rawValue)
        w.varint(UInt64(original.count))
        w.raw(digest)
        w.varint(UInt64(payload.count))
        w.raw(payload)
        return w.bytes
    }

    /// The header fields from the first bytes of an archive (the payload need not be there yet), or nil
    /// if `prefix` is too short to hold the header: lets a reader refuse a non-archive or an oversized
    /// declaration after a few bytes instead of after reading the whole input.
    static func peek(_ prefix: [UInt8]) throws(ChainCodecError) -> (transform: Transform, originalLength: UInt64, headerLength: Int, payloadLength: UInt64)? {
        var r = ByteReader(prefix, endianness: .big)
        do throws(ChainCodecError) {
            guard Array(try r.take(4, "magic")) == magic else { throw ChainCodecError.badMagic }
            let v = try r.u8("format version")
            guard v == version else { throw ChainCodecError.unsupportedVersion(v) }
            let t = try r.u8("transform id")
            guard let transform = Transform(rawValue: t) else { throw ChainCodecError.unknownTransform(t) }
            let n = try r.varint("original length")
            _ = try r.take(32, "SHA-256")
            let p = try r.varint("payload length")
            return (transform, n, r.offset, p)
        } catch .wire(let w) where { if case .truncated = w.reason { true } else { false } }() {
            if prefix.count < 4, !magic.starts(with: prefix) { throw .badMagic }
            return nil
        }
    }

    static func readHeader(_ bytes: [UInt8], maxOutputBytes: Int) throws(ChainCodecError) -> ArchiveHeader {
        var r = ByteReader(bytes, endianness: .big)
        let m = try r.take(4, "magic")
        guard Array(m) == magic else { throw .badMagic }
        let v = try r.u8("format version")
        guard v == version else { throw .unsupportedVersion(v) }
        let t = try r.u8("transform id")
        guard let transform = Transform(rawValue: t) else { throw .unknownTransform(t) }
        let n = try r.varint("original length")
        let limit = UInt64(max(0, maxOutputBytes))
        try r.check("original length", n, atMost: limit)  // the caller's maxOutputBytes
        let digest = Array(try r.take(32, "SHA-256"))
        let p = try r.varint("payload length")
        guard p <= UInt64(r.remaining) else { throw .wire(WireError(field: "payload", reason: .truncated(need: Int(clamping: p), have: r.remaining))) }
        guard p == UInt64(r.remaining) else { throw .wire(WireError(field: "payload", reason: .trailingBytes(r.remaining - Int(p)))) }
        return ArchiveHeader(formatVersion: v, transform: transform, originalLength: n, sha256: digest,
                             payloadOffset: r.offset, payloadLength: Int(p))
    }
}

// The reader and writer are Wire's; its errors map onto ChainCodecError's cases.
typealias ByteReader = Wire.ByteReader<ChainCodecError>
typealias ByteWriter = Wire.ByteWriter

extension ChainCodecError: WireErrorConvertible {
    public init(_ wire: WireError) { self = .wire(wire) }
}
