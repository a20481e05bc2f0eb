import Foundation
import Merkle

/// Why a data-store operation failed, in words a user can act on.
public enum DataStoreError: Error, CustomStringConvertible {
    case noStore(String)
    case notAStore(String)
    case unknownBlob(BlobID)
    case lost(BlobID)
    case hot(HotStoreError)
    case cold(ColdArchiveError)
    case log(FingerprintLog.Error)
    case storage(StorageError)
    case codec(CodecError)
    case readBackFailed(segment: Digest, String)
    case fingerprintMismatch(BlobID, String)
    /// Another process kept the store (or one of its databases) longer than the wait allowed.
    case busy(String)
    /// A blob above `DataStore.maxBlobSize`; `index` is its position in the batch.
    case blobTooLarge(index: Int, size: Int)
    /// `put` or `migrate` on a store opened for reading.
    case notWriter(String)

    public var description: String {
        switch self {
        case let .noStore(p): "no Caldera data store at \(p) (create one with `caldera data put --store \(p) FILE`)"
        case let .notAStore(p): "\(p) exists, is not empty and is not a Caldera data store; choose another --store directory"
        case let .unknownBlob(id): "unknown blob id \(id): no tier holds it and the fingerprint log has no record of it"
        case let .lost(id): "blob \(id) has a put fingerprint but no tier holds it (lost?); run `caldera data verify`"
        case let .hot(e): "\(e)"
        case let .cold(e): "\(e)"
        case let .log(e): "\(e)"
        case let .storage(e): "\(e)"
        case let .codec(e): "\(e)"
        case let .readBackFailed(s, why): "segment \(s.hex) failed its read-back check after writing: \(why); the hot copies are kept"
        case let .fingerprintMismatch(id, why): "blob \(id) does not match its fingerprint: \(why)"
        case let .busy(p): "store \(p) is busy (another caldera process is writing it); retry"
        case let .blobTooLarge(i, n): "blob \(i + 1) of the batch is \(n) bytes; a blob may be at most \(DataStore.maxBlobSize) bytes (128 MiB)"
        case let .notWriter(p): "store \(p) was opened for reading; open it as a writer to put or migrate"
        }
    }
}

/// A data layer: a hot tier, a cold archive and a fingerprint log, with the protocol that keeps them
/// consistent. `DataStore(directory:)` is the embedded one, one directory holding
/// `CALDERA-STORE` (marker), `hot.sqlite` (SQLiteHotStore), `log.sqlite` (FingerprintLog), `cold/`
/// (SegmentDirectoryArchive), `lock` (held by the writer) and `commit.lock` (see docs/data-layer.md);
/// `DataStore(hot:cold:log:)` takes any tiers, e.g. the in-memory ones tests use.
///
/// Every open repairs what a process killed mid-operation left, as SQLite rolls back a hot journal:
/// a writer always, a reader when no live writer holds the store. Not thread-safe: one instance per
/// thread (processes coordinate through the locks).
public final class DataStore {
    public static let marker = "CALDERA-STORE"
    public static let markerContents = "caldera data store, format 1\n"
    /// The largest blob `put` accepts (128 MiB): blobs are held in memory whole, and this keeps a frame
    /// (2 GiB format limit), an LZ4 block and a SQLite value (1 GB by default) far from their limits.
    /// Callers reading input should stop reading past it.
    public static let maxBlobSize = 128 << 20
    /// Files in a store directory that locking may create before the marker exists.
    static let lockFiles: Set<String> = ["lock", "commit.lock"]

    public let directory: String
    public let hot: any HotStore
    public let cold: any ColdArchive
    public let log: any FingerprintLogStore
    /// nil for stores that live in one process (in memory): nothing to coordinate with.
    let locks: StoreLocks?
    let isWriter: Bool
    let lockTimeout: Duration
    let clock: () -> Int64
    /// Records added by the last recovery (on open or before an operation): 0 when the store was clean.
    public private(set) var recovered = 0

    public struct Options: Sendable {
        public var create: Bool
        /// Take the writer lock (put, migrate); readers (get, verify, stats) run without it.
        public var writer: Bool
        /// How long to wait for another writer (writers), and for the short commit lock (everyone),
        /// before failing with `DataStoreError.busy`.
        public var lockTimeout: Duration
        /// How long a SQLite connection waits for a lock inside a database before reporting busy.
        public var busyTimeout: Duration
        public init(create: Bool = false, writer: Bool = false, lockTimeout: Duration = .seconds(10), busyTimeout: Duration = .seconds(5)) {
            self.create = create; self.writer = writer; self.lockTimeout = lockTimeout; self.busyTimeout = busyTimeout
        }
    }

