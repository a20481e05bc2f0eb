import ChainCodec
import Foundation

/// One file measured: the codec against general-purpose compressors on the same bytes, same run.
public struct CodecMeasurement: Sendable {
    public var kind: String
    public var file: String
    public var transform: String
    public var rawBytes: Int
    public var codecBytes: Int
    public var zstd19Bytes: Int
    public var xzBytes: Int?
    public var brotliBytes: Int?
    public var encodeMBps: Double
    public var decodeMBps: Double
    /// Stored bytes of columns that are hashes, roots, PoW seals and other values no model predicts
    /// (headers: stateRoot, mixHash, nonce, new tx/receipt/ommers roots, literal parent hashes; hex text:
    /// the 32-byte value columns after zstd, i.e. the distinct hashes, roots and signature halves): the
    /// honest floor of what the transform can reach. nil for the general path, where no split is known.
    public var floorBytes: Int?

    public var ratio: Double { Double(rawBytes) / Double(max(codecBytes, 1)) }
    public var zstd19Ratio: Double { Double(rawBytes) / Double(max(zstd19Bytes, 1)) }
    public var gainOverZstd19: Double { Double(zstd19Bytes) / Double(max(codecBytes, 1)) }
}

/// Per-kind totals, for the claims row `data.codec-ratio`.
public struct CodecKindSummary: Sendable {
    public var kind: String
    public var files: Int
    public var rawBytes: Int
    public var codecBytes: Int
    public var zstd19Bytes: Int
    public var ratio: Double { Double(rawBytes) / Double(max(codecBytes, 1)) }
    public var gainOverZstd19: Double { Double(zstd19Bytes) / Double(max(codecBytes, 1)) }
}

/// The measurements behind the claim "cold data compressed up to 1/20 of the original size": the chain-aware
/// codec on every corpus file, against `zstd -19 --long=27`, `xz -9` and `brotli 11` on the same file.
public enum CodecMeasure {
    static let floorColumns = ["f00-parentHash-data", "f01-ommersHash-data", "f03-stateRoot-data", "f04-transactionsRoot-data",
                               "f05-receiptsRoot-data", "f13-mixHash-data", "f14-nonce-data", "f16-withdrawalsRoot-data",
                               "f19-parentBeaconRoot-data", "f20-requestsHash-data"]

    /// Measures every corpus file under `shared/corpus`. `only` keeps files whose relative path contains it.
    /// Comparison compressors that are not installed give nil. Returns [] when the corpus is absent.
    public static func measure(shared: URL, only: String? = nil, level: Int32 = ChainCodec.defaultLevel,
                               runExternal: Bool = true) -> [CodecMeasurement] {
        let corpus = shared.appendingPathComponent("corpus")
        let files = Corpus.files(shared).filter { only == nil || $0.contains(only!) }
        var rows: [CodecMeasurement] = []
        for rel in files {
            let url = corpus.appendingPathComponent(rel)
            guard let data = try? Data(contentsOf: url) else { continue }
            let bytes = [UInt8](data)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let archive = ChainCodec.encode(bytes, level: level)
            let t1 = DispatchTime.now().uptimeNanoseconds
            var reps = 0
            let d0 = DispatchTime.now().uptimeNanoseconds
            var d1 = d0
            repeat {
                guard let back = try? ChainCodec.decode(archive), back == bytes else {
                    fatalError("ChainCodec round trip failed on \(rel): a codec bug, please report")
                }
                reps += 1
                d1 = DispatchTime.now().uptimeNanoseconds
            } while d1 - d0 < 200_000_000 && reps < 50
            let transform = (try? ChainCodec.header(archive).transform.description) ?? "?"
            var floor: Int?
            if let t = try? ChainCodec.header(archive).transform, t == .rlpColumns || t == .hexColumns || t == .hexColumns2,
               let cols = try? ChainCodec.columns(archive) {
                floor = cols.filter { floorColumns.contains($0.name) || $0.name.hasPrefix("h32-") }.reduce(0) { $0 + $1.bytes }
            }
            let mb = Double(bytes.count) / 1e6
            rows.append(CodecMeasurement(
                kind: kindName(bytes), file: rel, transform: transform, rawBytes: bytes.count,
                codecBytes: archive.count,
                zstd19Bytes: runExternal ? (ExternalCompressor.zstd19.compressedSize(.file(url)) ?? 0) : 0,
                xzBytes: runExternal ? ExternalCompressor.xz9.compressedSize(.file(url)) : nil,
                brotliBytes: runExternal ? ExternalCompressor.brotli11.compressedSize(.file(url)) : nil,
                encodeMBps: mb / (Double(t1 - t0) / 1e9),
                decodeMBps: mb * Double(reps) / (Double(d1 - d0) / 1e9),
                floorBytes: floor))
        }
        return rows
    }

    /// The kind reported for a file: `detect`'s, with JSON that carries recomputable transactions
    /// (JSON-RPC block exports) reported apart as "json-rpc", the kind the 1.5× target names.
    public static func kindName(_ bytes: [UInt8]) -> String {
        let k = ChainCodec.detect(bytes)
        return k == .json && ChainCodec.recomputableHashes(bytes) > 0 ? "json-rpc" : k.rawValue
    }

    /// Totals per data kind.
    public static func summary(_ rows: [CodecMeasurement]) -> [CodecKindSummary] {
        var by: [String: CodecKindSummary] = [:]
        for r in rows {
            var s = by[r.kind] ?? CodecKindSummary(kind: r.kind, files: 0, rawBytes: 0, codecBytes: 0, zstd19Bytes: 0)
            s.files += 1
            s.rawBytes += r.rawBytes
            s.codecBytes += r.codecBytes
            s.zstd19Bytes += r.zstd19Bytes
            by[r.kind] = s
        }
        return by.values.sorted { $0.kind < $1.kind }
    }
}
