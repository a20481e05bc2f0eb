@testable import Consensus
import Merkle
import Metalayer
import Testing
import TestSupport

@Suite struct CommitteeTests {
    @Test func quorumIsStrictlyMoreThanTwoThirdsExactly() throws {
        let c = try Committee(setId: 1, members: [[1], [2], [3]], stakes: [1, 1, 1])
        #expect(!c.isQuorum(2) && c.isQuorum(3))
        let big = try Committee(setId: 1, members: [[1], [2]], stakes: [UInt128.max / 4, UInt128.max / 4 + 1])
        #expect(!big.isQuorum(big.totalStake * 2 / 3))
        #expect(big.isQuorum(big.totalStake))
        let c9 = try Committee(setId: 1, members: (0..<9).map { [UInt8($0)] }, stakes: Array(repeating: 10, count: 9))
        #expect(!c9.isQuorum(60) && c9.isQuorum(61))            // 60/90 is exactly 2/3
        #expect(!c9.exceedsOneThird(30) && c9.exceedsOneThird(31))
        #expect(c9.stake(of: [0, 0, 1]) == 20)                   // each position counts once
        #expect(throws: Committee.Invalid.duplicate(1)) { try Committee(setId: 1, members: [[1], [1]], stakes: [1, 1]) }
        #expect(throws: Committee.Invalid.zeroStake(0)) { try Committee(setId: 1, members: [[1]], stakes: [0]) }
        #expect(throws: Committee.Invalid.overflow) { try Committee(setId: 1, members: [[1], [2]], stakes: [.max, 1]) }
    }

    @Test func scheduleChangesOnlyAtEpochBoundaries() throws {
        let a = try Committee(setId: 1, members: [[1]], stakes: [1]), b = try Committee(setId: 2, members: [[2]], stakes: [1])
        let s = CommitteeSchedule(epochLength: 10, committees: [(0, a), (2, b)])
        #expect(s.committee(forHeight: 19).setId == 1 && s.committee(forHeight: 20).setId == 2 && s.committee(forHeight: 1000).setId == 2)
    }
}

/// Drives single cores by hand: what one guardian signs, persists and refuses.
@Suite struct CoreTests {
    let keys = (0..<4).map { SimulatedKey(number: UInt64($0)) }
    var committee: Committee { try! Committee(setId: 7, members: keys.map(\.identity), stakes: [10, 10, 10, 10]) }
    var config: ConsensusConfig { ConsensusConfig(schedule: CommitteeSchedule(committee), genesisMillis: 10_000, slotMillis: 3000) }
    let verifier = SimulatedSignatures(rollups: [0, 1])

    func report(_ rollup: UInt64, _ height: UInt64, root: UInt8 = 1) -> RollupReport {
        let e = RollupEntry(rollupId: rollup, height: height, stateRoot: Digest(bytes: [UInt8](repeating: root, count: 32))!,
                            outboxRoot: .zero, outboxSize: 0)
        return RollupReport(entry: e, signature: SimulatedSignatures.sequencerKey(rollup).sign(RollupReport.signingMessage(e)))
    }

    func proposal(round: UInt32 = 0, reports: [RollupReport], by p: Int = 1, validRound: Int64 = -1) -> Proposal {
        let v = try! SnapshotValue(guardianSetId: 7, height: 1, timestampMillis: 10_000, reports: reports)
        var prop = Proposal(setId: 7, height: 1, round: round, validRound: validRound, value: v, proposer: p, signature: [])
        prop.signature = keys[p].sign(prop.signingMessage)
        return prop
    }

    func signedVote(_ kind: VoteKind, round: UInt32, _ value: Digest?, by voter: Int) -> Vote {
        var v = Vote(kind: kind, setId: 7, height: 1, round: round, value: value, voter: voter, signature: [])
        v.signature = keys[voter].sign(v.signingMessage); return v
    }

    func votes(_ r: Ready) -> [Vote] { r.messages.compactMap { if case let .vote(v) = $0.message { v } else { nil } } }

    @Test func prevotesAValidProposalAndNilForAnUnsignedRoot() {
        var core = GuardianCore(config: config, key: keys[0], verifier: verifier, now: 10_000)
        _ = core.step(.tick, now: 10_000)
        let good = core.step(.message(.proposal(proposal(reports: [report(0, 1), report(1, 1)]))), now: 10_001)
        #expect(votes(good).first?.value != nil && votes(good).first?.kind == .prevote)
        #expect(good.records.contains { if case .vote = $0 { true } else { false } })

        var other = GuardianCore(config: config, key: keys[2], verifier: verifier, now: 10_000)
        var bad = report(0, 1); bad.signature = []
        let r = other.step(.message(.proposal(proposal(reports: [bad]))), now: 10_001)
        #expect(votes(r).count == 1 && votes(r)[0].value == nil)
    }

