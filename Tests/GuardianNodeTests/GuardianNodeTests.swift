import Consensus
import Foundation
@testable import GuardianNode
import Merkle
import Metalayer
import TestSupport
import Testing

/// Four cores with real keys (the Metalayer's scheme), wired directly: every message delivered at once, time
/// advanced in 100 ms ticks. The records and commits it yields are what the store and the codec must keep.
struct LocalNetwork {
    var cores: [GuardianCore]
    var setups: [GuardianSetup]
    var records: [[Record]]
    var committed: [[CommittedSnapshot]]
    var now: UInt64
    let demo: [DemoSequencer]

    init(guardians: Int = 4, seed: UInt64 = 7) throws {
        var rng = TestRNG(seed)
        var plan = Testnet.Plan(guardians: guardians, basePort: 40000, genesisMillis: 1_000_000)
        plan.rollups = 2; plan.slotMillis = 1000
        let configs = Testnet.configs(plan) { MetalayerKey(privateKey: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })! }
        setups = try configs.map { try GuardianSetup($0) }
        now = plan.genesisMillis - 500
        cores = setups.map { GuardianCore(config: $0.consensus, key: $0.key, verifier: $0.verifier, now: 999_500) }
        records = Array(repeating: [], count: guardians)
        committed = Array(repeating: [], count: guardians)
        demo = setups[0].demoSequencers.map { DemoSequencer(rollupId: $0.rollupId, key: $0.key) }
    }

    mutating func run(untilMillis end: UInt64) {
        var queue = [(Int, ConsensusMessage)]()
        var demoHeight: UInt64 = 0
        func handle(_ i: Int, _ r: Ready, _ queue: inout [(Int, ConsensusMessage)], _ net: inout LocalNetwork) {
            net.records[i] += r.records
            net.committed[i] += r.committed
            for o in r.messages { for id in o.to { if let j = net.setups.firstIndex(where: { $0.key.identity == id }) { queue.append((j, o.message)) } } }
        }
        while now < end {
            let h = DemoSequencer.height(now: now, genesisMillis: setups[0].consensus.genesisMillis)
            if h > demoHeight {
                demoHeight = h
                for s in demo { for i in cores.indices { handle(i, cores[i].step(.report(s.report(height: h)), now: now), &queue, &self) } }
            }
            for i in cores.indices { handle(i, cores[i].step(.tick, now: now), &queue, &self) }
            while !queue.isEmpty {
                let (j, m) = queue.removeFirst()
                handle(j, cores[j].step(.message(m), now: now), &queue, &self)
            }
            now += 100
        }
    }
}

@Suite struct RecordCodecTests {
    @Test func everyRecordOfARunRoundTrips() throws {
        var net = try LocalNetwork()
        net.run(untilMillis: 1_006_000)
        let all = net.records.flatMap { $0 }
        var kinds = Set<UInt8>()
        for r in all {
            let bytes = RecordCodec.encode(r)
            #expect(try RecordCodec.decode(bytes) == r)
            kinds.insert(RecordCodec.kind(of: r).rawValue)
        }
        #expect(kinds == Set(1...6), "a run makes every kind of record: \(kinds.sorted())")
    }

