import Foundation
import Testing
import PropertyBased
@testable import Economics

/// Random sequences of propose, deposit, vote, stake, unstake, slash, distribute, claim, transfer and advance. After
/// every operation: every invariant (conservation counts the deposits in escrow), a refused operation changes nothing,
/// parameters change only in an advance that executed passed proposals and then equal the old parameters with those
/// proposals' changes applied in order, `advance(k)` equals k single advances, and every tally equals a brute-force
/// tally from the stakes when its voting period ended, with an independently computed outcome.
@Suite struct GovernancePropertyTests {
    struct Counts {
        var applied = 0, refused = 0, tallies = 0, executed = 0, proposals = 0
        var outcomes: [TallyOutcome: Int] = [:]
    }

    /// Parameters for the runs: short periods, so that proposals finish inside a run, and a quorum of 15% so that with
    /// a dozen random voters most tallies get past the quorum to the veto and threshold rules.
    static let fastGovernance: EconomyParameters = {
        var p = EconomyParameters.default
        p.governance.maxDepositPeriodEpochs = 2
        p.governance.votingPeriodEpochs = 3
        p.governance.expeditedVotingPeriodEpochs = 1
        p.governance.timelockEpochs = 1
        p.governance.quorum = Fraction(partsPerBillion: 150_000_000)
        return p
    }()

    @discardableResult
    static func run(words: [UInt64], stakers: Int = 6, parameters: EconomyParameters = fastGovernance) throws -> Counts {
        var state = try EconomyState(genesis: OperationWorkload.genesis(stakers: stakers, parameters: parameters))
        var accounts = state.accounts.keys.sorted()
        var counts = Counts()
        for word in words {
            let operation = OperationWorkload.governedOperation(from: word, accounts: accounts, proposals: state.governance.nextProposalID - 1,
                                                                parameters: state.parameters)
            let before = state
            do {
                let events: [EconomyEvent]
                if case .advance(let epochs) = operation {
                    events = try checkedAdvance(&state, epochs: epochs, counts: &counts)
                } else {
                    events = try state.apply(operation)
                }
                counts.applied += 1
                try state.checkInvariants()
                for event in events { try before.checkRevenueSplit(of: event) }
                try checkParametersChangeOnlyByProposals(before: before, after: state, events: events)
                if case .propose = operation { counts.proposals += 1 }
                if case .transfer = operation { accounts = state.accounts.keys.sorted() }
            } catch let error as EconomyError {
                counts.refused += 1
                guard state == before else { throw InvariantViolation("refused \(operation) (\(error)) changed the state") }
            }
        }
        let report = state.report()
        guard report.accountedFor == report.totalSupply else { throw InvariantViolation("report does not account for the supply") }
        return counts
    }

    /// Applies `advance(epochs)` and, on a copy, `epochs` single advances: the states must agree (all but the
    /// operation count), and each single step's tallies must equal the brute-force tally of the state after that step
    /// (a step executes earlier-passed proposals before it tallies, and nothing after, so that state is the one the
    /// tally saw).
    static func checkedAdvance(_ state: inout EconomyState, epochs: UInt64, counts: inout Counts) throws -> [EconomyEvent] {
        var stepped = state
        for _ in 0..<epochs {
            let events = try stepped.apply(.advance(epochs: 1))
            for case let .proposalTallied(id, tally, outcome, expedited) in events {
                try checkTally(id: id, tally: tally, outcome: outcome, expedited: expedited, in: stepped)
                counts.tallies += 1
                counts.outcomes[outcome, default: 0] += 1
            }
            counts.executed += events.filter { if case .proposalExecuted = $0 { true } else { false } }.count
        }
        let events = try state.apply(.advance(epochs: epochs))
        var comparable = stepped
        comparable.operationCount = state.operationCount
        guard comparable == state else { throw InvariantViolation("advance(\(epochs)) differs from \(epochs) single advances") }
        return events
    }

