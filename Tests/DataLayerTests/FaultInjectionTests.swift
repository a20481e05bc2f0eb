import DataLayer
import Foundation
import Merkle
import DataTestSupport
import Testing

/// Where the next injected fault lands: the `target`-th call (0-based) to a tier, either before the
/// call does anything or after it has committed (the caller crashes before learning it succeeded).
final class Faults {
    enum Phase: CaseIterable { case before, after }
    var target: Int?
    var phase = Phase.before
    var calls = 0
    var fired = false

    /// Runs one tier call, failing it as planned. A fault is a crash: the `DataStore` that saw it is
    /// thrown away, and the test reopens the tiers with a new one.
    func step<T, E: Error>(_ error: E, _ body: () throws(E) -> T) throws(E) -> T {
        let n = calls
        calls += 1
        guard n == target, !fired else { return try body() }
        fired = true
        if phase == .before { throw error }
        _ = try body()
        throw error
    }
}

final class FaultyHot: HotStore {
    let inner: MemoryHotStore, faults: Faults
    init(_ inner: MemoryHotStore, _ faults: Faults) { self.inner = inner; self.faults = faults }
    static let injected = HotStoreError.database("injected fault")
    func put(_ blobs: [(namespace: Namespace, data: [UInt8])], time: Int64) throws(HotStoreError) -> [BlobMeta] {
        try faults.step(Self.injected) { () throws(HotStoreError) in try inner.put(blobs, time: time) }
    }
    func delete(_ ids: [BlobID]) throws(HotStoreError) { try faults.step(Self.injected) { () throws(HotStoreError) in try inner.delete(ids) } }
    func snapshot() throws(HotStoreError) -> any HotStoreReader { try inner.snapshot() }
    func get(_ id: BlobID) throws(HotStoreError) -> [UInt8]? { try inner.get(id) }
    func meta(_ id: BlobID) throws(HotStoreError) -> BlobMeta? { try inner.meta(id) }
    func list() throws(HotStoreError) -> [BlobMeta] { try inner.list() }
    func height() throws(HotStoreError) -> UInt64 { try inner.height() }
}

final class FaultyLog: FingerprintLogStore {
    let inner: MemoryFingerprintLog, faults: Faults
    init(_ inner: MemoryFingerprintLog, _ faults: Faults) { self.inner = inner; self.faults = faults }
    func append(_ records: [Fingerprint], coveringHotHeight: UInt64?) throws(FingerprintLog.Error) -> [UInt64] {
        try faults.step(FingerprintLog.Error.database("injected fault")) { () throws(FingerprintLog.Error) in
            try inner.append(records, coveringHotHeight: coveringHotHeight)
        }
    }
    func snapshot() throws(FingerprintLog.Error) -> any FingerprintLogReader { try inner.snapshot() }
    func head() throws(FingerprintLog.Error) -> FingerprintLog.Head { try inner.head() }
    func persistedPeaks() throws(FingerprintLog.Error) -> [Digest] { try inner.persistedPeaks() }
    func entries(for blob: BlobID) throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { try inner.entries(for: blob) }
    func allEntries() throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { try inner.allEntries() }
    func blobs(kind: Fingerprint.Kind) throws(FingerprintLog.Error) -> Set<BlobID> { try inner.blobs(kind: kind) }
    func leafHashes() throws(FingerprintLog.Error) -> [Digest] { try inner.leafHashes() }
    func covers(hotHeight: UInt64) throws(FingerprintLog.Error) -> Bool { try inner.covers(hotHeight: hotHeight) }
}

final class FaultyCold: ColdArchive {
    let inner: MemoryColdArchive, faults: Faults
    init(_ inner: MemoryColdArchive, _ faults: Faults) { self.inner = inner; self.faults = faults }
    static let injected = ColdArchiveError.storage(StorageError(path: "memory", reason: "injected fault"))
    func write(segment bytes: [UInt8]) throws(ColdArchiveError) -> ArchivedSegment {
        try faults.step(Self.injected) { () throws(ColdArchiveError) in try inner.write(segment: bytes) }
    }
    func write(dictionary bytes: [UInt8]) throws(ColdArchiveError) -> Digest {
        try faults.step(Self.injected) { () throws(ColdArchiveError) in try inner.write(dictionary: bytes) }
    }
    func verify(_ address: Digest) throws(ColdArchiveError) -> ArchivedSegment {
        try faults.step(Self.injected) { () throws(ColdArchiveError) in try inner.verify(address) }
    }
    func remove(_ address: Digest) throws(ColdArchiveError) { try faults.step(Self.injected) { () throws(ColdArchiveError) in try inner.remove(address) } }
    func dictionary(_ digest: Digest) throws(ColdArchiveError) -> [UInt8] { try inner.dictionary(digest) }
    func index(of address: Digest) throws(ColdArchiveError) -> SegmentIndex { try inner.index(of: address) }
    func read(_ id: BlobID, from address: Digest) throws(ColdArchiveError) -> [UInt8] { try inner.read(id, from: address) }
    func segments() throws(ColdArchiveError) -> [Digest] { try inner.segments() }
    func size(of address: Digest) -> UInt64 { inner.size(of: address) }
    func dictionaryBytes() -> UInt64 { inner.dictionaryBytes() }
}

