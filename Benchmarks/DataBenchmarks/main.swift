// DataBenchmarks: put / get / migrate throughput (MB/s) and hot / cold read latency on the shared
// corpus, printed as Markdown for docs/benchmarks-data.md. Run in release:
//   swift run -c release data-benchmarks [level ...] | --frames | --cost [ratio]
import ChainCodec
import DataLayer
import Foundation
import Measure
import Merkle

guard let shared = SharedDirectory.resolve() else { print("no shared data directory: set CALDERA_SHARED or run beside ../shared"); exit(2) }
let sources = Corpus.sources(shared)
guard !sources.isEmpty else { print("no corpus under \(shared.path)"); exit(2) }
let levels = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let sweepFrames = CommandLine.arguments.contains("--frames")

if CommandLine.arguments.contains("--cost") {
    // Storage-cost reduction by retention and compression ratio (CostModel defaults), for docs/data-layer.md.
    let m = CostModel()
    let days: [Double] = [30, 90, 180, 365, 730, 1825, 3650]
    let ratio = CommandLine.arguments.compactMap { Double($0) }.first ?? 5.85
    func daysTo(_ target: Double, _ r: Double) -> String {
        var lo = 7.0, hi = 36_525.0
        guard m.compare(rawBytes: 1e9, compressionRatio: r, retentionDays: hi).storageReduction >= target else { return "never" }
        for _ in 0..<60 { let mid = (lo + hi) / 2; if m.compare(rawBytes: 1e9, compressionRatio: r, retentionDays: mid).storageReduction >= target { hi = mid } else { lo = mid } }
        return "\(Int(hi.rounded())) d"
    }
    print("| compression | " + days.map { "\(Int($0)) d" }.joined(separator: " | ") + " | break-even | 45% from |")
    print("|---" + String(repeating: "|---", count: days.count + 2) + "|")
    for r in [1.0, 3.0, 5.0, 5.85, 10.0, 20.0] {
        let cells = days.map { String(format: "%.0f%%", m.compare(rawBytes: 1e9, compressionRatio: r, retentionDays: $0).storageReduction * 100) }
        let be = m.breakEvenDays(rawBytes: 1e9, compressionRatio: r).map { "\(Int($0.rounded())) d" } ?? "never"
        print("| \(String(format: "%.2f", r))× | " + cells.joined(separator: " | ") + " | \(be) | \(daysTo(0.45, r)) |")
    }
    print("")
    print("At the measured \(String(format: "%.2f", ratio))× compression, per GB:")
    print("")
    print("| retention | traditional storage | Caldera storage (hot + archive + roots) | DA posting (both) | reduction incl. posting |")
    print("|---|---|---|---|---|")
    for d in days {
        let b = m.compare(rawBytes: 1e9, compressionRatio: ratio, retentionDays: d)
        print(String(format: "| %d d | $%.3f | $%.3f + $%.3f + $%.3f = $%.3f | $%.2f | %.1f%% |", Int(d), b.traditionalStorage, b.calderaHot, b.calderaArchive,
                     b.calderaFingerprints, b.calderaStorage, b.posting, b.totalReduction * 100))
    }
    print("")
    print("| DA layer | posting 1 GB |")
    print("|---|---|")
    for da in CostModel.DA.allCases { print(String(format: "| %@ | $%.2f |", da.rawValue, m.postingUSD(bytes: 1e9, da: da))) }
    exit(0)
}
let clock = ContinuousClock()

