// ArchiveMeasure: the cold archive against general-purpose compressors on the same bytes (issue #16),
// shared by `data-benchmarks --archive` and the `data.*` claim rows. Each unit (a corpus file, a corpus
// directory, a synthetic export, all synthetic exports) goes into a fresh store as one namespace, is
// migrated, and its cold bytes (segment files + dictionaries) are compared with `zstd -19 --long=27`,
// `xz -9` and `brotli -q 11` over the same files concatenated, run in the same process after ours.
import ChainCodec
import DataLayer
import Foundation
import Merkle

public enum ArchiveMeasure {
    /// A set of files archived together (one namespace, one time window: one segment up to 64 MiB).
    public struct Unit: Sendable {
        public var name: String
        /// Data kind (`ChainCodec.detect` of a single file; "directory" or "mixed" for groups).
        public var kind: String
        public var files: [URL]
    }

    public struct UnitResult: Sendable {
        public var unit: Unit
        public var raw: UInt64
        public var cold: UInt64
        public var zstd: Int?, xz: Int?, brotli: Int?
        /// The bound the archive promises: zstd -19 --long=27 plus the segment's header, footer and index.
        public var overhead: Int
        public var migrateSeconds: Double
        /// Blobs the trial gave to the chain codec, of all blobs.
        public var codecBlobs: Int, blobs: Int
        public var withinBound: Bool? { zstd.map { Int(cold) <= $0 + overhead } }
    }

    /// Every corpus file alone, then every corpus directory; `parts` names the directories to include.
    public static func corpusUnits(_ shared: URL, directories: Set<String>? = nil) -> [Unit] {
        let sources = Corpus.sources(shared).filter { directories?.contains($0.name) ?? true }
        var units = [Unit]()
        for s in sources {
            for f in s.files {
                let head = (try? FileHandle(forReadingFrom: f).readData(ofLength: 1 << 16)).map { [UInt8]($0) } ?? []
                units.append(Unit(name: "\(s.name)/\(f.lastPathComponent)", kind: ChainCodec.detect(head).rawValue, files: [f]))
            }
        }
        for s in sources { units.append(Unit(name: "\(s.name)/", kind: "directory", files: s.files)) }
        return units
    }

    /// The synthetic exports (`SyntheticExports`) written under `directory`: each file alone, then all together.
    public static func syntheticUnits(in directory: URL, seed: UInt64 = 2026, blocks: Int = 60) throws -> [Unit] {
        var units = [Unit](), all = [URL]()
        for f in SyntheticExports.files(seed: seed, blocks: blocks) {
            let url = directory.appendingPathComponent(f.name.replacingOccurrences(of: "/", with: "_"))
            try Data(f.bytes).write(to: url)
            units.append(Unit(name: "synthetic/\(f.name)", kind: ChainCodec.detect(f.bytes).rawValue, files: [url]))
            all.append(url)
        }
        units.append(Unit(name: "synthetic/ (all)", kind: "mixed", files: all))
        return units
    }

    /// Archives each unit in a fresh store and measures it; the CLIs run after our migration of the
    /// unit (not beside it), so they do not slow it down.
    public static func compare(_ units: [Unit], options: DataStore.MigrationOptions = defaultOptions, runCLIs: Bool = true) throws -> [UnitResult] {
        var out = [UnitResult]()
        for u in units {
            let dir = temporaryStore("unit")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
            let blobs = try u.files.map { [UInt8](try Data(contentsOf: $0)) }
            _ = try store.put(blobs.map { (Namespace(name: "unit")!, $0) }, time: 0, nowMillis: 0)
            let t = ContinuousClock.now
            _ = try store.migrate(options: options, now: 10, nowMillis: 10_000)
            let seconds = (ContinuousClock.now - t).seconds
            let stats = try store.stats()
            var frames = 0, entries = 0, codec = 0
            for a in try store.cold.segments() {
                let idx = try store.cold.index(of: a)
                frames += idx.frames.count; entries += idx.entries.count
                codec += idx.frames.filter { $0.encoding == .chainCodec }.count
            }
            let input = ExternalCompressor.Input.concatenation(u.files)
            out.append(UnitResult(unit: u, raw: stats.cold.rawBytes, cold: stats.cold.bytes,
                                  zstd: runCLIs ? ExternalCompressor.zstd19.compressedSize(input) : nil,
                                  xz: runCLIs ? ExternalCompressor.xz9.compressedSize(input) : nil,
                                  brotli: runCLIs ? ExternalCompressor.brotli11.compressedSize(input) : nil,
                                  overhead: Segment.overhead(frames: frames, entries: entries), migrateSeconds: seconds,
                                  codecBlobs: codec, blobs: blobs.count))
        }
        return out
    }

    public static let defaultOptions = DataStore.MigrationOptions(policy: TieringPolicy(hotWindow: 0))

    /// End-to-end figures for the corpus as the claims put it (one namespace per source): put, hot gets,
    /// migrate (wall and process CPU time, with the load average around it), cold gets, and what a get
    /// decompresses.
    public struct Throughput: Sendable {
        public var files: Int
        public var raw: UInt64
        public var cold: UInt64
        public var migrateWall: Double
        public var migrateCPU: Double
        public var loadBefore: Double?, loadAfter: Double?
        public var hot: [Double], coldLatency: [Double]
        /// Bytes decompressed by each cold get (one per blob).
        public var decompressed: [UInt64]
        public var workers: Int
        public var migrateMBps: Double { Double(raw) / 1e6 / migrateWall }
        public var ratio: Double { Double(raw) / Double(max(cold, 1)) }
    }

    public static func throughput(_ sources: [Corpus.Source], options: DataStore.MigrationOptions = defaultOptions) throws -> Throughput {
        let dir = temporaryStore("throughput")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        var ids = [BlobID](), raw: UInt64 = 0
        for s in sources {
            let blobs = try s.files.map { [UInt8](try Data(contentsOf: $0)) }
            raw += blobs.reduce(0) { $0 + UInt64($1.count) }
            ids += try store.put(blobs.map { (s.namespace, $0) }, time: 0, nowMillis: 0).map(\.id)
        }
        let hot = try ids.map { id in try timed { _ = try store.get(id) } }
        let loadBefore = MachineLoad.oneMinute()
        let cpu0 = ProcessCPUClock.seconds(), t = ContinuousClock.now
        _ = try store.migrate(options: options, now: 10, nowMillis: 10_000)
        let wall = (ContinuousClock.now - t).seconds, cpu = ProcessCPUClock.seconds() - cpu0
        let loadAfter = MachineLoad.oneMinute()
        let cold = try ids.map { id in try timed { _ = try store.get(id) } }
        var decompressed = [UInt64]()
        for a in try store.cold.segments() {
            let idx = try store.cold.index(of: a)
            decompressed += idx.entries.map { idx.decompressedBytes(for: $0) }
        }
        return Throughput(files: ids.count, raw: raw, cold: try store.stats().cold.bytes, migrateWall: wall, migrateCPU: cpu,
                          loadBefore: loadBefore, loadAfter: loadAfter, hot: hot, coldLatency: cold, decompressed: decompressed,
                          workers: options.choice.workers)
    }

    static func timed(_ body: () throws -> Void) rethrows -> Double {
        let t = ContinuousClock.now
        try body()
        return (ContinuousClock.now - t).seconds
    }

    public static func percentile(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count - 1) * p))]
    }

    static func temporaryStore(_ what: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("caldera-archive-\(what)-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
    }
}
