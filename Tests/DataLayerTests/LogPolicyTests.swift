import DataLayer
import Foundation
import Merkle
import DataTestSupport
import Testing

func sampleFingerprint(_ i: Int, kind: Fingerprint.Kind = .put) -> Fingerprint {
    let data = Array("blob \(i)".utf8)
    let ns = Namespace(name: "log")!
    return Fingerprint(kind: kind, blob: BlobID(namespace: ns, data: data), namespace: ns, path: kind == .put ? "hot/x/\(i)" : "cold/segments/\(SHA256.hash([UInt8(i & 255)]).hex).seg#0",
                       timestampMillis: 1_700_000_000_000 + Int64(i), originalSize: UInt64(data.count), originalHash: SHA256.hash(data),
                       storedSize: 3, storedHash: SHA256.hash([1, 2, 3]), commitment: SHA256.hash([9]), tiers: kind == .put ? .hot : .cold)
}

@Suite struct FingerprintTests {
    @Test func encodingRoundTripsAndRejectsCorruption() throws {
        let f = sampleFingerprint(1, kind: .migrate)
        #expect(try Fingerprint(decoding: f.encoded) == f)
        #expect(f.coldLocation?.frame == 0)
        #expect(sampleFingerprint(1).coldLocation == nil)
        #expect(throws: FormatError.self) { try Fingerprint(decoding: Array(f.encoded.dropLast())) }
        #expect(throws: FormatError.self) { try Fingerprint(decoding: f.encoded + [0]) }
        var bad = f.encoded
        bad[0] = 2
        #expect(throws: FormatError.unsupportedVersion(what: "fingerprint", version: 2)) { try Fingerprint(decoding: bad) }
        for cut in 0..<f.encoded.count { #expect(throws: FormatError.self) { try Fingerprint(decoding: Array(f.encoded.prefix(cut))) } }
    }
}

@Suite struct FingerprintLogTests {
    @Test func appendIsIdempotentPersistedAndProvable() throws {
        let dir = tempPath("log")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let records = (0..<37).map { sampleFingerprint($0) }
        do {
            let log = try FingerprintLog(path: dir + "/log.sqlite")
            #expect(try log.head() == .init(size: 0, root: MerkleHash.emptyRoot))
            #expect(try log.append(Array(records.prefix(20))) == (0..<20).map(UInt64.init))
            // re-appending (a re-run after a crash) adds nothing and returns the existing indices
            #expect(try log.append(Array(records.prefix(25))) == (0..<25).map(UInt64.init))
            #expect(try log.head().size == 25)
        }
        let log = try FingerprintLog(path: dir + "/log.sqlite") // reopened: persisted
        try log.append(records)
        let tree = MerkleTree(leaves: records.map(\.encoded))
        #expect(try log.head() == .init(size: 37, root: tree.root))
        let p = try log.inclusionProof(for: records[30].blob)
        #expect(p.index == 30 && p.root == tree.root)
        try p.verify()
        let c = try log.consistencyProof(oldSize: 20)
        #expect(c.oldRoot == tree.root(ofSize: 20) && c.newRoot == tree.root)
        try c.verify()
        #expect(throws: FingerprintLog.Error.self) { try log.consistencyProof(oldSize: 0) }
        #expect(throws: FingerprintLog.Error.self) { try log.consistencyProof(oldSize: 38) }
        #expect(throws: FingerprintLog.Error.self) { try log.inclusionProof(for: BlobID(digest: .zero)) }
        // a migrate record of the same blob is a different (blob, kind): appended
        try log.append([sampleFingerprint(3, kind: .migrate)])
        #expect(try log.entries(for: records[3].blob).map(\.fingerprint.kind) == [.put, .migrate])
    }
}

@Suite struct TieringPolicyTests {
    static func meta(_ i: Int, time: Int64, ns: String = "a", size: UInt64 = 100) -> BlobMeta {
        let n = Namespace(name: ns)!
        return BlobMeta(id: BlobID(namespace: n, data: [UInt8(i)]), namespace: n, height: UInt64(i), time: time, size: size,
                        originalHash: .zero, storedSize: size, storedHash: .zero, commitment: .zero)
    }

    @Test func hotWindowDecides() {
        let day: Int64 = 86_400, now: Int64 = 100 * day
        let p = TieringPolicy()
        #expect(p.hotWindow == 7 * day)
        #expect(p.staysHot(Self.meta(0, time: now - 7 * day + 1), now: now))
        #expect(!p.staysHot(Self.meta(0, time: now - 7 * day), now: now))
        #expect(!TieringPolicy(hotWindow: 0).staysHot(Self.meta(0, time: now + 5), now: now)) // 0s: everything
        let d = p.decide([Self.meta(1, time: now), Self.meta(2, time: now - 8 * day)], now: now)
        #expect(d.stay.map(\.height) == [1] && d.migrate.map(\.height) == [2])
        #expect(p.windowStart(-1) == -day && p.windowStart(day + 5) == day)
    }

