import DataLayer
import Foundation
import Merkle
import DataTestSupport
import TestSupport
import Testing

@Suite struct DataStoreTests {
    static let fast = DataStore.MigrationOptions(policy: TieringPolicy(hotWindow: 0), parameters: .init(level: 3), frameTarget: 256 << 10)

    /// A new writable store in a fresh directory (named after `name`; the caller removes it) holding `blobs`,
    /// put in one batch in namespace `ns` at time 0.
    static func newStore(_ name: String, ns: Namespace, blobs: [[UInt8]]) throws -> (dir: String, store: DataStore, metas: [BlobMeta]) {
        let dir = tempPath(name)
        do {
            let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
            return (dir, store, try store.put(blobs.map { (ns, $0) }, time: 0, nowMillis: 0))
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    @Test func putMigrateGetRoundTripWithTieringAndIdempotence() throws {
        let dir = tempPath("store")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: DataStoreError.self) { try DataStore(directory: dir) } // missing store
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        let day: Int64 = 86_400, now: Int64 = 1_800_000_000
        let ns = Namespace(name: "rollup")!
        let old = (0..<30).map { chainLikeData(3_000 + $0 * 101, seed: UInt64($0)) }
        let young = (30..<35).map { chainLikeData(2_000, seed: UInt64($0)) }
        let oldMeta = try store.put(old.map { (ns, $0) }, time: now - 10 * day, nowMillis: now * 1000)
        let youngMeta = try store.put(young.map { (ns, $0) }, time: now - day, nowMillis: now * 1000)
        #expect(Set(oldMeta.map(\.height)) == [1] && Set(youngMeta.map(\.height)) == [2])
        // same bytes again: same id, nothing new in the log
        #expect(try store.put([(ns, old[0])], time: now, nowMillis: now * 1000).map(\.id) == [oldMeta[0].id])
        #expect(try store.log.head().size == 35)
        #expect(oldMeta[0].commitment == (try CelestiaCommitment.commitment(namespace: ns, data: old[0])))

        let r = try store.migrate(options: .init(parameters: .init(level: 3)), now: now, nowMillis: now * 1000) // default 7-day window
        #expect(r.migrated == 30 && r.stayed == 5 && r.fingerprintsAdded == 30)
        for (m, d) in zip(oldMeta, old) { #expect(try store.get(m.id) == (d, .cold)) }
        for (m, d) in zip(youngMeta, young) { #expect(try store.get(m.id) == (d, .hot)) }
        let stats = try store.stats()
        #expect(stats.hot.blobs == 5 && stats.cold.blobs == 30)
        #expect(stats.cold.rawBytes == old.reduce(0) { $0 + UInt64($1.count) })
        #expect(stats.cold.bytes > 0 && stats.cold.bytes < stats.cold.rawBytes)
        #expect(stats.log.size == 65)
        // again: nothing to do
        let again = try store.migrate(options: .init(parameters: .init(level: 3)), now: now, nowMillis: now * 1000)
        #expect(again.migrated == 0 && again.fingerprintsAdded == 0)
        // putting an archived blob again is a no-op
        #expect(try store.put([(ns, old[1])], time: now, nowMillis: now * 1000).map(\.id) == [oldMeta[1].id])
        #expect(try store.log.head().size == 65)
        let v = store.verify()
        #expect(v.ok, "\(v.failures)")
        #expect(v.hotBlobs == 5 && v.coldBlobs == 30)
        #expect(throws: DataStoreError.self) { try store.get(BlobID(digest: .zero)) }
        // every migrate record's commitment is the Arweave data_root of its segment
        let e = try #require(try store.log.latest(for: oldMeta[0].id))
        let seg = try #require(e.fingerprint.coldLocation).segment
        let file = try Data(contentsOf: URL(fileURLWithPath: dir + "/cold/segments/\(seg.hex).seg"))
        #expect(ArweaveDataRoot(data: [UInt8](file)).root == e.fingerprint.commitment)
        #expect(SHA256.hash(file) == seg)
    }

    @Test func dictionariesAreTrainedForManySmallBlobs() throws {
        let ns = Namespace(name: "small")!
        let blobs = (0..<400).map { chainLikeData(700 + $0 % 50, seed: UInt64($0)) }
        let (dir, store, metas) = try Self.newStore("dict", ns: ns, blobs: blobs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try store.migrate(options: .init(policy: TieringPolicy(hotWindow: 0), parameters: .init(level: 19, windowLog: 0, longDistanceMatching: false),
                                                 frameTarget: 1_000), now: 10, nowMillis: 10_000) // one blob per frame: where a dictionary pays
        #expect(r.dictionaries == 1)
        let seg = try #require(try store.cold.segments().first)
        #expect(try store.cold.index(of: seg).dictionary != nil)
        for (m, b) in zip(metas, blobs) { #expect(try store.get(m.id).bytes == b) }
        #expect(store.verify().ok)
    }

    @Test func corruptionIsDetectedAndNamed() throws {
        let ns = Namespace(name: "c")!
        let blobs = (0..<6).map { chainLikeData(20_000, seed: UInt64($0)) }
        let (dir, store, metas) = try Self.newStore("corrupt", ns: ns, blobs: blobs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try store.migrate(options: Self.fast, now: 10, nowMillis: 10_000)
        let seg = try #require(try store.cold.segments().first)
        let path = dir + "/cold/segments/\(seg.hex).seg"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[Segment.headerSize + 10] ^= 0x55 // inside the first frame
        chmod(path, 0o644)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataStoreError.self) { try store.get(metas[0].id) }
        let v = store.verify()
        #expect(!v.ok)
        #expect(v.failures.contains { $0.subject.contains(metas[0].id.hex) })
        // truncated segment: typed error too
        try Data(bytes.prefix(100)).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataStoreError.self) { try store.get(metas[0].id) }
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: DataStoreError.self) { try store.get(metas[0].id) }
        #expect(!store.verify().ok)
    }

    @Test func interruptedMigrationIsFinishedAndOrphansRemoved() throws {
        let ns = Namespace(name: "r")!
        let blobs = (0..<8).map { chainLikeData(10_000, seed: UInt64($0)) }
        let (dir, store, metas) = try Self.newStore("resume", ns: ns, blobs: blobs)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Simulate a crash after writing a segment but before fingerprinting: an orphan segment.
        let items = metas.prefix(4).enumerated().map { Segment.Item(id: $1.id, height: $1.height, time: $1.time, data: blobs[$0]) }
        let (orphan, _) = try Segment.encode(items: items, namespace: ns, windowStart: 0, windowEnd: 1, parameters: .init(level: 1), dictionary: nil)
        let written = try store.cold.write(segment: orphan)
        // And a stray temp file from a write killed before its rename.
        _ = FileManager.default.createFile(atPath: dir + "/cold/segments/x.seg.1.2.tmp", contents: Data([1, 2, 3]))
        #expect(store.verify().warnings.count == 1)
        let reader = try DataStore(directory: dir)
        #expect(FileManager.default.fileExists(atPath: dir + "/cold/segments/x.seg.1.2.tmp")) // readers leave it
        _ = reader
        let reopened = try SegmentDirectoryArchive(root: dir + "/cold", removeTemporaries: true) // as a writer opens it
        #expect(!FileManager.default.fileExists(atPath: dir + "/cold/segments/x.seg.1.2.tmp"))
        _ = reopened
        let r = try store.migrate(options: Self.fast, now: 10, nowMillis: 10_000)
        #expect(r.orphansRemoved == 1 && r.migrated == 8)
        #expect(!(try store.cold.segments().contains(written.address)))
        // Simulate a crash after fingerprinting but before releasing hot copies: put them back.
        let hot = try SQLiteHotStore(path: dir + "/hot.sqlite")
        _ = try hot.put([(ns, blobs[0])], time: 0)
        #expect(try store.get(metas[0].id).tier == .hot)
        let r2 = try store.migrate(options: Self.fast, now: 10, nowMillis: 10_000)
        #expect(r2.released == 1 && r2.migrated == 0 && r2.fingerprintsAdded == 0)
        #expect(try store.get(metas[0].id) == (blobs[0], .cold))
        // A put killed between its hot commit and its log append: reconciled by the next migrate.
        let extra = chainLikeData(5_000, seed: 77)
        let m = try hot.put([(ns, extra)], time: 20)
        #expect(!store.verify().ok)
        _ = try store.migrate(options: .init(policy: TieringPolicy(hotWindow: 1_000_000)), now: 30, nowMillis: 30_000)
        #expect(try store.log.entries(for: m[0].id).map(\.fingerprint.kind) == [.put])
        #expect(store.verify().ok)
    }

    @Test(.enabled(if: SharedData.exists("corpus/SOURCES.md"), "needs ../shared/corpus"))
    func everyCorpusFileRoundTripsByteExact() throws {
        let dir = tempPath("corpus")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        let corpus = SharedData.url("corpus")
        var expected = [(BlobID, URL)]()
        for source in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() where !source.hasSuffix(".md") {
            let ns = Namespace(name: String(source.prefix(10)))!
            let files = try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(source).path).sorted()
                .map { corpus.appendingPathComponent(source).appendingPathComponent($0) }
            let metas = try store.put(try files.map { (ns, [UInt8](try Data(contentsOf: $0))) }, time: 0, nowMillis: 0)
            expected += zip(metas.map(\.id), files)
        }
        #expect(expected.count >= 30)
        _ = try store.migrate(options: .init(policy: TieringPolicy(hotWindow: 0), parameters: .init(level: 1, windowLog: 0, longDistanceMatching: false)),
                              now: 10, nowMillis: 10_000)
        #expect(try store.stats().hot.blobs == 0)
        for (id, url) in expected {
            let got = try store.get(id)
            #expect(got.tier == .cold)
            #expect(Data(got.bytes) == (try Data(contentsOf: url)), "\(url.lastPathComponent)")
        }
        #expect(store.verify().ok)
    }
}
