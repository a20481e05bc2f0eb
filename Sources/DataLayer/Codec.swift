// DataLayer: Caldera's data layer — hot blobs (HotStore), the cold archive of compressed segments
// (ColdArchive, Segment), the tiering policy and migration between them (TieringPolicy, DataStore.migrate),
// the append-only fingerprint log whose root a rollup commits on chain (FingerprintLog), the
// commitments Celestia and Arweave would compute (CelestiaCommitment, ArweaveDataRoot) and the cost
// model (CostModel). Compression runs in the C core (CCaldera, codec.c); hashing and Merkle trees come from
// the Merkle module. `DataStore` ties the embedded backends together behind one directory.
import CCaldera
import Foundation

/// Why compressing or decompressing failed (the C core's error, named).
public struct CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    public let operation: String
    public let reason: String
    public var description: String { "\(operation) failed: \(reason)" }
    init(_ operation: String, _ code: Int) {
        self.operation = operation
        self.reason = String(cString: cal_error_name(code))
    }
}

/// zstd through the C core: levels, long-distance matching, dictionaries.
public enum Zstd {
    public struct Parameters: Equatable, Sendable, Codable {
        public var level: Int
        /// 0: the level's default window; otherwise log2 of the window (27 = 128 MiB).
        public var windowLog: Int
        public var longDistanceMatching: Bool
        public init(level: Int = 19, windowLog: Int = 27, longDistanceMatching: Bool = true) {
            self.level = level; self.windowLog = windowLog; self.longDistanceMatching = longDistanceMatching
        }
        var c: cal_zstd_params {
            cal_zstd_params(level: Int32(level), window_log: Int32(windowLog), long_distance: longDistanceMatching ? 1 : 0, checksum: 1)
        }
    }

    /// One zstd frame (content size recorded, xxhash checksum on).
    public static func compress(_ src: [UInt8], parameters: Parameters, dictionary: [UInt8]? = nil) throws(CodecError) -> [UInt8] {
        let bound = cal_zstd_bound(src.count)
        var out = [UInt8](repeating: 0, count: bound)
        let rc = src.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { d in
                (dictionary ?? []).withUnsafeBytes { dict in
                    cal_zstd_compress(d.baseAddress, d.count, s.baseAddress, s.count,
                                      dict.count > 0 ? dict.baseAddress : nil, dict.count, parameters.c)
                }
            }
        }
        if cal_is_error(rc) != 0 { throw CodecError("zstd compression", rc) }
        out.removeLast(out.count - rc)
        return out
    }

    /// Decompresses exactly one frame whose recorded content size must be `expectedSize` (a decoder of
    /// untrusted bytes never allocates more than it was told to expect).
    public static func decompress<Bytes: ContiguousBytes>(_ src: Bytes, expectedSize: Int, dictionary: [UInt8]? = nil,
                                                          windowLogMax: Int = 31) throws(CodecError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expectedSize)
        let rc: Int = src.withUnsafeBytes { s in
            let declared = cal_zstd_frame_content_size(s.baseAddress, s.count)
            if cal_is_error(declared) != 0 { return declared }
            if declared != expectedSize { return Int.max } // reported below
            return out.withUnsafeMutableBytes { d in
                (dictionary ?? []).withUnsafeBytes { dict in
                    cal_zstd_decompress(d.baseAddress, d.count, s.baseAddress, s.count,
                                        dict.count > 0 ? dict.baseAddress : nil, dict.count, Int32(windowLogMax))
                }
            }
        }
        if rc == Int.max { throw CodecError(operation: "zstd decompression", reason: "frame declares a size other than the index's \(expectedSize) bytes") }
        if cal_is_error(rc) != 0 { throw CodecError("zstd decompression", rc) }
        if rc != expectedSize { throw CodecError(operation: "zstd decompression", reason: "got \(rc) bytes, expected \(expectedSize)") }
        return out
    }

    /// The first `prefixSize` bytes of one frame, decompressing nothing beyond them (the blob's hash, not
    /// the frame checksum, then vouches for them).
    public static func decompressPrefix<Bytes: ContiguousBytes>(_ src: Bytes, prefixSize: Int, dictionary: [UInt8]? = nil,
                                                                windowLogMax: Int = 31) throws(CodecError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: prefixSize)
        if prefixSize == 0 { return out }
        let rc = src.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { d in
                (dictionary ?? []).withUnsafeBytes { dict in
                    cal_zstd_decompress_prefix(d.baseAddress, prefixSize, s.baseAddress, s.count,
                                               dict.count > 0 ? dict.baseAddress : nil, dict.count, Int32(windowLogMax))
                }
            }
        }
        if cal_is_error(rc) != 0 { throw CodecError("zstd decompression", rc) }
        return out
    }

    /// ZDICT_trainFromBuffer over the samples; nil when zstd cannot train one (too few/small samples).
    public static func trainDictionary(samples: [[UInt8]], capacity: Int = 64 << 10) -> [UInt8]? {
        guard samples.count >= 8 else { return nil }
        let flat = samples.flatMap { $0 }
        let sizes = samples.map { $0.count }
        var dict = [UInt8](repeating: 0, count: capacity)
        let rc = flat.withUnsafeBytes { s in
            sizes.withUnsafeBufferPointer { z in
                dict.withUnsafeMutableBytes { d in
                    cal_zdict_train(d.baseAddress, d.count, s.baseAddress, z.baseAddress, UInt32(samples.count))
                }
            }
        }
        guard cal_is_error(rc) == 0, rc > 0 else { return nil }
        dict.removeLast(dict.count - rc)
        return dict
    }
}

extension CodecError {
    init(operation: String, reason: String) { self.operation = operation; self.reason = reason }
}

/// LZ4 blocks through the C core (the hot store's fast path).
public enum LZ4 {
    public static func compress(_ src: [UInt8], acceleration: Int = 1) throws(CodecError) -> [UInt8] {
        let bound = cal_lz4_bound(src.count)
        guard cal_is_error(bound) == 0 else { throw CodecError(operation: "lz4 compression", reason: "input of \(src.count) bytes is above LZ4's limit") }
        var out = [UInt8](repeating: 0, count: bound)
        let rc = src.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { d in cal_lz4_compress(d.baseAddress, d.count, s.baseAddress, s.count, Int32(acceleration)) }
        }
        if cal_is_error(rc) != 0 { throw CodecError("lz4 compression", rc) }
        out.removeLast(out.count - rc)
        return out
    }

    public static func decompress<Bytes: ContiguousBytes>(_ src: Bytes, originalSize: Int) throws(CodecError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: originalSize)
        let rc = src.withUnsafeBytes { s in
            out.withUnsafeMutableBytes { d in cal_lz4_decompress(d.baseAddress, d.count, s.baseAddress, s.count, originalSize) }
        }
        if cal_is_error(rc) != 0 { throw CodecError("lz4 decompression", rc) }
        return out
    }
}