/// The three in-memory tiers that outlive a "crash", and a way to open a store over them with a
/// fault planned.
struct MemoryTiers {
    let hot = MemoryHotStore(), cold = MemoryColdArchive(), log = MemoryFingerprintLog()

    func open(_ faults: Faults? = nil) throws -> DataStore {
        guard let faults else { return try DataStore(hot: hot, cold: cold, log: log, clock: { 1 }) }
        return try DataStore(hot: FaultyHot(hot, faults), cold: FaultyCold(cold, faults), log: FaultyLog(log, faults), clock: { 1 })
    }
}

/// Migration's and put's crash-safety protocol without a disk: a fault is injected at every tier call
/// of a `put` and of a `migrate`, before and after the call commits; after each, reopening the tiers
/// must give a store that verifies, with every blob whose put returned readable byte-exact, and the
/// interrupted operation, run again, must finish with one `put` and one `migrate` record per blob.
@Suite struct FaultInjectionTests {
    static let ns = [Namespace(name: "fa")!, Namespace(name: "fb")!]
    static let options = DataStore.MigrationOptions(policy: TieringPolicy(hotWindow: 0, segmentWindow: 60), parameters: .init(level: 1),
                                                    frameTarget: 8 << 10, dictionaries: true)

    /// A store with some blobs already cold and some hot (several namespaces and windows, so a
    /// migration writes several segments and a dictionary).
    static func seeded() throws -> (MemoryTiers, [(BlobID, [UInt8])]) {
        let tiers = MemoryTiers()
        let store = try tiers.open()
        var blobs = [(BlobID, [UInt8])]()
        for batch in 0 ..< 4 {
            let data = (0 ..< 12).map { chainLikeData(900 + $0 * 37, seed: UInt64(batch * 100 + $0)) }
            let ns = Self.ns[batch % 2]
            let metas = try store.put(data.map { (ns, $0) }, time: Int64(batch) * 60, nowMillis: 0)
            blobs += zip(metas.map(\.id), data)
            if batch == 1 { _ = try store.migrate(options: options, now: 1_000, nowMillis: 0) }
        }
        return (tiers, blobs)
    }

