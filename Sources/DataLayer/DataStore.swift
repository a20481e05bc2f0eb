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
        }
    }
}

/// One directory holding a whole embedded data layer:
/// `CALDERA-STORE` (marker), `hot.sqlite` (HotStore), `log.sqlite` (FingerprintLog), `cold/` (ColdArchive),
/// `lock` (held by writers).
public final class DataStore {
    public static let marker = "CALDERA-STORE"
    public static let markerContents = "caldera data store, format 1\n"
    public let directory: String
    public let hot: HotStore
    public let cold: ColdArchive
    public let log: FingerprintLog
    var lock: FileLock?

    public struct Options: Sendable {
        public var create: Bool
        /// Take the writer lock (put, migrate); readers (get, verify, stats) run without it.
        public var writer: Bool
        public init(create: Bool = false, writer: Bool = false) { self.create = create; self.writer = writer }
    }

    public init(directory: String, options: Options = Options()) throws(DataStoreError) {
        self.directory = directory
        let fm = FileManager.default
        let markerPath = directory + "/" + Self.marker
        var isDir: ObjCBool = false
        if !fm.fileExists(atPath: markerPath) {
            let exists = fm.fileExists(atPath: directory, isDirectory: &isDir)
            guard options.create else { throw .noStore(directory) }
            if exists {
                guard isDir.boolValue, ((try? fm.contentsOfDirectory(atPath: directory)) ?? ["?"]).isEmpty else { throw .notAStore(directory) }
            } else {
                do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                    throw .storage(StorageError(path: directory, reason: "cannot create: \(error.localizedDescription)"))
                }
            }
            do { try DurableFile.write(Array(Self.markerContents.utf8), to: markerPath) } catch { throw .storage(error) }
        }
        if options.writer {
            do { lock = try FileLock(path: directory + "/lock") } catch { throw .storage(error) }
        }
        do { hot = try SQLiteHotStore(path: directory + "/hot.sqlite") } catch { throw .hot(error) }
        do { log = try FingerprintLog(path: directory + "/log.sqlite") } catch { throw .log(error) }
        do { cold = try SegmentDirectoryArchive(root: directory + "/cold", removeTemporaries: options.writer) } catch { throw .cold(error) }
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    // MARK: put / get

    /// Posts blobs to the hot tier as one batch and fingerprints each (put record). Idempotent: a blob
    /// already held (hot or cold) is not stored or fingerprinted again.
    public func put(_ blobs: [(namespace: Namespace, data: [UInt8])], time: Int64, nowMillis: Int64) throws(DataStoreError) -> [BlobMeta] {
        let archived: Set<BlobID>
        do { archived = try log.blobs(kind: .migrate) } catch { throw .log(error) }
        let fresh = blobs.filter { !archived.contains(BlobID(namespace: $0.namespace, data: $0.data)) }
        let metas: [BlobMeta]
        do { metas = try hot.put(fresh, time: time) } catch { throw .hot(error) }
        do { try log.append(metas.map { putFingerprint($0, nowMillis: nowMillis) }) } catch { throw .log(error) }
        var byID = [BlobID: BlobMeta]()
        for m in metas { byID[m.id] = m }
        var out = [BlobMeta]()
        for b in blobs {
            let id = BlobID(namespace: b.namespace, data: b.data)
            if let m = byID[id] { out.append(m); continue }
            // already archived: report what the log knows
            let e = try? log.latest(for: id)
            out.append(BlobMeta(id: id, namespace: b.namespace, height: 0, time: time, size: UInt64(b.data.count),
                                originalHash: e?.fingerprint.originalHash ?? SHA256.hash(b.data), storedSize: e?.fingerprint.storedSize ?? 0,
                                storedHash: e?.fingerprint.storedHash ?? .zero, commitment: .zero))
        }
        return out
    }

    func putFingerprint(_ m: BlobMeta, nowMillis: Int64) -> Fingerprint {
        Fingerprint(kind: .put, blob: m.id, namespace: m.namespace, path: "hot/\(Hex.encode(m.namespace.bytes.suffix(10)))/\(m.height)",
                    timestampMillis: nowMillis, originalSize: m.size, originalHash: m.originalHash, storedSize: m.storedSize,
                    storedHash: m.storedHash, commitment: m.commitment, tiers: .hot)
    }

    /// Which tier answered a read.
    public enum Tier: String, Sendable, Codable { case hot, cold }