    /// A guardian restarted from its records re-sends what it signed and never signs a conflicting vote.
    @Test func restartNeverSignsTwice() {
        var core = GuardianCore(config: config, key: keys[0], verifier: verifier, now: 10_000)
        let first = core.step(.message(.proposal(proposal(reports: [report(0, 1)]))), now: 10_001)
        let signed = votes(first)
        #expect(signed.count == 1)
        var restarted = GuardianCore(config: config, key: keys[0], verifier: verifier, restoring: first.records, now: 10_002)
        // Another proposal of the same round (an equivocating proposer) must not get a second prevote.
        let again = restarted.step(.message(.proposal(proposal(reports: [report(0, 2)]))), now: 10_003)
        for v in votes(again) where v.kind == .prevote && v.round == 0 { #expect(v == signed[0]) }
        #expect(!again.records.contains { if case let .vote(v) = $0 { v.kind == .prevote && v.round == 0 } else { false } })
    }

    /// A polka seen only after its round (the prevotes came late) makes its value the one this guardian proposes in
    /// its turn, with the prevotes as proof of lock, instead of a fresh value that a guardian locked on the polka's
    /// value would refuse; and a guardian past its valid value's round sends that value and its polka again. The
    /// lock itself does not move. Before, the late polka was ignored and the guardian proposed a fresh value.
    @Test func latePolkaBecomesTheValueToProposeAndIsSentAgain() {
        var core = GuardianCore(config: config, key: keys[0], verifier: verifier, now: 10_000)
        _ = core.step(.tick, now: 10_000)
        _ = core.step(.report(report(0, 2)), now: 10_000)   // a newer report: a fresh value would differ from v
        let p0 = proposal(round: 0, reports: [report(0, 1)])   // proposer of height 1, round 0 is guardian 1
        let v = p0.value
        #expect(votes(core.step(.message(.proposal(p0)), now: 10_001)).map(\.value) == [v.id])
        // Guardians 1 and 2 (more than a third) are in round 1: join it before any other prevote of round 0 arrives.
        for g in [1, 2] { _ = core.step(.message(.vote(signedVote(.prevote, round: 1, nil, by: g))), now: 10_002) }
        #expect(core.round == 1)
        // Round 0's prevotes arrive late: with this guardian's own, a polka for v in round 0.
        for g in [1, 2] { _ = core.step(.message(.vote(signedVote(.prevote, round: 0, v.id, by: g))), now: 10_003) }
        #expect(core.validValue == v && core.validRound == 0 && core.lockedValue == nil && core.lockedRound == -1)
        // The next rebroadcast carries the value (round 0's proposal) and all three prevotes of its polka.
        let again = core.step(.tick, now: 10_500)   // the first rebroadcast after the one at start
        let sent = votes(again).filter { $0.round == 0 && $0.kind == .prevote && $0.value == v.id }.map(\.voter)
        #expect(Set(sent) == [0, 1, 2])
        #expect(again.messages.contains { if case let .proposal(p) = $0.message { p.round == 0 && p.value == v } else { false } })
        // Round 3 is this guardian's: it proposes v with round 0 as its valid round and the polka as justification.
        var proposed: Proposal?
        for g in [1, 2] {
            let r = core.step(.message(.vote(signedVote(.prevote, round: 3, nil, by: g))), now: 10_600)
            for m in r.messages { if case let .proposal(p) = m.message, p.round == 3 { proposed = p } }
        }
        #expect(proposed?.value == v && proposed?.validRound == 0)
        #expect(Set(proposed?.justification.map(\.voter) ?? []) == [0, 1, 2])
        #expect(core.lockedRound == -1)
    }

    @Test func doubleVotesBecomeVerifiableEvidence() {
        var core = GuardianCore(config: config, key: keys[0], verifier: verifier, now: 10_000)
        func vote(_ value: Digest?) -> Vote { signedVote(.prevote, round: 0, value, by: 3) }
        _ = core.step(.message(.vote(vote(SHA256.hash([1])))), now: 10_001)
        let r = core.step(.message(.vote(vote(SHA256.hash([2])))), now: 10_002)
        #expect(r.evidence.count == 1)
        #expect(r.evidence[0].verify(with: verifier) && r.evidence[0].offender == keys[3].identity)
        // A forged vote (signed by another key) is neither counted nor evidence.
        var forged = vote(SHA256.hash([3])); forged.signature = keys[2].sign(forged.signingMessage)
        #expect(core.step(.message(.vote(forged)), now: 10_003).evidence.isEmpty)
        if case let .doubleVote(a, b, id) = r.evidence[0] {
            var tampered = b; tampered.value = a.value
            #expect(!Evidence.doubleVote(a, tampered, identity: id).verify(with: verifier))
        }
    }

    @Test func sequencerEquivocationIsEvidence() {
        var core = GuardianCore(config: config, key: keys[0], verifier: verifier, now: 10_000)
        _ = core.step(.report(report(0, 5, root: 1)), now: 10_001)
        let r = core.step(.report(report(0, 5, root: 2)), now: 10_002)
        #expect(r.evidence.count == 1 && r.evidence[0].verify(with: verifier))
    }
}