    /// Opens (or with `create`, creates) the embedded store in `directory`.
    public convenience init(directory: String, options: Options = Options()) throws(DataStoreError) {
        let fm = FileManager.default
        let markerPath = directory + "/" + Self.marker
        func leftovers() -> [String]? {
            // What may be there before the marker: lock files and a concurrent creator's marker temp file.
            (try? fm.contentsOfDirectory(atPath: directory))?.filter { !Self.lockFiles.contains($0) && !DurableFile.isTemporary($0, of: Self.marker) }
        }
        if !fm.fileExists(atPath: markerPath) {
            guard options.create, options.writer else { throw .noStore(directory) }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: directory, isDirectory: &isDir) {
                guard isDir.boolValue else { throw .notAStore(directory) }
                // Another creator may have finished since the marker check above: its files are a store's.
                if let other = leftovers(), !other.isEmpty, !fm.fileExists(atPath: markerPath) {
                    throw .notAStore("\(directory) (it holds \(other.sorted().prefix(3).joined(separator: ", ")))")
                }
            } else {
                do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                    throw .storage(StorageError(path: directory, reason: "cannot create: \(error.localizedDescription)"))
                }
            }
        }
        let locks: StoreLocks
        do { locks = try StoreLocks(directory: directory) } catch { throw .storage(error) }
        // Recovery needs the writer lock, taken while holding the commit lock exclusively, so that
        // whoever holds the writer lock has already repaired the store before anyone reads it.
        var recover = options.writer
        if options.writer {
            try locks.acquireWriter(timeout: options.lockTimeout, directory: directory)
        } else {
            let got: Bool
            do { got = try locks.commit.lock(.exclusive, timeout: options.lockTimeout) } catch { throw .storage(error) }
            guard got else { throw .busy(directory) }
            do { recover = try locks.writer.tryLock(.exclusive) } catch { locks.commit.unlock(); throw .storage(error) }
        }
        defer {
            locks.commit.unlock()
            if !options.writer { locks.writer.unlock() }
        }
        if options.writer && !fm.fileExists(atPath: markerPath) {
            // Under the writer lock now: no other creator can race us here.
            if let other = leftovers(), !other.isEmpty { throw .notAStore("\(directory) (it holds \(other.sorted().prefix(3).joined(separator: ", ")))") }
            do { try DurableFile.write(Array(Self.markerContents.utf8), to: markerPath) } catch { throw .storage(error) }
        }
        let hot: SQLiteHotStore, log: FingerprintLog, cold: SegmentDirectoryArchive
        do { hot = try SQLiteHotStore(path: directory + "/hot.sqlite", create: recover, busyTimeout: options.busyTimeout) } catch {
            throw Self.hotError(error, directory)
        }
        do { log = try FingerprintLog(path: directory + "/log.sqlite", create: recover, busyTimeout: options.busyTimeout) } catch {
            throw Self.logError(error, directory)
        }
        do { cold = try SegmentDirectoryArchive(root: directory + "/cold", removeTemporaries: recover) } catch { throw .cold(error) }
        try self.init(directory: directory, hot: hot, cold: cold, log: log, locks: locks, writer: options.writer,
                      lockTimeout: options.lockTimeout, recover: recover, clock: { DataStore.millis(Date()) })
    }

    /// A store over any tiers in one process (e.g. `MemoryHotStore`, `MemoryColdArchive`,
    /// `MemoryFingerprintLog`); always a writer. Recovers on open, like the embedded store.
    /// - Parameter clock: milliseconds since 1970 for the records recovery adds.
    public convenience init(hot: any HotStore, cold: any ColdArchive, log: any FingerprintLogStore,
                            clock: @escaping () -> Int64 = { DataStore.millis(Date()) }) throws(DataStoreError) {
        try self.init(directory: "(in-memory store)", hot: hot, cold: cold, log: log, locks: nil, writer: true,
                      lockTimeout: .seconds(10), recover: true, clock: clock)
    }

    init(directory: String, hot: any HotStore, cold: any ColdArchive, log: any FingerprintLogStore, locks: StoreLocks?, writer: Bool,
         lockTimeout: Duration, recover: Bool, clock: @escaping () -> Int64) throws(DataStoreError) {
        self.directory = directory; self.hot = hot; self.cold = cold; self.log = log; self.locks = locks
        self.isWriter = writer; self.lockTimeout = lockTimeout; self.clock = clock
        if recover { recovered = try self.recover() }
    }

    public static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    static func hotError(_ e: HotStoreError, _ directory: String) -> DataStoreError {
        if case .busy = e { return .busy(directory) }
        return .hot(e)
    }
    static func logError(_ e: FingerprintLog.Error, _ directory: String) -> DataStoreError {
        if case .busy = e { return .busy(directory) }
        return .log(e)
    }
    func hotError(_ e: HotStoreError) -> DataStoreError { Self.hotError(e, directory) }
    func logError(_ e: FingerprintLog.Error) -> DataStoreError { Self.logError(e, directory) }

    // MARK: recovery and commit groups

    /// Repairs what a process killed mid-operation left, and returns how many records it added. The
    /// caller is the writer (or holds the writer lock) and no one else is in a commit group.
    ///
    /// The only state across the two databases that breaks an invariant is a `put` cut between its hot
    /// commit and its log append: hot blobs without a `put` record. The log records, atomically with
    /// each `put`'s records, the hot height they cover, so a clean store is detected in O(1) and only
    /// a damaged one pays for the scan. (A `migrate` cut short leaves states that verify — an
    /// unreferenced segment, or a blob in both tiers — and the next `migrate` finishes them.)
    func recover() throws(DataStoreError) -> Int {
        let height: UInt64
        do { height = try hot.height() } catch { throw hotError(error) }
        do { if try log.covers(hotHeight: height) { return 0 } } catch { throw logError(error) }
        let recorded: Set<BlobID>
        let missing: [BlobMeta]
        do { recorded = try log.blobs(kind: .put) } catch { throw logError(error) }
        do { missing = try hot.list().filter { !recorded.contains($0.id) } } catch { throw hotError(error) }
        let now = clock()
        do { try log.append(missing.map { putFingerprint($0, nowMillis: now) }, coveringHotHeight: height) } catch { throw logError(error) }
        return missing.count
    }

    /// Runs one group of commits to more than one database (or one that must not be seen half done)
    /// under the exclusive commit lock, so that a reader opening its snapshots never sees it half done.
    func commitGroup<T>(_ body: () throws(DataStoreError) -> T) throws(DataStoreError) -> T {
        guard let locks else { return try body() }
        let got: Bool
        do { got = try locks.commit.lock(.exclusive, timeout: lockTimeout) } catch { throw .storage(error) }
        guard got else { throw .busy(directory) }
        defer { locks.commit.unlock() }
        return try body()
    }

    func requireWriter() throws(DataStoreError) {
        guard isWriter else { throw .notWriter(directory) }
    }

    /// What a read sees: both databases at one moment.
    struct View {
        let hot: any HotStoreReader
        let log: any FingerprintLogReader
        /// With `listCold`: the archive's segments at that moment, and whether a writer was running
        /// (its segment written but not yet fingerprinted would show as unreferenced).
        var coldSegments: [Digest]? = nil
        var writerLive = false
    }

    /// The writer reads the live stores (no one else writes them). A reader opens a read transaction
    /// on each database while holding the commit lock shared — no commit group can be half done then —
    /// and releases the lock at once, reading from the snapshots afterwards; the cold archive needs no
    /// snapshot, as a segment the log names is never changed or removed.
    func view(listCold: Bool = false) throws(DataStoreError) -> View {
        if isWriter { return View(hot: hot, log: log, coldSegments: listCold ? try? cold.segments() : nil) }
        if let locks {
            let got: Bool
            do { got = try locks.commit.lock(.shared, timeout: lockTimeout) } catch { throw .storage(error) }
            guard got else { throw .busy(directory) }
        }
        defer { locks?.commit.unlock() }
        let h: any HotStoreReader, l: any FingerprintLogReader
        do { h = try hot.snapshot() } catch { throw hotError(error) }
        do { l = try log.snapshot() } catch { throw logError(error) }
        guard listCold else { return View(hot: h, log: l) }
        // While the commit lock is held shared no writer can be taking or leaving the writer lock
        // (that happens under it exclusively), so this probe disturbs no one.
        var live = false
        if let locks {
            live = (try? locks.writer.tryLock(.exclusive)) != true
            if !live { locks.writer.unlock() }
        }
        return View(hot: h, log: l, coldSegments: try? cold.segments(), writerLive: live)
    }

    /// A view in which no crash damage shows: if a process died mid-`put` since this store was opened,
    /// repair it first (when no live writer holds the store) and look again.
    func consistentView(listCold: Bool = false) throws(DataStoreError) -> View {
        var v = try view(listCold: listCold)
        for _ in 0 ..< 3 {
            guard !isWriter, let locks, try !covers(v) else { return v }
            let got: Bool
            do { got = try locks.commit.lock(.exclusive, timeout: lockTimeout) } catch { throw .storage(error) }
            guard got else { throw .busy(directory) }
            defer { locks.commit.unlock() }
            let idle: Bool
            do { idle = try locks.writer.tryLock(.exclusive) } catch { throw .storage(error) }
            if idle {
                defer { locks.writer.unlock() }
                recovered += try recover()
            }
            v = try view(listCold: listCold)
        }
        return v
    }

    func covers(_ v: View) throws(DataStoreError) -> Bool {
        let h: UInt64
        do { h = try v.hot.height() } catch { throw hotError(error) }
        do { return try v.log.covers(hotHeight: h) } catch { throw logError(error) }
    }

    // MARK: put / get

    /// Posts blobs to the hot tier as one batch and fingerprints each (put record). Idempotent: a blob
    /// already held (hot or cold) is not stored or fingerprinted again. Each blob is at most
    /// `maxBlobSize` bytes.
    public func put(_ blobs: [(namespace: Namespace, data: [UInt8])], time: Int64, nowMillis: Int64) throws(DataStoreError) -> [BlobMeta] {
        try requireWriter()
        if let i = blobs.firstIndex(where: { $0.data.count > Self.maxBlobSize }) { throw .blobTooLarge(index: i, size: blobs[i].data.count) }
        let ids = blobs.map { BlobID(namespace: $0.namespace, data: $0.data) }
        var archived = [BlobID: Fingerprint]()
        do {
            for id in Set(ids) {
                if let f = try log.entries(for: id).last(where: { $0.fingerprint.kind == .migrate })?.fingerprint { archived[id] = f }
            }
        } catch { throw logError(error) }
        let fresh = zip(ids, blobs).filter { archived[$0.0] == nil }.map(\.1)
        let metas = try commitGroup { () throws(DataStoreError) -> [BlobMeta] in
            recovered = try recover()
            let metas: [BlobMeta]
            do throws(HotStoreError) { metas = try hot.put(fresh, time: time) } catch { throw hotError(error) }
            Self.crashWindow("put")
            // If the log append fails, the hot commit stands: record its fingerprints now if we can,
            // else the next open does.
            let height: UInt64
            do throws(HotStoreError) { height = try hot.height() } catch { _ = try? recover(); throw hotError(error) }
            do throws(FingerprintLog.Error) { try log.append(metas.map { putFingerprint($0, nowMillis: nowMillis) }, coveringHotHeight: height) } catch {
                _ = try? recover()
                throw logError(error)
            }
            return metas
        }
        var byID = [BlobID: BlobMeta]()
        for m in metas { byID[m.id] = m }
        var out = [BlobMeta]()
        for (id, b) in zip(ids, blobs) {
            if let m = byID[id] { out.append(m); continue }
            // already archived: report what the log knows
            let f = archived[id]
            out.append(BlobMeta(id: id, namespace: b.namespace, height: 0, time: time, size: UInt64(b.data.count),
                                originalHash: f?.originalHash ?? SHA256.hash(b.data), storedSize: f?.storedSize ?? 0,
                                storedHash: f?.storedHash ?? .zero, commitment: .zero))
        }
        return out
    }

    /// Debug builds only: with `CALDERA_CRASH_WINDOW=NAME` in the environment, announces the window on
    /// standard error and pauses 300 ms there, so that a kill -9 test lands between two commits every
    /// time instead of by luck (they are about a millisecond apart). Release builds compile it away.
    static func crashWindow(_ name: String) {
        #if DEBUG
        guard ProcessInfo.processInfo.environment["CALDERA_CRASH_WINDOW"] == name else { return }
        try? FileHandle.standardError.write(contentsOf: Data("crash-window: \(name)\n".utf8))
        usleep(300_000)
        #endif
    }

    func putFingerprint(_ m: BlobMeta, nowMillis: Int64) -> Fingerprint {
        Fingerprint(kind: .put, blob: m.id, namespace: m.namespace, path: HotLocation(namespace: m.namespace, height: m.height).path,
                    timestampMillis: nowMillis, originalSize: m.size, originalHash: m.originalHash, storedSize: m.storedSize,
                    storedHash: m.storedHash, commitment: m.commitment, tiers: .hot)
    }

    /// Which tier answered a read.
    public enum Tier: String, Sendable, Codable { case hot, cold }

    /// The original bytes, from whichever tier holds them, verified against the tier's hashes and
    /// against the blob's fingerprint.
    public func get(_ id: BlobID) throws(DataStoreError) -> (bytes: [UInt8], tier: Tier) {
        let v = try view()
        do {
            if let b = try v.hot.get(id) { return (b, .hot) }
        } catch { throw hotError(error) }
        // Not hot. Hot copies are released only after the migrate record is committed, and the two
        // snapshots are of one moment, so a blob missing from the hot one has its record in the log one.
        let entries: [FingerprintLog.Entry]
        do { entries = try v.log.entries(for: id) } catch { throw logError(error) }
        guard let f = entries.last(where: { $0.fingerprint.kind == .migrate })?.fingerprint else {
            throw entries.isEmpty ? .unknownBlob(id) : .lost(id)
        }
        guard let loc = f.coldLocation else { throw .fingerprintMismatch(id, "its migrate record has an unreadable path \(f.path)") }
        return (try readCold(id, loc.segment, f), .cold)
    }

    func readCold(_ id: BlobID, _ segment: Digest, _ f: Fingerprint) throws(DataStoreError) -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try cold.read(id, from: segment) } catch { throw .cold(error) }
        guard SHA256.hash(bytes) == f.originalHash, UInt64(bytes.count) == f.originalSize else {
            throw .fingerprintMismatch(id, "the cold copy's hash or size differs from the migrate record")
        }
        return bytes
    }

    // MARK: migrate

    public struct MigrationOptions: Sendable {
        public var policy: TieringPolicy
        public var parameters: Zstd.Parameters
        public var frameTarget: Int
        /// Train a zstd dictionary per namespace (used only when a trial shows it pays).
        public var dictionaries: Bool
        /// Per-blob encoding choice, codec level and threads (`Segment.EncodingChoice`); segments are
        /// also encoded `choice.workers` at a time.
        public var choice: Segment.EncodingChoice
        public init(policy: TieringPolicy = TieringPolicy(), parameters: Zstd.Parameters = Zstd.Parameters(),
                    frameTarget: Int = 32 << 20, dictionaries: Bool = true, choice: Segment.EncodingChoice = Segment.EncodingChoice()) {
            self.policy = policy; self.parameters = parameters; self.frameTarget = frameTarget; self.dictionaries = dictionaries
            self.choice = choice
        }
    }

    public struct MigrationReport: Equatable, Sendable, Codable {
        public var migrated = 0
        public var segments = 0
        public var released = 0
        public var stayed = 0
        public var rawBytes: UInt64 = 0
        public var storedBytes: UInt64 = 0
        public var fingerprintsAdded = 0
        public var orphansRemoved = 0
        public var dictionaries = 0
    }

    /// Moves every blob the policy says is due from the hot tier to the cold archive. For each segment:
    /// write it durably, read it back and verify every blob's hash, append the migrate fingerprints,
    /// and only then release the hot copies. Safe to kill at any point and to run again.
    public func migrate(options: MigrationOptions, now: Int64, nowMillis: Int64) throws(DataStoreError) -> MigrationReport {
        try requireWriter()
        var report = MigrationReport()
        let logSizeBefore: UInt64
        do { logSizeBefore = try log.head().size } catch { throw logError(error) }
        recovered = try commitGroup { () throws(DataStoreError) -> Int in try recover() }
        report.orphansRemoved = try removeOrphans()
        let hotBlobs: [BlobMeta]
        let archived: Set<BlobID>
        do { hotBlobs = try hot.list() } catch { throw hotError(error) }
        do { archived = try log.blobs(kind: .migrate) } catch { throw logError(error) }
        let plan = MigrationPlan.make(hot: hotBlobs, archived: archived, policy: options.policy, now: now)
        report.stayed = plan.stay.count

        // Finish an interrupted run: the cold copy is fingerprinted; check it, then release the hot one.
        var verified = Set<Digest>()
        var releasable = [BlobID]()
        for id in plan.release {
            let entry: FingerprintLog.Entry?
            do { entry = try log.entries(for: id).last(where: { $0.fingerprint.kind == .migrate }) } catch { throw logError(error) }
            guard let e = entry, let loc = e.fingerprint.coldLocation else { continue }
            if !verified.contains(loc.segment) {
                do { _ = try cold.verify(loc.segment) } catch { throw .cold(error) }
                verified.insert(loc.segment)
            }
            _ = try readCold(id, loc.segment, e.fingerprint)
            releasable.append(id)
        }
        if !releasable.isEmpty {
            try commitGroup { () throws(DataStoreError) in
                do throws(HotStoreError) { try hot.delete(releasable) } catch { throw hotError(error) }
            }
            report.released = releasable.count
        }

        // Dictionaries: one per namespace per run, trained from that namespace's due blobs.
        var dictionaries = [Namespace: [UInt8]]()
        if options.dictionaries {
            for ns in Set(plan.segments.map(\.namespace)).sorted() {
                let blobs = plan.segments.filter { $0.namespace == ns }.flatMap(\.blobs)
                if let d = try trainDictionary(blobs, options: options) {
                    do { _ = try cold.write(dictionary: d) } catch { throw .cold(error) }
                    dictionaries[ns] = d
                    report.dictionaries += 1
                }
            }
        }

        // Segments are encoded `workers` at a time (encoding is pure and most of the work), then
        // written, verified, fingerprinted and released one by one in plan order.
        var batchStart = 0
        while batchStart < plan.segments.count {
            let batch = Array(plan.segments[batchStart ..< min(plan.segments.count, batchStart + options.choice.workers)])
            batchStart += batch.count
            var inputs = [[Segment.Item]]()
            for seg in batch {
                var items = [Segment.Item]()
                for b in seg.blobs {
                    let bytes: [UInt8]?
                    do { bytes = try hot.get(b.id) } catch { throw hotError(error) }
                    guard let bytes else { continue } // released by someone else meanwhile
                    items.append(Segment.Item(id: b.id, height: b.height, time: b.time, data: bytes))
                }
                inputs.append(items)
            }
            let encodedBatch: [(bytes: [UInt8], index: SegmentIndex)?]
            do {
                encodedBatch = try ParallelJobs.map(batch.count, workers: options.choice.workers, cost: { inputs[$0].reduce(0) { $0 + $1.data.count } }) {
                    k throws(CodecError) -> (bytes: [UInt8], index: SegmentIndex)? in
                    let seg = batch[k]
                    if inputs[k].isEmpty { return nil }
                    return try Segment.encode(items: inputs[k], namespace: seg.namespace, windowStart: seg.windowStart, windowEnd: seg.windowEnd,
                                              parameters: options.parameters, dictionary: dictionaries[seg.namespace], frameTarget: options.frameTarget,
                                              choice: options.choice)
                }
            } catch { throw .codec(error) }
            for (items, encoded) in zip(inputs, encodedBatch) {
                guard let encoded else { continue }
                // 1. write durably
                let written: ArchivedSegment
                do { written = try cold.write(segment: encoded.bytes) } catch { throw .cold(error) }
                // 2. read back from the archive and verify every blob
                let checked: ArchivedSegment
                do { checked = try cold.verify(written.address) } catch { throw .readBackFailed(segment: written.address, "\(error)") }
                // 3. fingerprint
                var records = [Fingerprint]()
                for e in checked.index.entries {
                    let f = checked.index.frames[Int(e.frame)]
                    records.append(Fingerprint(kind: .migrate, blob: e.id, namespace: checked.index.namespace,
                                               path: ColdLocation(segment: checked.address, frame: Int(e.frame)).path, timestampMillis: nowMillis,
                                               originalSize: e.length, originalHash: e.originalHash, storedSize: f.storedLength, storedHash: f.storedHash,
                                               commitment: checked.arweaveDataRoot, tiers: .cold))
                }
                // 4. only then release the hot copies — in one commit group with step 3, so a reader sees
                //    the blob hot without its migrate record, or cold with it.
                try commitGroup { () throws(DataStoreError) in
                    do throws(FingerprintLog.Error) { try log.append(records) } catch { throw logError(error) }
                    Self.crashWindow("migrate")
                    do throws(HotStoreError) { try hot.delete(items.map(\.id)) } catch { throw hotError(error) }
                }
                report.migrated += items.count
                report.segments += 1
                report.rawBytes += checked.index.rawBytes
                report.storedBytes += checked.size
            }
        }
        do { report.fingerprintsAdded = Int(try log.head().size - logSizeBefore) } catch { throw logError(error) }
        return report
    }

    /// Trains a dictionary for one namespace's blobs when they are small and numerous enough for one to
    /// help, and keeps it only if a trial on the first frame's worth of blobs says it pays for itself.
    func trainDictionary(_ blobs: [BlobMeta], options: MigrationOptions) throws(DataStoreError) -> [UInt8]? {
        guard blobs.count >= 16 else { return nil }
        let total = blobs.reduce(0) { $0 + Int($1.size) }
        guard total / blobs.count <= 256 << 10, total >= 64 << 10 else { return nil }
        var samples = [[UInt8]](), sampled = 0
        for b in blobs where sampled < 4 << 20 {
            guard let bytes = try? hot.get(b.id) else { continue }
            let s = Array(bytes.prefix(128 << 10))
            samples.append(s); sampled += s.count
        }
        let capacity = min(64 << 10, max(4 << 10, total / 50))
        guard let dict = Zstd.trainDictionary(samples: samples, capacity: capacity) else { return nil }
        // Trial: one frame's worth of samples, with and without the dictionary.
        var trial = [UInt8]()
        for s in samples where trial.count < options.frameTarget { trial += s }
        let frames = max(1, total / max(1, options.frameTarget))
        // At the trial level, as the segment writer's choice: the gain a dictionary brings shows at a
        // fast level too, and the real level would cost two full compressions of a frame.
        var trialParameters = options.parameters
        trialParameters.level = options.choice.estimateLevel
        guard let plain = try? Zstd.compress(trial, parameters: trialParameters),
              let withDict = try? Zstd.compress(trial, parameters: trialParameters, dictionary: dict) else { return nil }
        let saved = (plain.count - withDict.count) * frames
        return saved > dict.count ? dict : nil
    }

    /// Segments no fingerprint refers to are garbage from an interrupted run (their blobs are still
    /// hot, since hot copies are released only after fingerprinting). Needs the writer lock.
    func removeOrphans() throws(DataStoreError) -> Int {
        let referenced = try referencedSegments()
        var removed = 0
        do {
            for s in try cold.segments() where !referenced.contains(s) {
                try cold.remove(s)
                removed += 1
            }
        } catch { throw .cold(error) }
        return removed
    }

    func referencedSegments() throws(DataStoreError) -> Set<Digest> {
        do { return Set(try log.allEntries().compactMap { $0.fingerprint.coldLocation?.segment }) } catch { throw logError(error) }
    }

    // MARK: stats

    public struct Stats: Equatable, Sendable, Codable {
        public struct Hot: Equatable, Sendable, Codable { public var blobs: Int; public var bytes: UInt64 }
        public struct Cold: Equatable, Sendable, Codable { public var blobs: Int; public var bytes: UInt64; public var rawBytes: UInt64 }
        public struct Log: Equatable, Sendable, Codable { public var size: UInt64; public var root: Digest }
        public var hot: Hot
        public var cold: Cold
        public var log: Log
    }

    /// Hot: blobs and their original bytes. Cold: blobs archived, on-disk bytes of the segments the
    /// log refers to plus dictionaries, and the original bytes they hold. Log: size and root.
    public func stats() throws(DataStoreError) -> Stats {
        let v = try view()
        let hotList: [BlobMeta]
        do { hotList = try v.hot.list() } catch { throw hotError(error) }
        let entries: [FingerprintLog.Entry]
        let head: FingerprintLog.Head
        do { entries = try v.log.allEntries(); head = try v.log.head() } catch { throw logError(error) }
        let hotIDs = Set(hotList.map(\.id))
        var coldBlobs = 0, raw: UInt64 = 0
        var segments = Set<Digest>()
        for e in entries where e.fingerprint.kind == .migrate && !hotIDs.contains(e.fingerprint.blob) {
            coldBlobs += 1; raw += e.fingerprint.originalSize
            if let s = e.fingerprint.coldLocation?.segment { segments.insert(s) }
        }
        let coldBytes = segments.reduce(0) { $0 + cold.size(of: $1) } + (segments.isEmpty ? 0 : cold.dictionaryBytes())
        return Stats(hot: .init(blobs: hotList.count, bytes: hotList.reduce(0) { $0 + $1.size }),
                     cold: .init(blobs: coldBlobs, bytes: coldBytes, rawBytes: raw),
                     log: .init(size: head.size, root: head.root))
    }

    // MARK: verify

    /// One problem `verify` found.
    public struct Failure: Equatable, Sendable, Codable, CustomStringConvertible {
        public var subject: String
        public var reason: String
        public var description: String { "\(subject): \(reason)" }
    }

    public struct VerifyReport: Sendable, Codable {
        public var hotBlobs = 0
        public var coldBlobs = 0
        public var segments = 0
        public var logSize: UInt64 = 0
        public var root: Digest = .zero
        public var failures: [Failure] = []
        public var warnings: [Failure] = []
        public var ok: Bool { failures.isEmpty }
    }

    /// Checks every blob in every tier against its fingerprint, every segment against its content
    /// address, and the log against its persisted root. It reads one consistent moment of the store
    /// (see `view()`), so a concurrent `put` or `migrate` cannot make it fail.
    public func verify() -> VerifyReport {
        var r = VerifyReport()
        func fail(_ s: String, _ why: String) { r.failures.append(Failure(subject: s, reason: why)) }
        let v: View
        do { v = try consistentView(listCold: true) } catch { fail("store", "\(error)"); return r }
        let log = v.log, hot = v.hot
        // The log: records decode, stored leaf hashes match, root matches the head, one record per (blob, kind).
        let entries: [FingerprintLog.Entry]
        do { entries = try log.allEntries() } catch { fail("log", "\(error)"); return r }
        var range = CompactRange()
        var seen = Set<String>()
        for (i, e) in entries.enumerated() {
            if e.index != UInt64(i) { fail("log record \(e.index)", "expected index \(i): the log has a gap") }
            if e.fingerprint.leafHash != e.leafHash { fail("log record \(e.index)", "stored leaf hash differs from the record's hash") }
            if !seen.insert("\(e.fingerprint.blob.hex)/\(e.fingerprint.kind)").inserted {
                fail("log record \(e.index)", "duplicate \(e.fingerprint.kind) fingerprint for blob \(e.fingerprint.blob)")
            }
            range.append(leafHash: e.fingerprint.leafHash)
        }
        do {
            let head = try log.head()
            r.logSize = head.size; r.root = head.root
            if head.size != range.size || head.root != range.root {
                fail("log", "persisted head (size \(head.size), root \(head.root.hex)) differs from the records (size \(range.size), root \(range.root.hex))")
            }
            if try log.persistedPeaks() != range.peaks {
                fail("log", "persisted compact-range peaks differ from the records (the next append would write a wrong root)")
            }
        } catch { fail("log", "\(error)") }

        var latest = [BlobID: Fingerprint]()
        var puts = [BlobID: Fingerprint]()
        for e in entries {
            latest[e.fingerprint.blob] = e.fingerprint
            if e.fingerprint.kind == .put { puts[e.fingerprint.blob] = e.fingerprint }
        }
        // Hot tier.
        let hotList: [BlobMeta]
        do { hotList = try hot.list() } catch { fail("hot store", "\(error)"); return r }
        let hotIDs = Set(hotList.map(\.id))
        for m in hotList {
            r.hotBlobs += 1
            guard let p = puts[m.id] else { fail("blob \(m.id)", "held hot but has no put fingerprint"); continue }
            if p.originalHash != m.originalHash || p.originalSize != m.size { fail("blob \(m.id)", "hot metadata differs from its put fingerprint") }
            do {
                guard let bytes = try hot.get(m.id) else { fail("blob \(m.id)", "vanished from the hot store"); continue }
                if SHA256.hash(bytes) != p.originalHash { fail("blob \(m.id)", "hot bytes do not match the fingerprint's hash") }
            } catch { fail("blob \(m.id)", "\(error)") }
        }
        // Cold tier: every segment the log names, whole-file and per-blob.
        var segmentOK = [Digest: Result<ArchivedSegment, ColdArchiveError>]()
        for (id, f) in latest.sorted(by: { $0.key < $1.key }) {
            if f.kind == .put {
                if !hotIDs.contains(id) { fail("blob \(id)", "its latest fingerprint says hot, but the hot store does not hold it (missing)") }
                continue
            }
            r.coldBlobs += 1
            guard let loc = f.coldLocation else { fail("blob \(id)", "migrate fingerprint has an unreadable path \(f.path)"); continue }
            if segmentOK[loc.segment] == nil {
                segmentOK[loc.segment] = Result { () throws(ColdArchiveError) in try cold.verify(loc.segment) }
            }
            switch segmentOK[loc.segment]! {
            case .failure(let e): fail("blob \(id)", "\(e)")
            case .success(let seg):
                guard let e = seg.index.entries.first(where: { $0.id == id }) else { fail("blob \(id)", "not in segment \(loc.segment.hex)"); continue }
                let frame = seg.index.frames[Int(e.frame)]
                if e.originalHash != f.originalHash || e.length != f.originalSize { fail("blob \(id)", "segment entry differs from its migrate fingerprint") }
                if frame.storedHash != f.storedHash || frame.storedLength != f.storedSize || Int(e.frame) != loc.frame {
                    fail("blob \(id)", "stored frame differs from its migrate fingerprint")
                }
                if seg.arweaveDataRoot != f.commitment { fail("blob \(id)", "segment's Arweave data_root differs from the fingerprint's") }
            }
        }
        r.segments = segmentOK.count
        // The cold directory has no snapshot: a live writer's segment may be written and not yet
        // fingerprinted. Only with no writer running is an unreferenced segment left over.
        if let all = v.coldSegments, !v.writerLive {
            for s in all where segmentOK[s] == nil {
                r.warnings.append(Failure(subject: "segment \(s.hex)", reason: "not referenced by any fingerprint (left by an interrupted migration; the next migrate removes it)"))
            }
        }
        return r
    }
}