if CommandLine.arguments.contains("--trials") {
    // How well the level-3 trial predicts the real sizes: codec and zstd at the trial level, the codec
    // at its level, zstd at 19 (long window), per corpus file and synthetic export.
    var inputs = sources.flatMap { s in s.files.map { ("\(s.name)/\($0.lastPathComponent)", (try? [UInt8](Data(contentsOf: $0))) ?? []) } }
    inputs += SyntheticExports.files(seed: 2026).map { ("synthetic/\($0.name)", $0.bytes) }
    let levels = CommandLine.arguments.compactMap { Int($0) }
    print("| file | codec@3 | zstd@3 | ratio@3 | " + levels.map { "codec@\($0)" }.joined(separator: " | ") + " | zstd@19 | ratio@final |")
    for (name, data) in inputs where ChainCodec.hasTransformCandidate(data) {
        let c3 = ChainCodec.encodeTransformed(data, level: 3)?.count ?? 0
        let z3 = try Zstd.compress(data, parameters: .init(level: 3)).count
        let cs = levels.map { ChainCodec.encodeTransformed(data, level: Int32($0))?.count ?? 0 }
        let z19 = try Zstd.compress(data, parameters: .init(level: 19)).count
        print("| \(name) | \(c3) | \(z3) | \(String(format: "%.3f", Double(c3) / Double(z3))) | " + cs.map(String.init).joined(separator: " | ")
              + " | \(z19) | \(String(format: "%.3f", Double(cs.last ?? 0) / Double(z19))) |")
    }
    exit(0)
}

if CommandLine.arguments.contains("--archive") {
    // Issue #16: cold archive vs zstd -19 --long=27, xz -9, brotli 11 on every corpus file and directory
    // and on the synthetic exports; then the corpus end to end (migration rate, get latency).
    //   data-benchmarks --archive [--codec-level N] [--jobs N] [--close PER-MILLE] [--no-files] [--only SUBSTRING] [--no-cli] [--no-throughput | --throughput-only]
    func value(_ flag: String) -> String? { CommandLine.arguments.firstIndex(of: flag).flatMap { $0 + 1 < CommandLine.arguments.count ? CommandLine.arguments[$0 + 1] : nil } }
    var options = ArchiveMeasure.defaultOptions
    if let l = value("--codec-level").flatMap(Int.init) { options.choice.chainLevel = l }
    if let j = value("--jobs").flatMap(Int.init) { options.choice.workers = j }
    if let c = value("--close").flatMap(Int.init) { options.choice.closePerMille = c }
    let synthDir = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-synthetic-\(getpid())")
    try FileManager.default.createDirectory(at: synthDir, withIntermediateDirectories: true)
    var units = ArchiveMeasure.corpusUnits(shared) + (try ArchiveMeasure.syntheticUnits(in: synthDir))
    if CommandLine.arguments.contains("--throughput-only") { units = [] }
    if CommandLine.arguments.contains("--no-files") { units = units.filter { $0.kind == "directory" || $0.kind == "mixed" } }
    if let only = value("--only") { units = units.filter { $0.name.contains(only) } }
    let tune: Set<String> = ["ethereumjs", "op-batcher-calldata"]
    print("codec level \(options.choice.chainLevel), trial level \(options.choice.estimateLevel), clear ≤ \(options.choice.clearPerMille)‰, close < \(options.choice.closePerMille)‰, slack \(options.choice.slackPerMille)‰, \(options.choice.workers) threads; load \(MachineLoad.oneMinute().map { String(format: "%.2f", $0) } ?? "?")")
    print("")
    print("| unit | part | kind | raw B | cold B | codec blobs | zstd -19 --long=27 | xz -9 | brotli 11 | cold / zstd | ≤ zstd + index | migrate MB/s |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    let results = try ArchiveMeasure.compare(units, options: options, runCLIs: !CommandLine.arguments.contains("--no-cli"))
    try? FileManager.default.removeItem(at: synthDir) // exit() below skips defers
    let fmt = { (x: Int?) in x.map(String.init) ?? "n/a" }
    for r in results {
        let part = r.unit.name.hasPrefix("synthetic") ? "report" : (tune.contains(String(r.unit.name.prefix { $0 != "/" })) ? "tune" : "report")
        print("| \(r.unit.name) | \(part) | \(r.unit.kind) | \(r.raw) | \(r.cold) | \(r.codecBlobs)/\(r.blobs) | \(fmt(r.zstd)) | \(fmt(r.xz)) | \(fmt(r.brotli)) | "
              + "\(r.zstd.map { String(format: "%.3f", Double(r.cold) / Double($0)) } ?? "n/a") | \(r.withinBound.map { $0 ? "yes" : "**no**" } ?? "n/a") | "
              + String(format: "%.1f", Double(r.raw) / 1e6 / r.migrateSeconds) + " |")
    }
    // Per data kind (single files only): ratio against each compressor.
    print("")
    print("| kind | files | raw B | cold | zstd -19 --long=27 | xz -9 | brotli 11 | migrate MB/s (one file at a time) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    let singles = results.filter { $0.unit.files.count == 1 && $0.unit.kind != "mixed" }
    for kind in Set(singles.map(\.unit.kind)).sorted() {
        let rs = singles.filter { $0.unit.kind == kind }
        let raw = Double(rs.reduce(0) { $0 + $1.raw })
        let ratio = { (f: (ArchiveMeasure.UnitResult) -> Int?) -> String in
            let sizes = rs.compactMap(f)
            return sizes.count == rs.count ? String(format: "%.2f×", raw / Double(sizes.reduce(0, +))) : "n/a"
        }
        print("| \(kind) | \(rs.count) | \(Int(raw)) | \(String(format: "%.2f×", raw / Double(rs.reduce(0) { $0 + $1.cold }))) | \(ratio(\.zstd)) | \(ratio(\.xz)) | \(ratio(\.brotli)) | "
              + String(format: "%.1f", raw / 1e6 / rs.reduce(0) { $0 + $1.migrateSeconds }) + " |")
    }
    if CommandLine.arguments.contains("--no-throughput") { exit(0) }
    print("")
    print("| corpus | files | raw B | cold B | ratio | migrate MB/s (wall) | migrate CPU s | load before / after | hot get p50 / p99 | cold get p50 / p99 | decompressed per get: mean / max |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---|---|")
    for (name, srcs) in [("all 35 files", Corpus.sources(shared)), ("24 originals (no derived files)", Corpus.sources(shared, excludingDerived: true))] {
        let t = try ArchiveMeasure.throughput(srcs, options: options)
        let ms = { (x: Double) in String(format: "%.2f ms", x * 1e3) }
        let mean = t.decompressed.reduce(0, +) / UInt64(max(1, t.decompressed.count))
        print("| \(name) | \(t.files) | \(t.raw) | \(t.cold) | \(String(format: "%.2f×", t.ratio)) | \(String(format: "%.1f", t.migrateMBps)) | \(String(format: "%.1f", t.migrateCPU)) | "
              + "\(t.loadBefore.map { String(format: "%.2f", $0) } ?? "?") / \(t.loadAfter.map { String(format: "%.2f", $0) } ?? "?") | "
              + "\(ms(ArchiveMeasure.percentile(t.hot, 0.5))) / \(ms(ArchiveMeasure.percentile(t.hot, 0.99))) | "
              + "\(ms(ArchiveMeasure.percentile(t.coldLatency, 0.5))) / \(ms(ArchiveMeasure.percentile(t.coldLatency, 0.99))) | "
              + "\(mean) / \(t.decompressed.max() ?? 0) |")
    }
    exit(0)
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, Int(Double(s.count - 1) * p))]
}

