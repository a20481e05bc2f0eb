import Foundation
import Testing
@testable import Economics

/// Time and its limits. Hostile-input finding: `advance(epochs: 2^63)` saturated the epoch, after which advances
/// did nothing and a 16-epoch jail ended after one; a genesis `unbondingEpochs` of 2^64−1 was clamped the same way.
@Suite struct EpochTests {
    @Test func advancingPastTheLastEpochIsRefusedAndChangesNothing() throws {
        var state = try makeState(["a": 1])
        try state.checkedApply(.advance(epochs: 5))
        for huge: UInt64 in [9_223_372_036_854_775_808, .max, EconomyState.maxEpoch] {
            #expect(throws: EconomyError.tooManyEpochs(requested: huge, epoch: 5)) { try state.checkedApply(.advance(epochs: huge)) }
        }
        #expect(state.epoch == 5)
        let message = EconomyError.tooManyEpochs(requested: .max, epoch: 5).description
        #expect(message.contains("epochs") && message.contains(String(EconomyState.maxEpoch)) && message.contains(String(EconomyState.maxEpoch - 5)))
        // Up to the limit exactly is fine; one more is not.
        try state.checkedApply(.advance(epochs: EconomyState.maxEpoch - 5))
        #expect(state.epoch == EconomyState.maxEpoch)
        #expect(throws: EconomyError.tooManyEpochs(requested: 1, epoch: EconomyState.maxEpoch)) { try state.checkedApply(.advance(epochs: 1)) }
        #expect(EconomyState.maxEpoch < 1 << 53)  // exact in every JSON reader
    }

    @Test func aSixteenEpochJailStillTakesSixteenEpochsAfterARefusedHugeAdvance() throws {
        var state = try makeState(["n": 300_000, "m": 300_000])
        try state.checkedApply(.stake(account: "n", role: .core, amount: era(200_000)))
        try state.checkedApply(.stake(account: "m", role: .core, amount: era(200_000)))
        #expect(try state.checkedApply(.slash(account: "n", offence: .invalidRoot)).contains(.jailed(account: "n", untilEpoch: 16)))
        #expect(throws: EconomyError.self) { try state.checkedApply(.advance(epochs: 9_223_372_036_854_775_808)) }
        try state.checkedApply(.advance(epochs: 1))
        #expect(state.accounts["n"]!.jailedUntilEpoch == 16)
        try state.checkedApply(.advance(epochs: 14))
        #expect(state.accounts["n"]!.jailedUntilEpoch == 16)
        #expect(try state.checkedApply(.advance(epochs: 1)).contains(.unjailed(account: "n")))
    }

    @Test(arguments: [UInt64.max, EconomyParameters.maxDelayEpochs + 1])
    func genesisDelaysAboveTheLimitAreRefusedByName(value: UInt64) throws {
        var parameters = EconomyParameters.default
        parameters.unbondingEpochs = value
        #expect(throws: EconomyError.parameterOutOfRange(field: "parameters.unbondingEpochs", value: value, limit: EconomyParameters.maxDelayEpochs)) {
            try makeState(["a": 1], parameters: parameters)
        }
        parameters = .default
        parameters.slashing.invalidRoot.jailEpochs = value
        #expect(throws: EconomyError.parameterOutOfRange(field: "parameters.slashing.invalidRoot.jailEpochs", value: value, limit: EconomyParameters.maxDelayEpochs)) {
            try makeState(["a": 1], parameters: parameters)
        }
        let message = EconomyError.parameterOutOfRange(field: "parameters.unbondingEpochs", value: value, limit: EconomyParameters.maxDelayEpochs).description
        #expect(message.contains("parameters.unbondingEpochs") && message.contains(String(EconomyParameters.maxDelayEpochs)))
    }

    @Test func delaysAtTheLimitAreExactEvenAtTheLastEpoch() throws {
        var parameters = EconomyParameters.default
        parameters.unbondingEpochs = EconomyParameters.maxDelayEpochs
        var state = try makeState(["a": 200_000], parameters: parameters)
        try state.checkedApply(.stake(account: "a", role: .core, amount: era(100_000)))
        try state.checkedApply(.advance(epochs: EconomyState.maxEpoch - 10))
        let events = try state.checkedApply(.unstake(account: "a", role: .core, amount: era(100_000)))
        #expect(events == [.unbondingStarted(account: "a", role: .core, amount: era(100_000),
                                             completesAtEpoch: EconomyState.maxEpoch - 10 + EconomyParameters.maxDelayEpochs)])
    }

    @Test func escalatedJailsAreCappedAtTheDocumentedLimit() throws {
        var parameters = EconomyParameters.default
        parameters.slashing.downtime.jailEpochs = EconomyParameters.maxDelayEpochs
        parameters.slashing.escalationFactor = 1_000
        var state = try makeState(["n": 300_000, "m": 300_000], parameters: parameters)
        try state.checkedApply(.stake(account: "n", role: .core, amount: era(200_000)))
        try state.checkedApply(.stake(account: "m", role: .core, amount: era(200_000)))
        try state.checkedApply(.slash(account: "n", offence: .downtime))
        let second = try state.checkedApply(.slash(account: "n", offence: .downtime))
        // 10^12 × 1000 would be 10^15 epochs: capped at maxDelayEpochs, as the fraction is capped at 1.
        #expect(second.contains(.jailed(account: "n", untilEpoch: EconomyParameters.maxDelayEpochs)))
    }

    @Test func theLedgerStoresTheLastEpochAndRefusesBeyondIt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Ledger.create(path: directory + "/l.db", genesis: Genesis(accounts: ["fees": era(1)]))
        #expect(throws: EconomyError.tooManyEpochs(requested: .max, epoch: 0)) { try ledger.apply(.advance(epochs: .max)) }
        try ledger.apply(.advance(epochs: EconomyState.maxEpoch))
        #expect(throws: EconomyError.self) { try ledger.apply(.advance(epochs: 1)) }
        let reopened = try Ledger.open(path: directory + "/l.db")
        #expect(reopened.state.epoch == EconomyState.maxEpoch)
        #expect(try reopened.journalLength() == 2)
        #expect(try reopened.replayJournal() == reopened.state)
    }
}
