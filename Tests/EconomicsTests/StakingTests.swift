import Testing
@testable import Economics

@Suite struct StakingTests {
    @Test func minimumsAreGraduatedByRole() throws {
        var state = try makeState(["a": 1_000_000])
        #expect(throws: EconomyError.belowMinimum(role: .flexible, resulting: era(49_999), minimum: era(50_000))) {
            try state.checkedApply(.stake(account: "a", role: .flexible, amount: era(49_999)))
        }
        try state.checkedApply(.stake(account: "a", role: .flexible, amount: era(50_000)))
        #expect(throws: EconomyError.belowMinimum(role: .core, resulting: era(99_999), minimum: era(100_000))) {
            try state.checkedApply(.stake(account: "a", role: .core, amount: era(99_999)))
        }
        try state.checkedApply(.stake(account: "a", role: .core, amount: era(100_000)))
        #expect(throws: EconomyError.belowMinimum(role: .guardian, resulting: era(499_999), minimum: era(500_000))) {
            try state.checkedApply(.stake(account: "a", role: .guardian, amount: era(499_999)))
        }
        try state.checkedApply(.stake(account: "a", role: .guardian, amount: era(500_000)))
        // A top-up only needs the resulting bond to meet the minimum.
        try state.checkedApply(.stake(account: "a", role: .flexible, amount: Amount(baseUnits: 1)))
        #expect(state.accounts["a"]!.bonded(.flexible) == Amount(baseUnits: era(50_000).baseUnits + 1))
        #expect(state.accounts["a"]!.balance == Amount(baseUnits: era(350_000).baseUnits - 1))
    }

    @Test func refusesUnknownAccountsAndOverspending() throws {
        var state = try makeState(["a": 60_000])
        #expect(throws: EconomyError.unknownAccount("zed")) { try state.checkedApply(.stake(account: "zed", role: .flexible, amount: era(50_000))) }
        #expect(throws: EconomyError.insufficientBalance(account: "a", needed: era(70_000), available: era(60_000))) {
            try state.checkedApply(.stake(account: "a", role: .flexible, amount: era(70_000)))
        }
        #expect(throws: EconomyError.zeroAmount("the stake")) { try state.checkedApply(.stake(account: "a", role: .flexible, amount: .zero)) }
    }

    @Test func unbondingWaitsForTheDelayAndStaysSlashable() throws {
        var state = try makeState(["a": 200_000, "b": 200_000])
        try state.checkedApply(.stake(account: "a", role: .core, amount: era(150_000)))
        try state.checkedApply(.stake(account: "b", role: .core, amount: era(150_000)))
        #expect(throws: EconomyError.wouldLeaveBelowMinimum(account: "a", role: .core, remaining: era(90_000), minimum: era(100_000))) {
            try state.checkedApply(.unstake(account: "a", role: .core, amount: era(60_000)))
        }
        let events = try state.checkedApply(.unstake(account: "a", role: .core, amount: era(150_000)))
        #expect(events == [.unbondingStarted(account: "a", role: .core, amount: era(150_000), completesAtEpoch: 7)])
        #expect(state.accounts["a"]!.balance == era(50_000))
        #expect(state.eligibleNodes(role: .core, atEpoch: 0).map(\.account) == ["b"])

        try state.checkedApply(.advance(epochs: 6))
        #expect(state.accounts["a"]!.balance == era(50_000))
        // Still slashable while unbonding: downtime takes 0.01%.
        try state.checkedApply(.slash(account: "a", offence: .downtime))
        #expect(state.accounts["a"]!.unbonding.first!.amount == era(149_985))
        #expect(state.pools["burned"] == era(15))

        let release = try state.checkedApply(.advance(epochs: 1))
        #expect(release.contains(.unbondingCompleted(account: "a", role: .core, amount: era(149_985))))
        #expect(state.accounts["a"]!.balance == era(199_985))
        #expect(state.accounts["a"]!.unbonding.isEmpty)
    }

    @Test func eligibleNodesExcludeJailedAndTombstonedAndWeighByStake() throws {
        var state = try makeState(["g1": 1_000_000, "g2": 1_000_000, "g3": 1_000_000, "c1": 1_000_000])
        for id in ["g1", "g2", "g3"] { try state.checkedApply(.stake(account: id, role: .guardian, amount: era(600_000))) }
        try state.checkedApply(.stake(account: "g3", role: .guardian, amount: era(100_000)))
        try state.checkedApply(.stake(account: "c1", role: .core, amount: era(100_000)))
        #expect(state.eligibleNodes(role: .guardian, atEpoch: 0) == [
            EligibleNode(account: "g1", stake: era(600_000)), EligibleNode(account: "g2", stake: era(600_000)),
            EligibleNode(account: "g3", stake: era(700_000)),
        ])
        try state.checkedApply(.slash(account: "g1", offence: .downtime))  // jailed one epoch
        try state.checkedApply(.slash(account: "g2", offence: .equivocation))  // tombstoned
        #expect(state.eligibleNodes(role: .guardian, atEpoch: 0).map(\.account) == ["g3"])
        // At epoch 1 the downtime jail is over; the tombstone is for ever.
        #expect(state.eligibleNodes(role: .guardian, atEpoch: 1).map(\.account) == ["g1", "g3"])
        #expect(state.eligibleNodes(role: .core, atEpoch: 0).map(\.account) == ["c1"])
        try state.checkedApply(.advance(epochs: 1))
        #expect(state.eligibleNodes(role: .guardian, atEpoch: 1).map(\.account) == ["g1", "g3"])
        #expect(throws: EconomyError.tombstoned("g2")) { try state.checkedApply(.stake(account: "g2", role: .guardian, amount: era(1))) }
        // A tombstoned account may still leave.
        try state.checkedApply(.unstake(account: "g2", role: .guardian, amount: state.accounts["g2"]!.bonded(.guardian)))
    }

    @Test func genesisValidation() {
        #expect(throws: EconomyError.invalidAccountName("has space")) { try makeState(["has space": 1]) }
        var parameters = EconomyParameters.default
        parameters.revenueSplit.core = 4001
        #expect(throws: EconomyError.self) { try makeState(["a": 1], parameters: parameters) }
    }
}