if sweepFrames {
    // Frame size vs ratio and cold read latency (level 19, window 2^27, LDM), whole corpus.
    print("| frame size | ratio | migrate MB/s | cold read p50 / p99 (whole corpus files) |")
    print("|---|---|---|---|")
    for mib in [1, 4, 16, 32, 64] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-bench-frames-\(getpid())-\(mib)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        var ids = [BlobID]()
        var total = 0.0
        for s in sources {
            let blobs = try s.files.map { [UInt8](try Data(contentsOf: $0)) }
            total += Double(blobs.reduce(0) { $0 + $1.count })
            ids += try store.put(blobs.map { (s.namespace, $0) }, time: 0, nowMillis: 0).map(\.id)
        }
        let t = clock.now
        _ = try store.migrate(options: .init(policy: TieringPolicy(hotWindow: 0), parameters: .init(level: 19, windowLog: 27, longDistanceMatching: true),
                                             frameTarget: mib << 20), now: 10, nowMillis: 10_000)
        let mbps = total / 1e6 / (clock.now - t).seconds
        var lat = [Double]()
        for id in ids {
            let t1 = clock.now
            _ = try store.get(id)
            lat.append((clock.now - t1).seconds)
        }
        let st = try store.stats()
        print("| \(mib) MiB | \(String(format: "%.2f", Double(st.cold.rawBytes) / Double(st.cold.bytes)))× | \(String(format: "%.1f", mbps)) | "
              + "\(String(format: "%.1f / %.1f ms", percentile(lat, 0.5) * 1e3, percentile(lat, 0.99) * 1e3)) |")
    }
    exit(0)
}

