import Foundation
import Testing
@testable import Economics

/// Parameters with small minimums so that exact stake ratios are easy to build: every role's minimum is 1 ERA.
private func smallMinimums(_ configure: (inout GovernanceParameters) -> Void = { _ in }) -> EconomyParameters {
    var p = EconomyParameters.default
    for role in StakeRole.allCases { p.minimumStake[role] = era(1) }
    configure(&p.governance)
    return p
}

private func change(_ text: String) -> ParameterChange { try! ParameterChange(parsing: text) }

private extension EconomyState {
    mutating func propose(_ account: String, _ changes: [String] = [], text: String? = nil, deposit: UInt128 = 1_000,
                          expedited: Bool = false, add: [String] = [], remove: [String] = []) throws -> UInt64 {
        let content = ProposalContent(changes: changes.map(change), guardianAdditions: add, guardianRemovals: remove, text: text)
        try checkedApply(.propose(account: account, content: content, deposit: era(deposit), expedited: expedited))
        return governance.nextProposalID - 1
    }
    func proposal(_ id: UInt64) -> Proposal { governance.proposals[id]! }
}

@Suite struct TallyRuleTests {
    let rules = GovernanceParameters.default

    func tally(yes: UInt128 = 0, no: UInt128 = 0, abstain: UInt128 = 0, veto: UInt128 = 0, bonded: UInt128) -> Tally {
        Tally(yes: Amount(baseUnits: yes), no: Amount(baseUnits: no), abstain: Amount(baseUnits: abstain), veto: Amount(baseUnits: veto),
              bondedStake: Amount(baseUnits: bonded))
    }

    @Test func exactlyTheQuorumCounts() {
        // 33.4% of 1000 turned out: the quorum is met (Cosmos fails only when turnout < quorum).
        #expect(rules.decide(tally(yes: 334, bonded: 1_000), expedited: false).outcome == .passed)
        #expect(rules.decide(tally(yes: 333, bonded: 1_000), expedited: false).outcome == .noQuorum)
        // The same at 10^26 base units: one base unit below the quorum fails.
        let bonded = era(100_000_000).baseUnits
        let quorum = bonded / 1_000 * 334
        #expect(rules.decide(tally(yes: quorum, bonded: bonded), expedited: false).outcome == .passed)
        #expect(rules.decide(tally(yes: quorum - 1, bonded: bonded), expedited: false).outcome == .noQuorum)
        // Ratios that are not multiples of 1/1000: 334 of 1000 vs 167 of 500 vs 3 of 9 (33.3…%, below).
        #expect(rules.decide(tally(yes: 167, bonded: 500), expedited: false).outcome == .passed)
        #expect(rules.decide(tally(yes: 3, bonded: 9), expedited: false).outcome == .noQuorum)
    }

    @Test func exactlyHalfYesDoesNotPass() {
        #expect(rules.decide(tally(yes: 500, no: 500, bonded: 1_000), expedited: false).outcome == .belowThreshold)
        #expect(rules.decide(tally(yes: 501, no: 499, bonded: 1_000), expedited: false).outcome == .passed)
        // Abstentions count for the quorum, not the threshold: 400 yes vs 400 no with 200 abstaining fails, 401 passes.
        #expect(rules.decide(tally(yes: 400, no: 400, abstain: 200, bonded: 1_000), expedited: false).outcome == .belowThreshold)
        #expect(rules.decide(tally(yes: 401, no: 399, abstain: 200, bonded: 1_000), expedited: false).outcome == .passed)
        let big = era(50_000_000).baseUnits
        #expect(rules.decide(tally(yes: big, no: big, bonded: 2 * big), expedited: false).outcome == .belowThreshold)
        #expect(rules.decide(tally(yes: big + 1, no: big - 1, bonded: 2 * big), expedited: false).outcome == .passed)
    }