    static func checkReopened(_ tiers: MemoryTiers, _ blobs: [(BlobID, [UInt8])], _ label: String) throws {
        let store = try tiers.open()
        let v = store.verify()
        #expect(v.ok, "\(label): \(v.failures)")
        for (id, data) in blobs { #expect(try store.get(id).bytes == data, "\(label)") }
    }

    static func checkFinished(_ tiers: MemoryTiers, _ blobs: [(BlobID, [UInt8])], _ label: String) throws {
        let store = try tiers.open()
        _ = try store.migrate(options: options, now: 1_000, nowMillis: 0)
        let v = store.verify()
        #expect(v.ok && v.warnings.isEmpty, "\(label): \(v.failures) \(v.warnings)")
        for (id, data) in blobs { #expect(try store.get(id) == (data, .cold), "\(label)") }
        var kinds = [BlobID: [Fingerprint.Kind]]()
        for e in try store.log.allEntries() { kinds[e.fingerprint.blob, default: []].append(e.fingerprint.kind) }
        #expect(kinds.count == blobs.count && kinds.values.allSatisfy { $0 == [.put, .migrate] }, "\(label)")
    }

    /// Byte-exact, or unknown to every tier: never anything in between.
    static func readableOrUnknown(_ store: DataStore, _ id: BlobID, _ data: [UInt8]) -> Bool {
        do { return try store.get(id).bytes == data } catch {
            if case .unknownBlob = error { return true }
            return false
        }
    }

    /// Runs `operation` on freshly seeded tiers with a fault at every tier call, before and after the call
    /// commits, until the operation makes no call that is left to fail. After each fault the reopened store
    /// must verify and hold every seeded blob; then `finish` completes the interrupted work. Returns how many
    /// faults fired.
    static func faultAtEveryStep(_ name: String, _ operation: (DataStore) throws -> Void,
                                 finish: (MemoryTiers, [(BlobID, [UInt8])], String) throws -> Void) throws -> Int {
        var faultsSeen = 0
        for phase in Faults.Phase.allCases {
            for target in 0 ..< 1_000 {
                let (tiers, blobs) = try Self.seeded()
                let faults = Faults()
                faults.target = target; faults.phase = phase
                let label = "\(name), fault \(phase) call \(target)"
                var returned = false
                do { try operation(tiers.open(faults)); returned = true } catch {
                    #expect(faults.fired, "\(label): \(error)")
                }
                if !faults.fired { #expect(returned); break }
                faultsSeen += 1
                try Self.checkReopened(tiers, blobs, label)
                try finish(tiers, blobs, label)
            }
        }
        return faultsSeen
    }

    @Test func putSurvivesAFaultAtEveryStep() throws {
        let fresh = (0 ..< 5).map { chainLikeData(1_500 + $0, seed: 9_000 + UInt64($0)) }
        let faultsSeen = try Self.faultAtEveryStep("put", { _ = try $0.put(fresh.map { (Self.ns[0], $0) }, time: 500, nowMillis: 0) }) { tiers, blobs, label in
            // The interrupted put's blobs: each is either unknown or readable, never half there.
            let store = try tiers.open()
            for d in fresh { #expect(Self.readableOrUnknown(store, BlobID(namespace: Self.ns[0], data: d), d), "\(label)") }
            // Put again: now it returns, and everything migrates cleanly.
            let metas = try store.put(fresh.map { (Self.ns[0], $0) }, time: 500, nowMillis: 0)
            try Self.checkFinished(tiers, blobs + zip(metas.map(\.id), fresh), label)
        }
        #expect(faultsSeen >= 4) // hot put and log append, each before and after
    }

    @Test func migrateSurvivesAFaultAtEveryStep() throws {
        let faultsSeen = try Self.faultAtEveryStep("migrate", { _ = try $0.migrate(options: Self.options, now: 1_000, nowMillis: 0) },
                                                   finish: Self.checkFinished)
        // dictionary, then per segment: write, read-back, log append, hot delete; twice over
        #expect(faultsSeen >= 10, "\(faultsSeen)")
    }

    /// A migration cut short, then a put cut short, then a second migration cut short: faults compose.
    @Test func faultsInSuccessionStillRecover() throws {
        let (tiers, blobs) = try Self.seeded()
        var all = blobs
        for round in 0 ..< 3 {
            let f1 = Faults(); f1.target = 2 + round; f1.phase = .after
            _ = try? tiers.open(f1).migrate(options: Self.options, now: 1_000, nowMillis: 0)
            let data = (0 ..< 3).map { chainLikeData(700, seed: 50_000 + UInt64(round * 10 + $0)) }
            let f2 = Faults(); f2.target = 0; f2.phase = .after // hot committed, log append never ran
            _ = try? tiers.open(f2).put(data.map { (Self.ns[1], $0) }, time: 900, nowMillis: 0)
            all += data.map { (BlobID(namespace: Self.ns[1], data: $0), $0) } // hot, so readable once reopened
            let store = try tiers.open()
            #expect(store.recovered == 3, "round \(round)")
            try Self.checkReopened(tiers, all, "round \(round)")
        }
        try Self.checkFinished(tiers, all, "end")
    }

    @Test func blobsAboveTheLimitAreRefusedWithAClearError() throws {
        let store = try MemoryTiers().open()
        let big = [UInt8](repeating: 7, count: DataStore.maxBlobSize + 1)
        do {
            _ = try store.put([(Self.ns[0], [1, 2, 3]), (Self.ns[0], big)], time: 0, nowMillis: 0)
            Issue.record("a blob above the limit was accepted")
        } catch {
            guard case .blobTooLarge(index: 1, size: DataStore.maxBlobSize + 1) = error else { Issue.record("\(error)"); return }
            #expect("\(error)".contains("at most \(DataStore.maxBlobSize) bytes"))
        }
        #expect(try store.log.head().size == 0) // nothing of the batch was stored
        #expect(try store.hot.list().isEmpty)
    }

    @Test func coldLocationPathIsTheCommittedFormat() throws {
        let d = SHA256.hash(Array("segment".utf8))
        let loc = ColdLocation(segment: d, frame: 17)
        #expect(loc.path == "cold/segments/\(d.hex).seg#17") // the bytes already committed in logs
        #expect(ColdLocation(path: loc.path) == loc)
        for bad in ["cold/segments/\(d.hex).seg#", "cold/segments/\(d.hex).seg#+1", "cold/segments/\(d.hex).seg#-1", "cold/segments/\(d.hex)#1",
                    "cold/segments/\(d.hex).seg#1#2", "hot/segments/\(d.hex).seg#1", "cold/segments/xyz.seg#1", ""] {
            #expect(ColdLocation(path: bad) == nil, "\(bad)")
        }
        let ns = Namespace(name: "rollup")!
        #expect(HotLocation(namespace: ns, height: 42).path == "hot/\(Hex.encode(ns.bytes.suffix(10)))/42")
    }
}
