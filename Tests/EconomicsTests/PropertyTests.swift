import Foundation
import Testing
import PropertyBased
@testable import Economics

/// Random operation sequences: after every operation the invariants hold, a refused operation changes nothing,
/// and every distribution's shares are exact floors whose sum with the carry is the revenue plus carry-in.
@Suite struct PropertyTests {
    static let longRun = ProcessInfo.processInfo.environment["CALDERA_LONG_TESTS"] == "1"

    /// Applies the operations encoded by `words`, checking everything after each; returns (applied, refused).
    @discardableResult
    static func run(words: [UInt64], stakers: Int = 6, parameters: EconomyParameters = .default) throws -> (Int, Int) {
        var state = try EconomyState(genesis: OperationWorkload.genesis(stakers: stakers, parameters: parameters))
        var accounts = state.accounts.keys.sorted()
        var applied = 0, refused = 0
        for word in words {
            let operation = OperationWorkload.operation(from: word, accounts: accounts, parameters: parameters)
            let before = state
            do {
                let events = try state.apply(operation)
                applied += 1
                try state.checkInvariants()
                for event in events { try before.checkRevenueSplit(of: event) }  // the library's registered invariant
                if case .transfer = operation { accounts = state.accounts.keys.sorted() }
            } catch let error as EconomyError {
                refused += 1
                guard state == before else { throw InvariantViolation("refused \(operation) (\(error)) changed the state") }
            }
        }
        let report = state.report()
        guard report.accountedFor == report.totalSupply else { throw InvariantViolation("report does not account for the supply") }
        return (applied, refused)
    }

    @Test func randomSequencesConserveEverything() async {
        // 150 sequences of up to 60 operations: several thousand operations per run.
        await propertyCheck(count: 150, input: Gen.uint64().array(of: 1...60)) { words in
            #expect(throws: Never.self) { try PropertyTests.run(words: words) }
        }
    }

    @Test func randomSequencesWithTinyMinimumsAndFastUnbonding() async {
        // Extreme parameters: 1-base-unit minimums (huge accumulator indexes), no unbonding delay, harsh slashing.
        var parameters = EconomyParameters.default
        for role in StakeRole.allCases { parameters.minimumStake[role] = Amount(baseUnits: 1) }
        parameters.unbondingEpochs = 0
        parameters.slashing.escalationFactor = 10
        parameters.slashing.tombstoneAfterOffences = 2
        await propertyCheck(count: 100, input: Gen.uint64().array(of: 1...60)) { words in
            #expect(throws: Never.self) { try PropertyTests.run(words: words, parameters: parameters) }
        }
    }

    @Test func longSeededRuns() throws {
        // Thousands of operations in CI; a million with CALDERA_LONG_TESTS=1.
        let total = PropertyTests.longRun ? 1_000_000 : 6_000
        let perRun = 2_000
        var random = OperationWorkload.Random(seed: 0xCA1DE7A)
        var applied = 0
        for _ in 0..<(total / perRun) {
            let words = (0..<perRun).map { _ in random.next() }
            applied += try PropertyTests.run(words: words, stakers: 12).0
        }
        #expect(applied > total / 4)  // the workload is not all refusals
    }
}