    @Test func vetoAndAbstainAndNoStake() {
        // Veto is compared with all votes: exactly 33.4% veto is not a veto, one more unit is, and burns the deposit.
        #expect(rules.decide(tally(yes: 666, veto: 334, bonded: 1_000), expedited: false).outcome == .passed)
        let vetoed = rules.decide(tally(yes: 665, veto: 335, bonded: 1_000), expedited: false)
        #expect(vetoed.outcome == .vetoed && vetoed.burnDeposits)
        #expect(rules.decide(tally(abstain: 1_000, bonded: 1_000), expedited: false) == (.allAbstained, false))
        #expect(rules.decide(tally(bonded: 0), expedited: false) == (.noStake, false))
        #expect(rules.decide(tally(yes: 1, bonded: 1_000), expedited: false) == (.noQuorum, false))
        var burning = rules
        burning.burnDepositsOnNoQuorum = true
        #expect(burning.decide(tally(yes: 1, bonded: 1_000), expedited: false) == (.noQuorum, true))
    }

    @Test func expeditedNeedsTwoThirds() {
        #expect(rules.decide(tally(yes: 667, no: 333, bonded: 1_000), expedited: true).outcome == .belowThreshold)  // exactly 66.7%
        #expect(rules.decide(tally(yes: 668, no: 332, bonded: 1_000), expedited: true).outcome == .passed)
        #expect(rules.decide(tally(yes: 667, no: 333, bonded: 1_000), expedited: false).outcome == .passed)
    }
}

@Suite struct ParameterKeyTests {
    @Test func everyKeyRoundTripsThroughItsText() throws {
        let p = EconomyParameters.default
        for key in ParameterKey.allKeys {
            let value = key.value(in: p)
            #expect(try key.parse(value.description) == value, "\(key)")
            #expect(ParameterKey(name: key.description) == key)
            var copy = p
            key.set(value, in: &copy)
            #expect(copy == p, "\(key)")
        }
        #expect(ParameterKey.allKeys.count == Set(ParameterKey.allKeys.map(\.description)).count)
        #expect(ParameterKey.allKeys.count == 46)
    }

