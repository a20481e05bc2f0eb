// DataClaims: the measurements behind the data layer's headline numbers (`caldera claims --only data`).
// Every figure is measured in the run that prints it, on the shared corpus, with its conditions stated.
import DataLayer
import Foundation
import Measure
import Merkle

public enum DataClaims {
    /// Per-source and overall byte counts: raw, Caldera's cold archive, and the reference CLIs.
    public struct CompressionResult: Sendable {
        public struct Row: Sendable {
            public var source: String
            public var files: Int
            public var raw: UInt64
            public var cold: UInt64
            public var zstdCLI: UInt64?
            public var xzCLI: UInt64?
        }
        public var rows: [Row]
        public var parameters: Zstd.Parameters
        public var seconds: Double
        public var putMBps: Double
        public var migrateMBps: Double
        public var total: Row {
            Row(source: "overall", files: rows.reduce(0) { $0 + $1.files }, raw: rows.reduce(0) { $0 + $1.raw }, cold: rows.reduce(0) { $0 + $1.cold },
                zstdCLI: rows.allSatisfy { $0.zstdCLI != nil } ? rows.reduce(0) { $0 + $1.zstdCLI! } : nil,
                xzCLI: rows.allSatisfy { $0.xzCLI != nil } ? rows.reduce(0) { $0 + $1.xzCLI! } : nil)
        }
    }