    /// The brute-force tally: each voter's weight is the sum of its bonds that are active by the rules of §2 (at
    /// least the minimum, not jailed, not tombstoned), computed from the account records; the denominator is the sum
    /// of every such bond of every account. Both are compared with the event, then the outcome is recomputed with
    /// plain 128-bit cross-multiplication (amounts here are far below 2^98, so × 10^9 cannot overflow).
    static func checkTally(id: UInt64, tally: Tally, outcome: TallyOutcome, expedited: Bool, in state: EconomyState) throws {
        func power(_ account: Account) -> UInt128 {
            guard !account.tombstoned, account.jailedUntilEpoch == nil else { return 0 }
            return account.bonds.reduce(0) { sum, entry in
                let (role, bond) = entry
                return sum + (bond.amount >= state.parameters.minimum(for: role) && bond.amount.baseUnits > 0 ? bond.amount.baseUnits : 0)
            }
        }
        let proposal = state.governance.proposals[id]!
        var byOption: [VoteOption: UInt128] = [:]
        for (voter, option) in proposal.votes { byOption[option, default: 0] += power(state.accounts[voter]!) }
        let bonded = state.accounts.values.reduce(UInt128(0)) { $0 + power($1) }
        let expected = Tally(yes: Amount(baseUnits: byOption[.yes] ?? 0), no: Amount(baseUnits: byOption[.no] ?? 0),
                             abstain: Amount(baseUnits: byOption[.abstain] ?? 0), veto: Amount(baseUnits: byOption[.veto] ?? 0),
                             bondedStake: Amount(baseUnits: bonded))
        guard expected == tally else { throw InvariantViolation("proposal \(id): tally \(tally) ≠ brute force \(expected)") }
        guard tally.voted <= bonded else { throw InvariantViolation("proposal \(id): more votes than bonded stake (double counting)") }
        let rules = state.parameters.governance
        let ppb: UInt128 = 1_000_000_000
        let voted = tally.voted, nonAbstaining = voted - tally.abstain.baseUnits
        let threshold = (expedited ? rules.expeditedThreshold : rules.threshold).partsPerBillion
        let expectedOutcome: TallyOutcome =
            bonded == 0 ? .noStake
            : voted * ppb < rules.quorum.partsPerBillion * bonded ? .noQuorum
            : nonAbstaining == 0 ? .allAbstained
            : tally.veto.baseUnits * ppb > rules.vetoThreshold.partsPerBillion * voted ? .vetoed
            : tally.yes.baseUnits * ppb > threshold * nonAbstaining ? .passed
            : .belowThreshold
        guard expectedOutcome == outcome else { throw InvariantViolation("proposal \(id): outcome \(outcome) ≠ brute force \(expectedOutcome)") }
    }

    /// Parameters (and the guardian membership) change only in an advance that executed proposals, and then exactly
    /// by those proposals' changes, in order.
    static func checkParametersChangeOnlyByProposals(before: EconomyState, after: EconomyState, events: [EconomyEvent]) throws {
        var expected = before.parameters
        for case let .proposalExecuted(_, content, _) in events {
            for change in content.changes { change.key.set(change.value, in: &expected) }
        }
        guard expected == after.parameters else { throw InvariantViolation("parameters changed other than by executed proposals: \(events)") }
        let membershipChanged = before.governance.membershipHistory != after.governance.membershipHistory
        let executedGuardianChange = events.contains { if case let .proposalExecuted(_, content, _) = $0 { content.changesGuardianSet } else { false } }
        guard membershipChanged == executedGuardianChange else { throw InvariantViolation("guardian membership changed other than by an executed proposal") }
    }

    @Test func randomGovernanceSequences() async {
        // 150 sequences of up to 80 operations.
        await propertyCheck(count: 150, input: Gen.uint64().array(of: 1...80)) { words in
            #expect(throws: Never.self) { try GovernancePropertyTests.run(words: words) }
        }
    }

    @Test func randomGovernanceSequencesWithCosmosPeriods() async {
        // The default periods (2-epoch deposit and voting, 2-epoch timelock) and a listed genesis-style membership start.
        await propertyCheck(count: 80, input: Gen.uint64().array(of: 1...80)) { words in
            #expect(throws: Never.self) { try GovernancePropertyTests.run(words: words, parameters: .default) }
        }
    }

    @Test func longSeededGovernanceRuns() throws {
        // 6,000 operations in CI; a million with CALDERA_LONG_TESTS=1.
        let total = PropertyTests.longRun ? 1_000_000 : 6_000
        let perRun = 2_000
        var random = OperationWorkload.Random(seed: 0x60_7E_27)
        var counts = Counts()
        for _ in 0..<(total / perRun) {
            let words = (0..<perRun).map { _ in random.next() }
            let run = try GovernancePropertyTests.run(words: words, stakers: 12)
            counts.applied += run.applied; counts.tallies += run.tallies; counts.executed += run.executed; counts.proposals += run.proposals
            counts.outcomes.merge(run.outcomes, uniquingKeysWith: +)
        }
        print("governance run: \(total) operations, \(counts.applied) applied, \(counts.proposals) proposals, \(counts.tallies) tallies \(counts.outcomes), \(counts.executed) executed")
        // The workload exercises every stage: proposals are submitted, tallied and executed, not only refused.
        #expect(counts.applied > total / 4)
        #expect(counts.proposals > total / 100)
        #expect(counts.tallies > total / 200)
        #expect(counts.executed > 0)
    }
}