    /// The genesis names are pinned by a literal file, not by our own encoder: every governance key and every scalar
    /// slashing key, each set away from its default, lands in its own field.
    @Test func genesisNamesArePinned() throws {
        let json = #"""
        {"unbondingEpochs": 9, "snapshotSlotMillis": 6000,
         "revenueSplit": {"core": 4100, "guardian": 2400, "flexible": 1500, "developers": 1000, "userSupport": 1000},
         "slashing": {"downtime": {"fraction": "0.002", "jailEpochs": 3, "tombstone": true, "correlated": true},
                      "escalationFactor": 5, "escalationWindowEpochs": 11, "tombstoneAfterOffences": 6,
                      "correlationMultiplier": 2, "correlationWindowEpochs": 13, "destinationPool": "sink"},
         "governance": {"minimumDeposit": "7 ERA", "expeditedMinimumDeposit": "70 ERA", "maxDepositPeriodEpochs": 3,
                        "votingPeriodEpochs": 4, "expeditedVotingPeriodEpochs": 2, "timelockEpochs": 5, "quorum": "0.4",
                        "threshold": "0.6", "expeditedThreshold": "0.8", "vetoThreshold": "0.2", "burnDepositsOnVeto": false,
                        "burnDepositsOnNoQuorum": true, "burnDepositsBelowMinimum": true, "burnPool": "ash"}}
        """#
        let p = try JSONDecoder().decode(EconomyParameters.self, from: Data(json.utf8))
        #expect(p.unbondingEpochs == 9 && p.snapshotSlotMillis == 6_000)
        #expect(p.revenueSplit == RevenueSplit(core: 4_100, guardian: 2_400, flexible: 1_500, developers: 1_000, userSupport: 1_000))
        #expect(p.slashing.downtime == OffencePenalty(fraction: Fraction(partsPerBillion: 2_000_000), jailEpochs: 3, tombstone: true, correlated: true))
        #expect(p.slashing.equivocation == SlashingPolicy.default.equivocation)
        let s = p.slashing
        #expect([s.escalationFactor, s.escalationWindowEpochs, s.tombstoneAfterOffences, s.correlationMultiplier, s.correlationWindowEpochs] == [5, 11, 6, 2, 13])
        #expect(s.destinationPool == "sink")
        let g = p.governance
        #expect(g.minimumDeposit == era(7) && g.expeditedMinimumDeposit == era(70))
        #expect([g.maxDepositPeriodEpochs, g.votingPeriodEpochs, g.expeditedVotingPeriodEpochs, g.timelockEpochs] == [3, 4, 2, 5])
        #expect([g.quorum, g.threshold, g.expeditedThreshold, g.vetoThreshold].map(\.partsPerBillion) == [400_000_000, 600_000_000, 800_000_000, 200_000_000])
        #expect(!g.burnDepositsOnVeto && g.burnDepositsOnNoQuorum && g.burnDepositsBelowMinimum && g.burnPool == "ash")
    }

    /// Setting one key changes that key and no other, and the changed set survives the genesis JSON form: the
    /// field tables behind `ParameterKey` and the genesis coder point every name at its own field.
    @Test func everyKeyWritesItsOwnFieldOnly() throws {
        let p = EconomyParameters.default
        for key in ParameterKey.allKeys {
            let other: ParameterValue = switch key.value(in: p) {
            case .amount(let v): .amount(Amount(baseUnits: v.baseUnits + 7))
            case .count(let v): .count(v + 3)
            case .fraction(let v): .fraction(Fraction(partsPerBillion: v.partsPerBillion == 1 ? 2 : 1))
            case .flag(let v): .flag(!v)
            case .pool(let v): .pool(v + "x")
            }
            var copy = p
            key.set(other, in: &copy)
            #expect(key.value(in: copy) == other, "\(key)")
            for unchanged in ParameterKey.allKeys where unchanged != key {
                #expect(unchanged.value(in: copy) == unchanged.value(in: p), "setting \(key) changed \(unchanged)")
            }
            let json = try JSONEncoder().encode(copy)
            #expect(try JSONDecoder().decode(EconomyParameters.self, from: json) == copy, "\(key)")
        }
    }

    @Test func badKeysAndValuesAreRefused() {
        #expect(throws: EconomyError.unknownParameter("slashing.downtime.fractions")) { try ParameterChange(parsing: "slashing.downtime.fractions=0.1") }
        for bad in ["slashing.downtime.fraction=1.5", "slashing.downtime.fraction=-0.1", "unbondingEpochs=07", "unbondingEpochs=-1",
                    "unbondingEpochs=18446744073709551616", "minimumStake.core=lots", "slashing.downtime.tombstone=yes",
                    "slashing.destinationPool=carry", "governance.burnPool=a b", "snapshotSlotMillis", "snapshotSlotMillis="] {
            #expect(throws: EconomyError.self, "\(bad)") { try ParameterChange(parsing: bad) }
        }
        #expect(change("minimumStake.core=60000").value == .amount(era(60_000)))
        #expect(change("slashing.invalidRoot.jailEpochs=3").key == .penalty(.invalidRoot, .jailEpochs))
    }

    @Test func changesRoundTripThroughJSON() throws {
        let content = ProposalContent(changes: [change("slashing.downtime.fraction=0.001"), change("governance.quorum=0.4")],
                                      guardianAdditions: ["a"], text: "t")
        let data = try JSONEncoder().encode(EconomyOperation.propose(account: "a", content: content, deposit: era(1), expedited: true))
        #expect(try JSONDecoder().decode(EconomyOperation.self, from: data) == .propose(account: "a", content: content, deposit: era(1), expedited: true))
        let tampered = Data(String(decoding: data, as: UTF8.self).replacingOccurrences(of: "0.001", with: "2").utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(EconomyOperation.self, from: tampered) }
    }
}

@Suite struct GovernanceLifecycleTests {
    /// alice 600 guardian, bob 300 core, carol 100 flexible: 1000 ERA bonded.
    func state(_ configure: (inout GovernanceParameters) -> Void = { _ in }) throws -> EconomyState {
        try makeState(["alice": 10_000, "bob": 10_000, "carol": 10_000, "dave": 10_000], parameters: smallMinimums(configure),
                      stakes: [("alice", .guardian, 600), ("bob", .core, 300), ("carol", .flexible, 100)])
    }

    @Test func aPassedChangeWaitsItsTimelockThenApplies() throws {
        var s = try state()
        let id = try s.propose("dave", ["slashing.downtime.fraction=0.001"], deposit: 1_000)
        #expect(s.proposal(id).status == .voting && s.proposal(id).votingEndEpoch == 2)
        #expect(s.accounts["dave"]!.balance == era(9_000))
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .yes))
        try s.checkedApply(.vote(account: "bob", proposal: id, option: .no))
        try s.checkedApply(.advance(epochs: 1))
        #expect(s.proposal(id).status == .voting)
        let events = try s.checkedApply(.advance(epochs: 1))
        #expect(events.contains(.proposalPassed(proposal: id, executesAtEpoch: 4)))
        #expect(s.proposal(id).finalTally == Tally(yes: era(600), no: era(300), bondedStake: era(1_000)))
        #expect(s.accounts["dave"]!.balance == era(10_000))  // refunded at the tally
        #expect(s.parameters.slashing.downtime.fraction == Fraction(partsPerBillion: 100_000))  // not yet
        try s.checkedApply(.advance(epochs: 1))
        #expect(s.parameters.slashing.downtime.fraction == Fraction(partsPerBillion: 100_000))
        let applied = try s.checkedApply(.advance(epochs: 1))
        #expect(applied.first == .proposalExecuted(proposal: id, content: s.proposal(id).content, recounted: []))
        #expect(s.parameters.slashing.downtime.fraction == Fraction(partsPerBillion: 1_000_000))
        #expect(s.proposal(id).status == .executed)
        let slash = try s.checkedApply(.slash(account: "bob", offence: .downtime))
        #expect(slash.first == .slashed(account: "bob", offence: .downtime, amount: Amount(baseUnits: era(300).baseUnits / 1_000),
                                       fraction: Fraction(partsPerBillion: 1_000_000), priorOffences: 0, pool: "burned"))
    }

    @Test func oneAdvanceCrossesEveryBoundaryInOrder() throws {
        var s = try state()
        let id = try s.propose("dave", ["unbondingEpochs=3"])
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .yes))
        let events = try s.checkedApply(.advance(epochs: 10))
        let kinds = events.map { event -> String in
            switch event {
            case .proposalTallied: "tallied"
            case .proposalPassed: "passed"
            case .depositRefunded: "refunded"
            case .proposalExecuted: "executed"
            case .epochAdvanced(let to): "epoch \(to)"
            default: "other"
            }
        }
        #expect(kinds == ["tallied", "passed", "refunded", "executed", "epoch 10"])
        #expect(s.parameters.unbondingEpochs == 3 && s.proposal(id).status == .executed)
    }

    @Test func votesWeighStakeAtTheEndAndChangeUntilThen() throws {
        var s = try state()
        let id = try s.propose("dave", text: "signal")
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .no))
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .yes))  // replaces the no
        try s.checkedApply(.vote(account: "bob", proposal: id, option: .no))
        // Stake counts once, where it is when voting ends: bob's unbonding stake no longer votes; dave's fresh stake does.
        try s.checkedApply(.unstake(account: "bob", role: .core, amount: era(300)))
        try s.checkedApply(.stake(account: "dave", role: .core, amount: era(300)))
        try s.checkedApply(.vote(account: "dave", proposal: id, option: .no))
        try s.checkedApply(.advance(epochs: 2))
        let tally = s.proposal(id).finalTally!
        #expect(tally == Tally(yes: era(600), no: era(300), bondedStake: era(1_000)))
        #expect(tally.voted <= tally.bondedStake.baseUnits)
        #expect(throws: EconomyError.proposalClosed(proposal: id, status: .passed, action: "take votes")) {
            try s.checkedApply(.vote(account: "carol", proposal: id, option: .veto))
        }
    }

    @Test func jailedAndTombstonedStakeDoesNotVote() throws {
        var s = try state()
        let id = try s.propose("dave", text: "signal")
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .yes))
        try s.checkedApply(.vote(account: "bob", proposal: id, option: .no))
        try s.checkedApply(.slash(account: "alice", offence: .equivocation))  // tombstoned: no voting power left
        try s.checkedApply(.advance(epochs: 2))
        #expect(s.proposal(id).finalTally!.yes == .zero)
        #expect(s.proposal(id).status == .rejected)
    }

    @Test func vetoBurnsTheDeposit() throws {
        var s = try state()
        let id = try s.propose("dave", text: "spam", deposit: 1_500)
        try s.checkedApply(.deposit(account: "carol", proposal: id, amount: era(500)))
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .veto))
        let burnedBefore = s.pools["burned"]!
        try s.checkedApply(.advance(epochs: 2))
        #expect(s.proposal(id).status == .vetoed && s.proposal(id).depositOutcome == "burned")
        #expect(s.pools["burned"]! == (try burnedBefore.adding(era(2_000))))
        #expect(s.accounts["dave"]!.balance == era(8_500) && s.accounts["carol"]!.balance == era(9_400))
        let report = s.report()
        #expect(report.accountedFor == report.totalSupply)
    }

    @Test func depositPeriodExpiresWithRefundOrBurn() throws {
        for burn in [false, true] {
            var s = try state { $0.burnDepositsBelowMinimum = burn }
            let id = try s.propose("dave", text: "underfunded", deposit: 400)
            #expect(s.proposal(id).status == .deposit)
            #expect(s.report().pools["governanceDeposits"] == era(400))
            try s.checkedApply(.deposit(account: "carol", proposal: id, amount: era(100)))
            #expect(throws: EconomyError.proposalClosed(proposal: id, status: .deposit, action: "take votes")) {
                try s.checkedApply(.vote(account: "alice", proposal: id, option: .yes))
            }
            try s.checkedApply(.advance(epochs: 2))
            #expect(s.proposal(id).status == .expired)
            #expect(s.accounts["dave"]!.balance == era(burn ? 9_600 : 10_000))
            #expect(s.pools["burned"]! == (burn ? era(500) : .zero))
            #expect(throws: EconomyError.proposalClosed(proposal: id, status: .expired, action: "take deposits")) {
                try s.checkedApply(.deposit(account: "carol", proposal: id, amount: era(1_000)))
            }
        }
    }

    @Test func depositsFromOthersStartTheVote() throws {
        var s = try state()
        let id = try s.propose("dave", text: "crowdfunded", deposit: 600)
        try s.checkedApply(.advance(epochs: 1))
        let events = try s.checkedApply(.deposit(account: "carol", proposal: id, amount: era(400)))
        #expect(events.last == .votingStarted(proposal: id, endsAtEpoch: 3))
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .yes))
        try s.checkedApply(.advance(epochs: 2))
        #expect(s.proposal(id).status == .passed)
        #expect(s.accounts["carol"]!.balance == era(9_900) && s.accounts["dave"]!.balance == era(10_000))
    }

    @Test func noQuorumRejectsAndRefunds() throws {
        var s = try state()
        let id = try s.propose("dave", text: "quiet")
        try s.checkedApply(.vote(account: "bob", proposal: id, option: .yes))  // 300 of 1000 < 33.4%
        try s.checkedApply(.advance(epochs: 2))
        #expect(s.proposal(id).status == .rejected && s.proposal(id).tallyOutcome == .noQuorum)
        #expect(s.accounts["dave"]!.balance == era(10_000))
    }

    @Test func exactQuorumThroughTheStateMachine() throws {
        // 334 of 1000 ERA bonded votes yes: exactly the quorum, passes; with 333.999… it would not.
        var s = try makeState(["v": 10_000, "w": 10_000, "p": 10_000], parameters: smallMinimums())
        try s.checkedApply(.stake(account: "v", role: .core, amount: era(334)))
        try s.checkedApply(.stake(account: "w", role: .core, amount: era(666)))
        let id = try s.propose("p", text: "exact")
        try s.checkedApply(.vote(account: "v", proposal: id, option: .yes))
        try s.checkedApply(.advance(epochs: 2))
        #expect(s.proposal(id).tallyOutcome == .passed)
        var t = try makeState(["v": 10_000, "w": 10_000, "p": 10_000], parameters: smallMinimums())
        try t.checkedApply(.stake(account: "v", role: .core, amount: Amount(baseUnits: era(334).baseUnits - 1)))
        try t.checkedApply(.stake(account: "w", role: .core, amount: Amount(baseUnits: era(666).baseUnits + 1)))
        let other = try t.propose("p", text: "just short")
        try t.checkedApply(.vote(account: "v", proposal: other, option: .yes))
        try t.checkedApply(.advance(epochs: 2))
        #expect(t.proposal(other).tallyOutcome == .noQuorum)
    }

    @Test func expeditedFailureBecomesRegular() throws {
        var s = try state()
        let id = try s.propose("dave", text: "fast", deposit: 5_000, expedited: true)
        #expect(s.proposal(id).votingEndEpoch == 1)
        try s.checkedApply(.vote(account: "alice", proposal: id, option: .yes))  // 600 of 900: above 50%, below 66.7%
        try s.checkedApply(.vote(account: "bob", proposal: id, option: .no))
        try s.checkedApply(.advance(epochs: 1))
        #expect(s.proposal(id).status == .voting && !s.proposal(id).expedited && s.proposal(id).votingEndEpoch == 2)
        #expect(s.report().pools["governanceDeposits"] == era(5_000))  // deposits stay in escrow
        try s.checkedApply(.advance(epochs: 1))
        #expect(s.proposal(id).status == .passed)
        // An expedited proposal below its own minimum deposit waits in the deposit period.
        let slow = try s.propose("dave", text: "fast but poor", deposit: 1_000, expedited: true)
        #expect(s.proposal(slow).status == .deposit)
    }

    @Test func invalidChangesAreRefusedAtSubmission() throws {
        var s = try state()
        let before = s
        for (changes, add, remove) in [
            (["revenueSplit.core=3000"], [String](), [String]()),              // split off 100%
            (["minimumStake.guardian=601"], [], []),                            // above alice's 600: no guardian left
            (["governance.votingPeriodEpochs=1"], [], []),                      // not above the expedited period
            (["governance.threshold=0"], [], []),
            (["unbondingEpochs=1000000000001"], [], []),                        // beyond maxDelayEpochs
            (["snapshotSlotMillis=0"], [], []),
            (["unbondingEpochs=3", "unbondingEpochs=4"], [], []),               // a key twice
            ([], ["nobody"], []),                                               // unknown account
            ([], [], ["bob"]),                                                  // not a member
            ([], [], ["alice"]),                                                // the last guardian
        ] {
            #expect(throws: EconomyError.self, "\(changes) \(add) \(remove)") { try s.propose("dave", changes, add: add, remove: remove) }
        }
        #expect(throws: EconomyError.self) { try s.propose("dave") }  // empty
        #expect(throws: EconomyError.self) { try s.propose("dave", text: String(repeating: "x", count: 4_097)) }
        #expect(throws: EconomyError.self) { try s.propose("dave", text: "t", deposit: 20_000) }  // more than the balance
        #expect(throws: EconomyError.unknownProposal(7)) { try s.checkedApply(.vote(account: "bob", proposal: 7, option: .yes)) }
        #expect(s == before)
        _ = try s.propose("dave", ["revenueSplit.core=3500", "revenueSplit.developers=1500"])  // sums to 10000: fine
    }

    @Test func aChangeThatBecameInvalidFailsAtExecutionAndAppliesNothing() throws {
        var s = try makeState(["g1": 10_000, "g2": 10_000, "p": 10_000], parameters: smallMinimums())
        try s.checkedApply(.stake(account: "g1", role: .guardian, amount: era(700)))
        try s.checkedApply(.stake(account: "g2", role: .guardian, amount: era(500)))
        let id = try s.propose("p", ["minimumStake.guardian=600", "unbondingEpochs=1"])  // g1 stays a guardian
        try s.checkedApply(.vote(account: "g1", proposal: id, option: .yes))
        try s.checkedApply(.advance(epochs: 2))
        try s.checkedApply(.unstake(account: "g1", role: .guardian, amount: era(700)))   // now nobody would remain
        let parameters = s.parameters
        let events = try s.checkedApply(.advance(epochs: 2))
        #expect(events.contains { if case .proposalFailed(id, _) = $0 { true } else { false } })
        #expect(s.proposal(id).status == .failed && s.parameters == parameters)
    }

    @Test func aNewMinimumRecountsBondsAtomically() throws {
        var s = try makeState(["a": 10_000, "b": 10_000, "p": 10_000], parameters: smallMinimums())
        try s.checkedApply(.stake(account: "a", role: .core, amount: era(50)))
        try s.checkedApply(.stake(account: "b", role: .core, amount: era(500)))
        let id = try s.propose("p", ["minimumStake.core=100"])
        try s.checkedApply(.vote(account: "b", proposal: id, option: .yes))
        try s.checkedApply(.advance(epochs: 4))
        #expect(s.proposal(id).status == .executed)
        #expect(s.accounts["a"]!.bonds[.core]!.counted == false)  // below the new minimum: inactive
        #expect(s.votingPower(of: "a") == .zero && s.bondedVotingStake == era(500))
    }
}

@Suite struct GuardianSetTests {
    @Test func membershipChangesReachTheSetAtTheirEpochWithHistory() throws {
        var s = try makeState(["g1": 2_000_000, "g2": 2_000_000, "g3": 2_000_000, "p": 100_000])
        for g in ["g1", "g2"] { try s.checkedApply(.stake(account: g, role: .guardian, amount: era(600_000))) }
        try s.checkedApply(.stake(account: "g3", role: .guardian, amount: era(500_000)))
        #expect(s.guardianSet(atEpoch: 0).members.map(\.account) == ["g1", "g2", "g3"])  // open membership
        let id = try s.propose("p", remove: ["g3"])
        try s.checkedApply(.vote(account: "g1", proposal: id, option: .yes))
        try s.checkedApply(.vote(account: "g2", proposal: id, option: .yes))
        let events = try s.checkedApply(.advance(epochs: 4))
        #expect(events.contains(.guardianSetChanged(fromEpoch: 4, members: ["g1", "g2"])))
        let now = s.guardianSet(atEpoch: 4)
        #expect(now.members.map(\.account) == ["g1", "g2"] && now.membershipVersion == 1 && now.totalStake == era(1_200_000))
        #expect(s.guardianSet(atEpoch: 3).members.map(\.account) == ["g1", "g2", "g3"])  // history: before the change
        #expect(s.guardianSet(atEpoch: 3).membershipVersion == 0)
        // Adding back: g3 is a member again from the execution epoch.
        let back = try s.propose("p", add: ["g3"])
        for g in ["g1", "g2"] { try s.checkedApply(.vote(account: g, proposal: back, option: .yes)) }
        try s.checkedApply(.advance(epochs: 4))
        #expect(s.guardianSet(atEpoch: 8).members.map(\.account) == ["g1", "g2", "g3"])
        #expect(s.guardianSet(atEpoch: 5).members.map(\.account) == ["g1", "g2"])
        // A guardian minimum that would jail the whole set is refused; one that keeps g1 and g2 is fine.
        #expect(throws: EconomyError.self) { try s.propose("p", ["minimumStake.guardian=600001"]) }
        _ = try s.propose("p", ["minimumStake.guardian=600000"])
    }

    @Test func aListedGenesisRestrictsTheSet() throws {
        var s = try EconomyState(genesis: Genesis(accounts: ["g1": era(1_000_000), "g2": era(1_000_000)], guardians: ["g1"]))
        for g in ["g1", "g2"] { try s.checkedApply(.stake(account: g, role: .guardian, amount: era(500_000))) }
        #expect(s.guardianSet(atEpoch: 0).members.map(\.account) == ["g1"])
        #expect(throws: EconomyError.invalidGenesis("guardian 'zz' is not an account of the genesis")) {
            try EconomyState(genesis: Genesis(accounts: ["g1": era(1)], guardians: ["zz"]))
        }
    }
}