    /// Puts every corpus file into a fresh store (one namespace per source), migrates everything with
    /// `parameters`, and measures the cold bytes per source; runs `zstd -19 --long=27` and `xz -9` on the
    /// same files (concatenated per source, as a tar would) in the same run.
    public static func measureCompression(sources: [Corpus.Source], parameters: Zstd.Parameters = Zstd.Parameters(level: 19, windowLog: 27, longDistanceMatching: true),
                                          runCLIs: Bool = true) throws -> CompressionResult {
        let clock = ContinuousClock()
        let start = clock.now
        var zstd = [String: ExternalCompressor.Running](), xz = [String: ExternalCompressor.Running]()
        if runCLIs {
            for s in sources {
                zstd[s.name] = ExternalCompressor.zstd19.start(.concatenation(s.files))
                xz[s.name] = ExternalCompressor.xz9.start(.concatenation(s.files))
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-claims-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        var raw = [String: UInt64]()
        var rawTotal: UInt64 = 0
        var contents = [(Corpus.Source, [[UInt8]])]()
        for s in sources {
            let blobs = try s.files.map { [UInt8](try Data(contentsOf: $0)) }
            contents.append((s, blobs))
            raw[s.name] = blobs.reduce(0) { $0 + UInt64($1.count) }
            rawTotal += raw[s.name]!
        }
        let now = Int64(Date().timeIntervalSince1970)
        let t0 = clock.now
        for (s, blobs) in contents { _ = try store.put(blobs.map { (s.namespace, $0) }, time: now, nowMillis: now * 1000) }
        let putTime = (clock.now - t0).seconds
        let t1 = clock.now
        _ = try store.migrate(options: .init(policy: TieringPolicy(hotWindow: 0), parameters: parameters), now: now, nowMillis: now * 1000)
        let migrateTime = (clock.now - t1).seconds
        // cold bytes per namespace: its segments plus the dictionaries they use
        var cold = [Namespace: UInt64]()
        var dictSeen = Set<Digest>()
        for a in try store.cold.segments() {
            let idx = try store.cold.index(of: a)
            cold[idx.namespace, default: 0] += store.cold.size(of: a)
            if let d = idx.dictionary, dictSeen.insert(d).inserted { cold[idx.namespace, default: 0] += UInt64(try store.cold.dictionary(d).count) }
        }
        var rows = [CompressionResult.Row]()
        for s in sources {
            rows.append(.init(source: s.name, files: s.files.count, raw: raw[s.name]!, cold: cold[s.namespace] ?? 0,
                              zstdCLI: zstd[s.name]?.wait().map(UInt64.init), xzCLI: xz[s.name]?.wait().map(UInt64.init)))
        }
        return CompressionResult(rows: rows, parameters: parameters, seconds: (clock.now - start).seconds,
                                 putMBps: Double(rawTotal) / 1e6 / putTime, migrateMBps: Double(rawTotal) / 1e6 / migrateTime)
    }

    static func ratio(_ raw: UInt64, _ c: UInt64?) -> String {
        guard let c, c > 0 else { return "n/a" }
        return String(format: "%.2f×", Double(raw) / Double(c))
    }

    public static func measure(_ context: ClaimContext) -> [ClaimResult] {
        guard let shared = context.sharedDirectory else {
            return [ClaimResult(id: "data.compression-ratio", claim: "cold archive compresses chain data 20× (seed)", target: "≥ 20× (seed)",
                                measured: 0, unit: "×", holds: false, conditions: "not measured: no shared directory (set CALDERA_SHARED)")]
        }
        let claim = "Older data migrates to the permanent archive compressed (seed: to 1/20 of its size)"
        var rows = [ClaimResult]()
        var measuredRatio = 0.0
        do {
            // Headline: each piece of data once (the corpus' derived files, re-encodings of other files, left out).
            let originals = Corpus.sources(shared, excludingDerived: true)
            let r = try measureCompression(sources: originals)
            let all = try measureCompression(sources: Corpus.sources(shared), runCLIs: true)
            let t = r.total, ta = all.total
            measuredRatio = Double(t.raw) / Double(max(t.cold, 1))
            let derived = Corpus.derivedFiles(shared).count
            var cond = "corpus \(shared.appendingPathComponent("corpus").path) without its \(derived) derived files (RLP decoded from the era1 files, hex-decoded calldata: they repeat other files' content): "
            cond += "\(t.files) files, \(t.raw) bytes, one namespace per source; "
            cond += "put → migrate --older-than 0s with zstd level \(r.parameters.level), window 2^\(r.parameters.windowLog), long-distance matching, "
            cond += "32 MiB frames, per-namespace dictionaries when a trial shows they pay, and the chain-aware codec (docs/archive-codec.md) for each blob it recognises "
            cond += "(era1, RLP headers, JSON-RPC/hex text) where the per-blob trial says it wins and the blobs do not repeat each other (archive-format.md); cold bytes = segment files + dictionaries. "
            cond += "Per source (ours | zstd -19 --long=27 | xz -9 on the same files concatenated, same run): "
            cond += r.rows.map { "\($0.source) \(ratio($0.raw, $0.cold)) | \(ratio($0.raw, $0.zstdCLI)) | \(ratio($0.raw, $0.xzCLI))" }.joined(separator: "; ")
            cond += ". Overall: ours \(ratio(t.raw, t.cold)), zstd CLI \(ratio(t.raw, t.zstdCLI)), xz CLI \(ratio(t.raw, t.xzCLI)). "
            cond += "All \(ta.files) files, derived ones included (\(ta.raw) bytes): ours \(ratio(ta.raw, ta.cold)), zstd CLI \(ratio(ta.raw, ta.zstdCLI)), xz CLI \(ratio(ta.raw, ta.xzCLI)) — "
            cond += "there one long-window zstd frame across an era1 file and the RLP decoded from it beats the codec, and the writer's group trial keeps solid frames. "
            cond += "The seed's 1/20 is not reached on this data: standalone the codec gets 5.5× on era1, 7.1× on RLP headers and 6.1× on JSON-RPC exports (data.codec-ratio); what remains is hashes, state roots, PoW seals and signatures. "
            cond += String(format: "Measured in %.1f s + %.1f s (put %.1f MB/s, migrate %.1f MB/s).", r.seconds, all.seconds, r.putMBps, r.migrateMBps)
            rows.append(ClaimResult(id: "data.compression-ratio", claim: claim,
                                    target: "≥ 20× (seed)", measured: measuredRatio, unit: "×", holds: measuredRatio >= 20, conditions: cond))
        } catch {
            rows.append(ClaimResult(id: "data.compression-ratio", claim: claim,
                                    target: "≥ 20× (seed)", measured: 0, unit: "×", holds: false, conditions: "measurement failed: \(error)"))
        }
        rows.append(costRow(compressionRatio: measuredRatio > 0 ? measuredRatio : 1))
        rows.append(archiveBoundRow(shared))
        rows.append(migrationRow(shared))
        return rows
    }

    /// `data.archive-vs-zstd`: on every corpus directory and every synthetic export (alone and all
    /// together), the archive's cold bytes against `zstd -19 --long=27` (+ the index), `xz -9`, `brotli 11`.
    /// Every corpus file alone is in `data-benchmarks --archive` (docs/benchmarks-data.md).
    static func archiveBoundRow(_ shared: URL) -> ClaimResult {
        let claim = "The cold archive is never larger than zstd -19 --long=27 over the same blobs, plus its index"
        let target = "cold ≤ zstd -19 --long=27 + index on every unit"
        do {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-claims-synthetic-\(getpid())")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let units = ArchiveMeasure.corpusUnits(shared).filter { $0.kind == "directory" } + (try ArchiveMeasure.syntheticUnits(in: dir))
            let results = try ArchiveMeasure.compare(units)
            let measured = results.compactMap { r in r.zstd.map { Double(r.cold) / Double($0 + r.overhead) } }
            let worst = measured.max() ?? 0
            let ratio = { (raw: UInt64, c: Int?) in c.map { String(format: "%.2f×", Double(raw) / Double($0)) } ?? "n/a" }
            var cond = "units: each corpus directory (one namespace, one segment) and each synthetic export written from its format's schema "
            cond += "(ethereum-etl CSV/JSON, JSON-RPC blocks and receipts, RLP headers and bodies, era1; Measure.SyntheticExports), alone and all together; "
            cond += "default migration (solid frames at zstd 19, window 2^27, long-distance matching; the codec at level \(Segment.EncodingChoice().chainLevel) for blobs a level-\(Segment.EncodingChoice().estimateLevel) trial gives it). "
            cond += "measured = the largest cold / (zstd + index) over the units. Per unit (ours | zstd -19 --long=27 | xz -9 | brotli 11, ratio; migrate MB/s): "
            cond += results.map { (r: ArchiveMeasure.UnitResult) -> String in
                let sizes: String = "\(ratio(r.raw, Int(r.cold))) | \(ratio(r.raw, r.zstd)) | \(ratio(r.raw, r.xz)) | \(ratio(r.raw, r.brotli))"
                let rate: String = String(format: "%.1f MB/s", Double(r.raw) / 1e6 / r.migrateSeconds)
                return "\(r.unit.name) " + sizes + "; " + rate + (r.withinBound == false ? " (ABOVE the bound)" : "")
            }.joined(separator: "; ")
            cond += ". Load average \(MachineLoad.oneMinute().map { String(format: "%.2f", $0) } ?? "?") at the end."
            return ClaimResult(id: "data.archive-vs-zstd", claim: claim, target: target, measured: worst, unit: "× of zstd+index",
                               holds: results.allSatisfy { $0.withinBound == true }, conditions: cond)
        } catch {
            return ClaimResult(id: "data.archive-vs-zstd", claim: claim, target: target, measured: 0, unit: "× of zstd+index", holds: false,
                               conditions: "measurement failed: \(error)")
        }
    }

    /// `data.migration-throughput`: end-to-end migrate of the corpus (both cores), with get latency and
    /// the bytes a get decompresses.
    static func migrationRow(_ shared: URL) -> ClaimResult {
        let claim = "Migration to the cold archive runs at ≥ 10 MB/s on this 2-core machine with the cold size within 3% of level 19's"
        let target = "≥ 10 MB/s, cold ≤ 1.03 × the level-19 size"
        do {
            let all = try ArchiveMeasure.throughput(Corpus.sources(shared))
            let originals = try ArchiveMeasure.throughput(Corpus.sources(shared, excludingDerived: true))
            let refAll = 34_726_520.0 / 5.88, refOriginals = Double(originals.raw) / 5.08
            let ms = { (x: Double) in String(format: "%.2f ms", x * 1e3) }
            let describe = { (name: String, t: ArchiveMeasure.Throughput, ref: Double) -> String in
                let mean = t.decompressed.reduce(0, +) / UInt64(max(1, t.decompressed.count))
                return "\(name): \(t.files) files, \(t.raw) B → \(t.cold) B (\(String(format: "%.2f×", t.ratio)); \(String(format: "%.3f", Double(t.cold) / ref)) of the level-19 size before issue #16), "
                    + String(format: "migrate %.1f MB/s wall, %.1f CPU-s over %d threads, load %@ → %@; ", t.migrateMBps, t.migrateCPU, t.workers,
                             t.loadBefore.map { String(format: "%.2f", $0) } ?? "?", t.loadAfter.map { String(format: "%.2f", $0) } ?? "?")
                    + "get hot p50/p99 \(ms(ArchiveMeasure.percentile(t.hot, 0.5)))/\(ms(ArchiveMeasure.percentile(t.hot, 0.99))), "
                    + "cold p50/p99 \(ms(ArchiveMeasure.percentile(t.coldLatency, 0.5)))/\(ms(ArchiveMeasure.percentile(t.coldLatency, 0.99))); "
                    + "bytes decompressed per get mean \(mean), max \(t.decompressed.max() ?? 0)"
            }
            let mbps = min(all.migrateMBps, originals.migrateMBps)
            let sizeOK = Double(all.cold) <= 1.03 * refAll && Double(originals.cold) <= 1.03 * refOriginals
            var cond = describe("all 35 files", all, refAll) + ". " + describe("24 originals", originals, refOriginals) + ". "
            cond += "Level-19 sizes before issue #16: 5.88× (all) and 5.08× (originals), data.compression-ratio of 2026-11-25. "
            cond += "Wall-clock MB/s depend on what else runs on the machine (load stated); measured = the slower of the two."
            return ClaimResult(id: "data.migration-throughput", claim: claim, target: target, measured: mbps, unit: "MB/s",
                               holds: mbps >= 10 && sizeOK, conditions: cond)
        } catch {
            return ClaimResult(id: "data.migration-throughput", claim: claim, target: target, measured: 0, unit: "MB/s", holds: false,
                               conditions: "measurement failed: \(error)")
        }
    }

    /// `data.cost-reduction`: storage cost of 1 GB of rollup data kept 1 year, traditional vs tiered.
    public static func costRow(compressionRatio: Double, model: CostModel = CostModel(), retentionDays: Double = 365) -> ClaimResult {
        let gb = 1e9
        let b = model.compare(rawBytes: gb, compressionRatio: compressionRatio, retentionDays: retentionDays)
        let usd = { (x: Double) in String(format: "$%.3f", x) }
        var cond = "per 1 GB of rollup data, retention \(Int(retentionDays)) days, hot window 7 days, measured compression \(String(format: "%.2f", compressionRatio))×. "
        cond += "Traditional: kept hot (replicated SSD) for the whole retention = \(usd(b.traditionalStorage)). "
        cond += "Caldera: 7 days hot \(usd(b.calderaHot)) + Arweave one-time \(usd(b.calderaArchive)) + daily fingerprint root (one share in the rollup's Celestia batch) \(usd(b.calderaFingerprints)) = \(usd(b.calderaStorage)). "
        cond += "Both also pay the same Celestia posting fee \(usd(b.posting)); including it the reduction is \(String(format: "%.1f%%", b.totalReduction * 100)). "
        var curve = [String]()
        for d in [30.0, 90, 180, 365, 730, 1825, 3650] {
            let c = model.compare(rawBytes: gb, compressionRatio: compressionRatio, retentionDays: d)
            curve.append("\(Int(d))d \(String(format: "%.0f%%", c.storageReduction * 100))")
        }
        cond += "Storage reduction by retention: " + curve.joined(separator: ", ") + ". "
        if let be = model.breakEvenDays(rawBytes: gb, compressionRatio: compressionRatio) { cond += "Break-even at \(Int(be.rounded())) days. " }
        cond += "Against Ethereum DA, posting 1 GB costs \(usd(model.postingUSD(bytes: gb, da: .ethereumBlobs))) (blobs) or \(usd(model.postingUSD(bytes: gb, da: .ethereumCalldata))) (calldata). "
        cond += "Assumptions: " + model.parameters.map { "\($0.0) = \($0.1)" }.joined(separator: "; ")
        let pct = b.storageReduction * 100
        return ClaimResult(id: "data.cost-reduction", claim: "Tiered storage (7 days hot, then compressed permanent archive) is 45% cheaper than a traditional rollup",
                           target: "≥ 45% lower", measured: pct, unit: "%", holds: pct >= 45, conditions: cond)
    }
}
