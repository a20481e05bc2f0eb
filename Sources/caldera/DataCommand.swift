// `caldera data`: the data layer from the command line. No logic here that DataLayer lacks.
// Exit codes: 0 success, 1 `verify` found failures, 2 bad input, unknown id, missing or corrupt store.
import ArgumentParser
import DataLayer
import DurableIO
import Foundation
import Merkle

public struct DataCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "The data layer: hot blobs, a compressed cold archive, migration between them, and a fingerprint log.",
        discussion: """
            A store is one directory (--store): hot.sqlite (recent blobs, SQLite WAL), cold/ (immutable \
            content-addressed segments, zstd), log.sqlite (the RFC 6962 fingerprint log whose root a rollup \
            commits on chain). `put` creates the store if the directory is missing or empty.
            """,
        subcommands: [Put.self, Get.self, Migrate.self, Verify.self, Stats.self, Log.self]
    )
    public init() {}

    struct StoreOption: ParsableArguments {
        @Option(name: .long, help: "The store directory.") var store: String

        func open(create: Bool = false, writer: Bool = false) throws(CLIError) -> DataStore {
            try attempt { try DataStore(directory: store, options: .init(create: create, writer: writer)) }
        }
    }

    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store files as blobs in the hot tier; prints one blob id per file, in order.",
            discussion: "Every file is read before anything is stored, so a missing file stores nothing. Putting the same bytes in the same namespace again returns the same id.")
        @OptionGroup var store: StoreOption
        @Option(help: "Namespace: up to 10 printable ASCII characters, or 0x + up to 20 hex digits.") var namespace = "caldera"
        @Option(parsing: .unconditional, help: "Record the blobs as posted at this time (seconds since 1970; for backfills). Default: now.") var time: Int64?
        @Argument(help: "Files to store (- for standard input).") var files: [String]

        func run() throws {
            guard !files.isEmpty else { throw failure("no files given") }
            if let time, !(0 ... Int64(Date().timeIntervalSince1970) + 366 * 86_400).contains(time) {
                throw failure("--time \(time) is outside 0 … a year from now (seconds since 1970)")
            }
            guard let ns = Namespace(name: namespace) else {
                throw failure("--namespace '\(namespace)': use 1–10 printable ASCII characters or 0x + up to 20 hex digits")
            }
            var contents = [[UInt8]]()
            for f in files { contents.append(try readInput(f, limit: DataStore.maxBlobSize)) }
            let s = try store.open(create: true, writer: true)
            let now = DataCommand.nowMillis()
            let metas = try attempt { try s.put(contents.map { (ns, $0) }, time: time ?? now / 1000, nowMillis: now) }
            for m in metas { print(m.id.hex) }
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a blob's original bytes, from whichever tier holds it, verified against its fingerprint.")
        @OptionGroup var store: StoreOption
        @Argument(help: "Blob id (64 hex digits, as printed by put).") var id: String
        @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.") var output: String?
        @Flag(help: "Print the tier that answered to standard error.") var showTier = false
        @Flag(help: "Replace the output file if it exists.") var force = false

        func run() throws {
            guard let blob = BlobID(hex: id) else { throw failure("'\(id)' is not a blob id (64 hex digits)") }
            if let output { try checkOutput(output, force: force) }
            let s = try store.open()
            let result = try attempt { try s.get(blob) }
            if showTier { try? StandardStreams.write("tier: \(result.tier.rawValue)\n", fd: 2) }
            try writeOutput(result.bytes, to: output ?? "-", force: force)
        }
    }

    /// How `migrate` packs and compresses segments; checked when parsed, so a bad value costs nothing.
    struct MigrationSettings: ParsableArguments {
        @Option(help: "Migrate blobs posted at least this long ago (e.g. 7d, 12h, 0s = everything now).") var olderThan = "7d"
        @Option(parsing: .unconditional, help: "zstd level (1–22).") var level = 19
        @Option(parsing: .unconditional, help: "zstd window log (10–31, 0 = the level's default); long-distance matching is on unless --no-long.") var windowLog = 27
        @Flag(help: "Disable zstd long-distance matching.") var noLong = false
        @Flag(help: "Do not train per-namespace dictionaries.") var noDictionaries = false
        @Option(help: "Group blobs posted within windows of this length into one segment (e.g. 1d, 1h).") var segmentWindow = "1d"
        @Option(parsing: .unconditional, help: "Raw bytes per compressed frame (a cold read decompresses at most one frame, up to the blob).") var frameSize = 32 << 20
        @Option(parsing: .unconditional, help: "zstd level (1–22) of the chain codec's columns, for blobs a trial gives to the codec.") var codecLevel = Segment.EncodingChoice().chainLevel
        @Option(parsing: .unconditional, help: "Threads that encode segments and frames at once (default: the machine's cores).") var jobs = ProcessInfo.processInfo.activeProcessorCount

        func validate() throws { _ = try options() }

        func options() throws(CLIError) -> DataStore.MigrationOptions {
            guard let window = TieringPolicy.parseDuration(olderThan) else { throw failure("--older-than '\(olderThan)': use e.g. 0s, 90m, 12h, 7d") }
            guard let segWindow = TieringPolicy.parseDuration(segmentWindow), segWindow > 0 else {
                throw failure("--segment-window '\(segmentWindow)': use a positive duration such as 1h or 1d")
            }
            guard (1...22).contains(level) else { throw failure("--level \(level): zstd levels are 1–22") }
            guard windowLog == 0 || (10...31).contains(windowLog) else { throw failure("--window-log \(windowLog): use 0 or 10–31") }
            guard frameSize >= 1 else { throw failure("--frame-size must be positive") }
            guard (1...22).contains(codecLevel) else { throw failure("--codec-level \(codecLevel): zstd levels are 1–22") }
            guard (1...256).contains(jobs) else { throw failure("--jobs \(jobs): use 1–256") }
            return DataStore.MigrationOptions(
                policy: TieringPolicy(hotWindow: window, segmentWindow: segWindow),
                parameters: Zstd.Parameters(level: level, windowLog: windowLog, longDistanceMatching: !noLong),
                frameTarget: frameSize, dictionaries: !noDictionaries, choice: Segment.EncodingChoice(chainLevel: codecLevel, workers: jobs))
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move blobs older than the hot window to the cold archive (crash-safe, idempotent).",
            discussion: "Each segment is written durably, read back and verified, fingerprinted, and only then are the hot copies released. Run again after an interruption.")
        @OptionGroup var settings: MigrationSettings
        @OptionGroup var store: StoreOption
        @OptionGroup var format: ReportFormat

        func run() throws {
            let options = try settings.options()
            let s = try store.open(writer: true)
            let now = DataCommand.nowMillis()
            let r = try attempt { try s.migrate(options: options, now: now / 1000, nowMillis: now) }
            try format.emit(r) { r in
                let ratio = r.storedBytes > 0 ? String(format: "%.2f", Double(r.rawBytes) / Double(r.storedBytes)) : "-"
                print("migrated \(r.migrated) blobs into \(r.segments) segments (\(r.rawBytes) → \(r.storedBytes) bytes, ratio \(ratio)); "
                      + "released \(r.released) already-archived hot copies; \(r.stayed) stay hot; \(r.fingerprintsAdded) fingerprints added"
                      + (r.orphansRemoved > 0 ? "; removed \(r.orphansRemoved) unreferenced segments" : ""))
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every blob in every tier against its fingerprint, every segment against its address, and the log against its root.",
            discussion: "Exit 0 when all is well, 1 with the list of failures, 2 when the store cannot be opened.")
        @OptionGroup var store: StoreOption
        @OptionGroup var format: ReportFormat

        func run() throws {
            let r = try store.open().verify()
            try format.emit(r) { r in
                for w in r.warnings { warn("\(w)") }
                if r.ok {
                    print("ok: \(r.hotBlobs) hot blobs, \(r.coldBlobs) cold blobs in \(r.segments) segments, log of \(r.logSize) records with root \(r.root.hex)")
                } else {
                    for f in r.failures { print("FAIL \(f)") }
                }
            }
            if !r.ok { throw failure("\(r.failures.count) verification failure\(r.failures.count == 1 ? "" : "s")", code: ExitStatus.invalid) }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Blobs and bytes per tier, and the log's size and root.",
            discussion: #"JSON: {"hot":{blobs,bytes},"cold":{blobs,bytes,rawBytes},"log":{size,root}}."#)
        @OptionGroup var store: StoreOption
        @OptionGroup var format: ReportFormat

        func run() throws {
            let s = try store.open()
            try format.emit(try attempt { try s.stats() }) { st in
                print("hot:  \(st.hot.blobs) blobs, \(st.hot.bytes) bytes")
                print("cold: \(st.cold.blobs) blobs, \(st.cold.bytes) bytes on disk for \(st.cold.rawBytes) raw bytes"
                      + (st.cold.bytes > 0 ? String(format: " (ratio %.2f)", Double(st.cold.rawBytes) / Double(st.cold.bytes)) : ""))
                print("log:  \(st.log.size) records, root \(st.log.root.hex)")
            }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Proofs from the fingerprint log, in the same JSON as `caldera merkle`.",
            subcommands: [Inclusion.self, Consistency.self])

        struct Inclusion: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Inclusion proof of a blob's latest fingerprint in the current log.")
            @OptionGroup var store: StoreOption
            @Argument(help: "Blob id.") var id: String
            func run() throws {
                guard let blob = BlobID(hex: id) else { throw failure("'\(id)' is not a blob id (64 hex digits)") }
                let s = try store.open()
                try printJSON(try attempt { try s.log.inclusionProof(for: blob) })
            }
        }

        struct Consistency: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Consistency proof from the log's first --old-size records to now.")
            @OptionGroup var store: StoreOption
            @Option(parsing: .unconditional, help: "Size of the earlier log (1 ... current size).") var oldSize: UInt64
            func run() throws {
                let s = try store.open()
                try printJSON(try attempt { try s.log.consistencyProof(oldSize: oldSize) })
            }
        }
    }
}