print("| workload | level | put MB/s | hot get MB/s | migrate MB/s | cold get MB/s | ratio | hot read p50 / p99 | cold read p50 / p99 |")
print("|---|---|---|---|---|---|---|---|---|")
for level in levels.isEmpty ? [3, 19] : levels {
    for workload in ["corpus files", "4 KiB blobs"] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-bench-\(getpid())-\(level)-\(workload.count)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        var blobs = [(Namespace, [UInt8])]()
        for s in sources {
            for f in s.files {
                let bytes = [UInt8](try Data(contentsOf: f))
                if workload == "corpus files" { blobs.append((s.namespace, bytes)); continue }
                var i = 0
                while i < bytes.count && blobs.count < 8192 { blobs.append((s.namespace, Array(bytes[i ..< min(bytes.count, i + 4096)]))); i += 4096 }
            }
        }
        let total = Double(blobs.reduce(0) { $0 + $1.1.count })
        var t = clock.now
        var ids = [BlobID]()
        for chunk in stride(from: 0, to: blobs.count, by: 256) {
            ids += try store.put(Array(blobs[chunk ..< min(blobs.count, chunk + 256)]), time: 0, nowMillis: 0).map(\.id)
        }
        let put = total / 1e6 / (clock.now - t).seconds
        var lat = [Double]()
        t = clock.now
        for id in ids {
            let t1 = clock.now
            _ = try store.get(id)
            lat.append((clock.now - t1).seconds)
        }
        let hotGet = total / 1e6 / (clock.now - t).seconds
        let hotLat = lat
        t = clock.now
        let r = try store.migrate(options: .init(policy: TieringPolicy(hotWindow: 0), parameters: .init(level: level, windowLog: 27, longDistanceMatching: true)),
                                  now: 10, nowMillis: 10_000)
        let migrate = total / 1e6 / (clock.now - t).seconds
        // Cold reads: every blob for whole files; a fixed sample of 300 for the 4 KiB workload (each small
        // read decompresses its frame up to the blob, so reading all 8192 would take minutes).
        lat = []
        var sample = ids
        if sample.count > 300 { var rng = SplitMix64(seed: 7); sample.shuffle(using: &rng); sample = Array(sample.prefix(300)) }
        var coldBytes = 0
        t = clock.now
        for id in sample {
            let t1 = clock.now
            coldBytes += try store.get(id).bytes.count
            lat.append((clock.now - t1).seconds)
        }
        let coldGet = Double(coldBytes) / 1e6 / (clock.now - t).seconds
        let st = try store.stats()
        let ms = { (x: Double) in String(format: "%.2f ms", x * 1e3) }
        print("| \(workload) (\(blobs.count) blobs, \(String(format: "%.1f", total / 1e6)) MB) | \(level) | \(String(format: "%.1f", put)) | \(String(format: "%.0f", hotGet)) | "
              + "\(String(format: "%.1f", migrate)) | \(String(format: coldGet < 10 ? "%.2f" : "%.0f", coldGet)) | \(String(format: "%.2f", Double(st.cold.rawBytes) / Double(max(st.cold.bytes, 1))))× | "
              + "\(ms(percentile(hotLat, 0.5))) / \(ms(percentile(hotLat, 0.99))) | \(ms(percentile(lat, 0.5))) / \(ms(percentile(lat, 0.99))) |")
        _ = r
    }
}