    @Test func damagedRecordsAreErrorsNotTraps() throws {
        var net = try LocalNetwork()
        net.run(untilMillis: 1_003_000)
        var samples = [Record]()
        for k in 1...6 { if let r = net.records[0].first(where: { RecordCodec.kind(of: $0).rawValue == k }) { samples.append(r) } }
        for r in samples {
            let bytes = RecordCodec.encode(r)
            for p in Mutations.prefixes(bytes) { #expect(throws: ConsensusDecodeError.self) { try RecordCodec.decode(p) } }
            for m in Mutations.flips(bytes, count: 200, seed: 3) { _ = try? RecordCodec.decode(m) }
            #expect(throws: ConsensusDecodeError.self) { try RecordCodec.decode(bytes + [0]) }
        }
        #expect(throws: ConsensusDecodeError.self) { try RecordCodec.decode([1, 9]) }
        #expect(throws: ConsensusDecodeError.self) { try RecordCodec.decode([2, 1]) }
    }
}

@Suite struct CertificateTests {
    /// The adapter signs headers in the Metalayer's scheme: every committed certificate verifies with
    /// `QuorumCertificate.verify(header:set:)` against the configured guardian set.
    @Test func committedCertificatesVerifyWithTheMetalayer() throws {
        var net = try LocalNetwork()
        net.run(untilMillis: 1_008_000)
        let set = net.setups[0].guardianSet
        for list in net.committed {
            #expect(list.count >= 6)
            for c in list { try #require(c.certificate.quorumCertificate).verify(header: c.value.header, set: set) }
        }
        // Agreement across the four.
        for h in 1...6 { #expect(Set(net.committed.map { $0.first { $0.height == UInt64(h) }!.value.id }).count == 1) }
        // A tampered signature does not verify.
        var c = net.committed[0][0]
        var sigs = c.certificate.signatures
        sigs[0][0] ^= 1
        c.certificate = ShareCertificate(guardianCount: c.certificate.guardianCount, signers: c.certificate.signers, signatures: sigs)
        let tampered = c.certificate.quorumCertificate   // nil when the flipped byte makes it no signature at all
        if let tampered { #expect(throws: QuorumCertificate.Invalid.self) { try tampered.verify(header: c.value.header, set: set) } }
    }

    @Test func verifierRejectsStrangersAndBadReports() throws {
        let net = try LocalNetwork()
        let v = net.setups[0].verifier
        let stranger = MetalayerKey.generate()
        #expect(!v.verify([1, 2, 3], signature: stranger.sign([1, 2, 3]), by: stranger.identity))
        let k = net.setups[1].key
        #expect(v.verify([1, 2, 3], signature: k.sign([1, 2, 3]), by: k.identity))
        #expect(!v.verify([1, 2, 4], signature: k.sign([1, 2, 3]), by: k.identity))
        var r = net.demo[0].report(height: 5)
        #expect(v.verifyReport(r))
        r.entry.height = 6
        #expect(!v.verifyReport(r))
    }
}

@Suite struct RecordStoreTests {
    @Test func appendLoadRestoreAndCompact() throws {
        let dir = try TempDir("store")
        defer { dir.remove() }
        var net = try LocalNetwork()
        net.run(untilMillis: 1_030_000)
        let setup = net.setups[0]
        let path = dir.file("records.sqlite")
        let store = try RecordStore.open(path: path, identity: setup.key.identity)
        #expect(try store.synchronousSetting() == 2)   // FULL
        // One append per record: many transactions, so compaction runs.
        var height: UInt64 = 1
        for r in net.records[0] {
            if case let .decided(v) = r { height = v.header.height + 1 }
            try store.append([r], currentHeight: height)
        }
        let committed = net.records[0].compactMap { r -> CommittedSnapshot? in if case let .committed(c) = r { c } else { nil } }
        #expect(try store.committed() == committed.sorted { $0.height < $1.height })
        #expect(try store.pendingRecordCount() < net.records[0].filter { if case .committed = $0 { false } else { true } }.count / 2)
        try store.close()

        let reopened = try RecordStore.open(path: path, identity: setup.key.identity)
        let loaded = try reopened.load(retainedCommits: 4096)
        let restored = GuardianCore(config: setup.consensus, key: setup.key, verifier: setup.verifier, restoring: loaded, now: net.now)
        #expect(restored.height == net.cores[0].height)
        #expect(restored.lastCommittedHeight == net.cores[0].lastCommittedHeight)
        try reopened.close()

        let reader = try RecordStore.openReadOnly(path: path)
        #expect(try reader.committed(from: 3, limit: 2).map(\.height) == [3, 4])
        try reader.close()
    }

    @Test func anotherGuardiansStoreIsRefused() throws {
        let dir = try TempDir("store")
        defer { dir.remove() }
        let a = MetalayerKey.generate(), b = MetalayerKey.generate()
        let first = try RecordStore.open(path: dir.file("s.sqlite"), identity: a.identity)
        #expect(throws: RecordStoreError.inUse(dir.file("s.sqlite"))) { try RecordStore.open(path: dir.file("s.sqlite"), identity: a.identity) }
        try first.close()
        try RecordStore.open(path: dir.file("s.sqlite"), identity: a.identity).close()
        #expect(throws: RecordStoreError.self) { try RecordStore.open(path: dir.file("s.sqlite"), identity: b.identity) }
        #expect(throws: RecordStoreError.notFound(dir.file("none.sqlite"))) { try RecordStore.openReadOnly(path: dir.file("none.sqlite")) }
        try dir.write("garbage.sqlite", Array(repeating: 0x41, count: 4096))
        #expect(throws: RecordStoreError.self) { try RecordStore.open(path: dir.file("garbage.sqlite"), identity: a.identity) }
        #expect(throws: RecordStoreError.self) { try RecordStore.open(path: dir.path, identity: a.identity) }
    }
}

@Suite struct ConfigAndFrameTests {
    @Test func testnetConfigsReadBackStrictly() throws {
        let configs = Testnet.configs(Testnet.Plan(guardians: 3, basePort: 41000, genesisMillis: 5))
        for (i, c) in configs.enumerated() {
            let back = try GuardianConfig.decode(c.encoded())
            #expect(back == c)
            let s = try GuardianSetup(back)
            #expect(s.position == i && s.peers.count == 2 && s.listen == PeerAddress(host: "127.0.0.1", port: 41000 + i))
            #expect(s.demoSequencers.count == 4)
        }
        let text = String(decoding: configs[0].encoded(), as: UTF8.self)
        #expect(throws: GuardianConfigError.self) { try GuardianConfig.decode(Array(text.replacingOccurrences(of: "\"slotMillis\"", with: "\"slotMilis\"").utf8)) }
        #expect(throws: GuardianConfigError.self) { try GuardianConfig.decode(Array(text.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 2.0").utf8)) }
        var low = configs[0]; low.guardians[1].stake = "1"
        #expect(throws: GuardianConfigError.self) { try GuardianSetup(low) }
        var stranger = configs[0]; stranger.privateKey = Hex.encode(MetalayerKey.generate().privateKey)
        #expect(throws: GuardianConfigError.self) { try GuardianSetup(stranger) }
        var fast = configs[0]; fast.slotMillis = 999
        #expect(throws: GuardianConfigError.self) { try GuardianSetup(fast) }
        var badAddress = configs[0]; badAddress.guardians[2].address = "localhost:1"
        #expect(throws: GuardianConfigError.self) { try GuardianSetup(badAddress) }
        var wrongDemo = configs[0]; wrongDemo.sequencers[0].demoPrivateKey = configs[0].privateKey
        #expect(throws: GuardianConfigError.self) { try GuardianSetup(wrongDemo) }
    }

    @Test func handshakeAndLengths() {
        let id = MetalayerKey.generate().identity
        #expect(Frames.identity(inHandshake: Frames.handshake(identity: id)) == id)
        #expect(Frames.identity(inHandshake: Array(Frames.handshake(identity: id).dropLast())) == nil)
        #expect(Frames.identity(inHandshake: Codec.encode(.syncRequest(from: 0, height: 1))) == nil)
        #expect(Frames.frame([7, 8]) == [0, 0, 0, 2, 7, 8])
        #expect(!Frames.lengthAllowed(0) && Frames.lengthAllowed(1) && Frames.lengthAllowed(UInt32(Codec.maxMessageBytes))
                && !Frames.lengthAllowed(UInt32(Codec.maxMessageBytes) + 1))
    }
}

/// The frames between a guardian and its clients (sequencers, relayers): each kind round-trips, and no
/// truncation or byte flip of a valid frame traps.
@Suite struct ClientFrameTests {
    @Test func roundTripAndMutations() throws {
        var net = try LocalNetwork()
        net.run(untilMillis: 1_000_000 + 3_500)
        let c = try #require(net.committed[0].first)
        let report = net.demo[0].report(height: 3)
        let vote = try #require(net.records[0].compactMap { r -> Vote? in if case let .vote(v) = r { v } else { nil } }.first)
        var other = vote
        other.value = SHA256.hash([1, 2, 3])
        let frames: [ClientFrame] = [.report(report), .subscribe(fromHeight: 42), .committed(c), .doubleVote(vote, other)]
        for f in frames {
            #expect(try ClientFrame.decode(f.encoded) == f)
            let bytes = f.encoded
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) { _ = try? ClientFrame.decode(Array(bytes.prefix(cut))) }
            for i in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 60)) {
                var m = bytes; m[i] ^= 0x5A
                _ = try? ClientFrame.decode(m)
            }
            #expect(throws: ConsensusDecodeError.self) { try ClientFrame.decode(bytes + [0]) }
        }
        #expect(throws: ConsensusDecodeError.self) { try ClientFrame.decode([]) }
        #expect(throws: ConsensusDecodeError.self) { try ClientFrame.decode([0x7F]) }
    }
}
