// DataBenchmarks: put / get / migrate throughput (MB/s) and hot / cold read latency on the shared
// corpus, printed as Markdown for docs/benchmarks-data.md. Run in release:
//   swift run -c release data-benchmarks [level ...] | --frames | --cost [ratio]
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