    /// The original bytes, from whichever tier holds them, verified against the tier's hashes and
    /// against the blob's fingerprint.
    public func get(_ id: BlobID) throws(DataStoreError) -> (bytes: [UInt8], tier: Tier) {
        do {
            if let b = try hot.get(id) { return (b, .hot) }
        } catch { throw .hot(error) }
        // Not hot. Hot copies are released only after the migrate record is committed, so reading the
        // log after a hot miss always sees the record of a blob released meanwhile.
        let entries: [FingerprintLog.Entry]
        do { entries = try log.entries(for: id) } catch { throw .log(error) }
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
        public init(policy: TieringPolicy = TieringPolicy(), parameters: Zstd.Parameters = Zstd.Parameters(),
                    frameTarget: Int = 32 << 20, dictionaries: Bool = true) {
            self.policy = policy; self.parameters = parameters; self.frameTarget = frameTarget; self.dictionaries = dictionaries
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
        var report = MigrationReport()
        let logSizeBefore: UInt64
        do { logSizeBefore = try log.head().size } catch { throw .log(error) }
        try reconcile(nowMillis: nowMillis)
        report.orphansRemoved = try removeOrphans()
        let hotBlobs: [BlobMeta]
        let archived: Set<BlobID>
        do { hotBlobs = try hot.list() } catch { throw .hot(error) }
        do { archived = try log.blobs(kind: .migrate) } catch { throw .log(error) }
        let plan = MigrationPlan.make(hot: hotBlobs, archived: archived, policy: options.policy, now: now)
        report.stayed = plan.stay.count

        // Finish an interrupted run: the cold copy is fingerprinted; check it, then release the hot one.
        var verified = Set<Digest>()
        for id in plan.release {
            do {
                guard let e = try log.entries(for: id).last(where: { $0.fingerprint.kind == .migrate }), let loc = e.fingerprint.coldLocation else { continue }
                if !verified.contains(loc.segment) { _ = try cold.verify(loc.segment); verified.insert(loc.segment) }
                _ = try readCold(id, loc.segment, e.fingerprint)
                try hot.delete([id])
                report.released += 1
            } catch let e as DataStoreError { throw e } catch let e as ColdArchiveError { throw .cold(e) }
            catch let e as HotStoreError { throw .hot(e) } catch let e as FingerprintLog.Error { throw .log(e) }
            catch { throw .storage(StorageError(path: directory, reason: "\(error)")) }
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

        for seg in plan.segments {
            var items = [Segment.Item]()
            for b in seg.blobs {
                let bytes: [UInt8]?
                do { bytes = try hot.get(b.id) } catch { throw .hot(error) }
                guard let bytes else { continue } // released by someone else meanwhile
                items.append(Segment.Item(id: b.id, height: b.height, time: b.time, data: bytes))
            }
            if items.isEmpty { continue }
            let encoded: (bytes: [UInt8], index: SegmentIndex)
            do {
                encoded = try Segment.encode(items: items, namespace: seg.namespace, windowStart: seg.windowStart, windowEnd: seg.windowEnd,
                                             parameters: options.parameters, dictionary: dictionaries[seg.namespace], frameTarget: options.frameTarget)
            } catch { throw .codec(error) }
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
                                           path: "cold/segments/\(checked.address.hex).seg#\(e.frame)", timestampMillis: nowMillis,
                                           originalSize: e.length, originalHash: e.originalHash, storedSize: f.storedLength, storedHash: f.storedHash,
                                           commitment: checked.arweaveDataRoot, tiers: .cold))
            }
            do { try log.append(records) } catch { throw .log(error) }
            // 4. only then release the hot copies
            do { try hot.delete(items.map(\.id)) } catch { throw .hot(error) }
            report.migrated += items.count
            report.segments += 1
            report.rawBytes += checked.index.rawBytes
            report.storedBytes += checked.size
        }
        do { report.fingerprintsAdded = Int(try log.head().size - logSizeBefore) } catch { throw .log(error) }
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
        guard let plain = try? Zstd.compress(trial, parameters: options.parameters),
              let withDict = try? Zstd.compress(trial, parameters: options.parameters, dictionary: dict) else { return nil }
        let saved = (plain.count - withDict.count) * frames
        return saved > dict.count ? dict : nil
    }

    /// Hot blobs whose put fingerprint is missing (a put killed between its two commits) get it now.
    func reconcile(nowMillis: Int64) throws(DataStoreError) {
        do {
            let recorded = try log.blobs(kind: .put)
            let missing = try hot.list().filter { !recorded.contains($0.id) }
            if !missing.isEmpty { try log.append(missing.map { putFingerprint($0, nowMillis: nowMillis) }) }
        } catch let e as FingerprintLog.Error { throw .log(e) } catch let e as HotStoreError { throw .hot(e) }
        catch { throw .storage(StorageError(path: directory, reason: "\(error)")) }
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
        do { return Set(try log.allEntries().compactMap { $0.fingerprint.coldLocation?.segment }) } catch { throw .log(error) }
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
        let hotList: [BlobMeta]
        do { hotList = try hot.list() } catch { throw .hot(error) }
        let entries: [FingerprintLog.Entry]
        let head: FingerprintLog.Head
        do { entries = try log.allEntries(); head = try log.head() } catch { throw .log(error) }
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
    /// address, and the log against its persisted root.
    public func verify() -> VerifyReport {
        var r = VerifyReport()
        func fail(_ s: String, _ why: String) { r.failures.append(Failure(subject: s, reason: why)) }
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
        if let all = try? cold.segments() {
            for s in all where segmentOK[s] == nil {
                r.warnings.append(Failure(subject: "segment \(s.hex)", reason: "not referenced by any fingerprint (left by an interrupted migration; the next migrate removes it)"))
            }
        }
        return r
    }
}