    @Test func planGroupsByNamespaceAndWindowDeterministically() {
        let day: Int64 = 86_400, now: Int64 = 100 * day
        let policy = TieringPolicy(hotWindow: 7 * day, segmentWindow: day, segmentTargetBytes: 250)
        let blobs = [Self.meta(5, time: 10 * day + 5, ns: "b"), Self.meta(1, time: 10 * day, ns: "a"), Self.meta(2, time: 10 * day + 1, ns: "a"),
                     Self.meta(3, time: 10 * day + 2, ns: "a"), Self.meta(4, time: 11 * day, ns: "a"), Self.meta(6, time: now, ns: "a")]
        let archived: Set<BlobID> = [blobs[4].id]
        let plan = MigrationPlan.make(hot: blobs, archived: archived, policy: policy, now: now)
        #expect(plan.release == [blobs[4].id])
        #expect(plan.stay == [blobs[5].id])
        #expect(plan.segments.map { $0.blobs.map(\.height) } == [[1, 2], [3], [5]]) // 250-byte target splits a's day-10 window
        #expect(plan.segments.map(\.windowStart) == [10 * day, 10 * day, 10 * day])
        #expect(MigrationPlan.make(hot: blobs.reversed(), archived: archived, policy: policy, now: now) == plan)
    }

    @Test func durations() {
        #expect(TieringPolicy.parseDuration("0s") == 0)
        #expect(TieringPolicy.parseDuration("7d") == 604_800)
        #expect(TieringPolicy.parseDuration("1d12h") == 129_600)
        #expect(TieringPolicy.parseDuration("90m") == 5_400)
        #expect(TieringPolicy.parseDuration("2w") == 1_209_600)
        for bad in ["", "7", "d", "7x", "-1d", "99999999999999999999s"] { #expect(TieringPolicy.parseDuration(bad) == nil, "\(bad)") }
    }
}

@Suite struct CostModelTests {
    @Test func tieringPaysOnlyBeyondBreakEven() throws {
        let m = CostModel()
        let short = m.compare(rawBytes: 1e9, compressionRatio: 5, retentionDays: 7)
        #expect(short.calderaArchive == 0 && short.traditionalStorage == short.calderaHot)
        var last = -Double.infinity
        for d in [30.0, 90, 365, 1825, 3650] {
            let b = m.compare(rawBytes: 1e9, compressionRatio: 5, retentionDays: d)
            #expect(b.storageReduction > last) // savings grow with retention
            last = b.storageReduction
        }
        let be = try #require(m.breakEvenDays(rawBytes: 1e9, compressionRatio: 5))
        #expect(m.compare(rawBytes: 1e9, compressionRatio: 5, retentionDays: be - 1).storageReduction <= 0)
        #expect(m.compare(rawBytes: 1e9, compressionRatio: 5, retentionDays: be + 1).storageReduction > 0)
        // better compression, cheaper archive
        #expect(m.compare(rawBytes: 1e9, compressionRatio: 10, retentionDays: 365).calderaArchive
                < m.compare(rawBytes: 1e9, compressionRatio: 5, retentionDays: 365).calderaArchive)
        // every parameter is dated and sourced
        for (name, p) in m.parameters { #expect(!p.asOf.isEmpty && !p.source.isEmpty, "\(name)") }
        // 1 GB on Celestia: 8 gas/byte × 0.002 utia/gas ≈ 0.0171 TIA/MB with share padding
        let expected = 1e9 / 478 * 512 * 8 * 0.002e-6 * 2 + 1000 * 75_000 * 0.002e-6 * 2
        #expect(abs(m.postingUSD(bytes: 1e9, da: .celestia) - expected) / expected < 1e-6)
    }
}

/// Found in review: overflowing durations and extreme blob times trapped the tiering policy.
@Test func tieringArithmeticNeverTraps() {
    #expect(TieringPolicy.parseDuration("9223372036854775807s1s") == nil)
    #expect(TieringPolicy.parseDuration("9223372036854775807s9223372036854775807s") == nil)
    let p = TieringPolicy()
    for t in [Int64.min, Int64.min + 1, -1, 0, Int64.max - 1, Int64.max] {
        _ = p.windowStart(t)
        let b = BlobMeta(id: BlobID(namespace: .default, data: [1]), namespace: .default, height: 1, time: t, size: 1,
                         originalHash: .zero, storedSize: 1, storedHash: .zero, commitment: .zero)
        _ = p.staysHot(b, now: Int64.max)
        _ = p.staysHot(b, now: Int64.min)
        _ = MigrationPlan.make(hot: [b], archived: [], policy: p, now: Int64.max)
    }
}
