import Testing
@testable import Economics

@Suite struct DistributionTests {
    /// One staker per class plus a fee payer.
    func staked() throws -> EconomyState {
        try makeState(["core": 1_000_000, "flex": 1_000_000, "guard": 1_000_000, "fees": 1_000_000],
                      stakes: [("core", .core, 100_000), ("flex", .flexible, 50_000), ("guard", .guardian, 500_000)])
    }

    @Test func splitsFortyTwentyFiveFifteenTenTen() throws {
        var state = try staked()
        let events = try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))
        #expect(events == [.distributed(payer: "fees", revenue: era(1_000), carriedIn: .zero, core: era(400), guardian: era(250),
                                        flexible: era(150), developers: era(100), userSupport: era(100), carriedOut: .zero)])
        #expect(state.pendingRewards(of: "core") == era(400))
        #expect(state.pendingRewards(of: "guard") == era(250))
        #expect(state.pendingRewards(of: "flex") == era(150))
        #expect(state.pools["developers"] == era(100))
        #expect(state.pools["userSupport"] == era(100))
        let claim = try state.checkedApply(.claim(account: "core"))
        #expect(claim == [.claimed(account: "core", amount: era(400))])
        #expect(state.accounts["core"]!.balance == era(900_400))
        #expect(state.pendingRewards(of: "core") == .zero)
    }

    @Test func indivisibleRemainderCarriesToTheNextEpoch() throws {
        var state = try staked()
        // 7 base units: floors are 2, 1, 1, 0, 0 → 3 of 7 carried... (40% of 7 = 2.8 → 2; 25% → 1; 15% → 1; 10% → 0; 10% → 0)
        let first = try state.checkedApply(.distribute(revenue: Amount(baseUnits: 7), payer: "fees"))
        #expect(first == [.distributed(payer: "fees", revenue: Amount(baseUnits: 7), carriedIn: .zero,
                                       core: Amount(baseUnits: 2), guardian: Amount(baseUnits: 1), flexible: Amount(baseUnits: 1),
                                       developers: .zero, userSupport: .zero, carriedOut: Amount(baseUnits: 3))])
        let second = try state.checkedApply(.distribute(revenue: Amount(baseUnits: 7), payer: "fees"))
        guard case let .distributed(_, _, carriedIn, core, guardian, flexible, developers, userSupport, carriedOut) = second[0] else {
            Issue.record("no distribution"); return
        }
        #expect(carriedIn == Amount(baseUnits: 3))
        // 10 base units: 4, 2, 1, 1, 1 → 1 carried.
        #expect([core, guardian, flexible, developers, userSupport, carriedOut].map(\.baseUnits) == [4, 2, 1, 1, 1, 1])
    }

    @Test func aClassWithoutStakeCarriesItsShare() throws {
        var state = try makeState(["core": 1_000_000, "fees": 1_000_000])
        try state.checkedApply(.stake(account: "core", role: .core, amount: era(100_000)))
        try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))
        #expect(state.pools["carry"] == era(400))  // guardian 250 + flexible 150
        #expect(state.pendingRewards(of: "core") == era(400))
        try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))
        // 1400 × 40% = 560 more.
        #expect(state.pendingRewards(of: "core") == era(960))
    }

    @Test func proRataWithinAClassAndStakeChangesSettleFirst() throws {
        var state = try makeState(["a": 1_000_000, "b": 1_000_000, "fees": 1_000_000])
        try state.checkedApply(.stake(account: "a", role: .core, amount: era(100_000)))
        try state.checkedApply(.stake(account: "b", role: .core, amount: era(300_000)))
        try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))  // core gets 400: a 100, b 300
        #expect(state.pendingRewards(of: "a") == era(100))
        #expect(state.pendingRewards(of: "b") == era(300))
        // a doubles its stake: rewards so far are settled at the old stake.
        try state.checkedApply(.stake(account: "a", role: .core, amount: era(300_000)))
        // Guardians and flexible nodes have no stake, so their 400 ERA carried: this epoch splits 1400, core gets 560.
        try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))  // 560 split 400k:300k
        let a = state.pendingRewards(of: "a").baseUnits, b = state.pendingRewards(of: "b").baseUnits
        // Exact pro rata is 100 + 320 and 300 + 240; F1 may round each down by at most one base unit.
        #expect(a <= era(420).baseUnits && era(420).baseUnits - a <= 1)
        #expect(b <= era(540).baseUnits && era(540).baseUnits - b <= 1)
        #expect(state.rewardRounding().baseUnits <= 2)
        let report = state.report()
        #expect(report.accountedFor == report.totalSupply)
    }

    @Test func jailedStakeEarnsNothingUntilReleased() throws {
        var state = try makeState(["a": 1_000_000, "b": 1_000_000, "fees": 1_000_000])
        // Above the minimum, so that the 0.01% downtime slash leaves it eligible once the jail is over.
        try state.checkedApply(.stake(account: "a", role: .core, amount: era(110_000)))
        try state.checkedApply(.stake(account: "b", role: .core, amount: era(110_000)))
        try state.checkedApply(.slash(account: "a", offence: .downtime))  // jailed for one epoch
        try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))
        #expect(state.pendingRewards(of: "a") == .zero)
        #expect(era(400).baseUnits - state.pendingRewards(of: "b").baseUnits <= 1)  // F1 rounds down at most 1 base unit
        try state.checkedApply(.advance(epochs: 1))
        try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))
        // This epoch splits 1000 + 400 carried (no guardians or flexible nodes): core's 560 goes ≈ half to a.
        #expect(state.pendingRewards(of: "a") > era(279) && state.pendingRewards(of: "a") < era(281))
    }

    @Test func payerMustExistAndAfford() throws {
        var state = try staked()
        #expect(throws: EconomyError.unknownAccount("treasury")) { try state.checkedApply(.distribute(revenue: era(1), payer: "treasury")) }
        #expect(throws: EconomyError.insufficientBalance(account: "fees", needed: era(2_000_000), available: era(1_000_000))) {
            try state.checkedApply(.distribute(revenue: era(2_000_000), payer: "fees"))
        }
    }

    @Test func distributionTouchesNoStakerRecord() throws {
        // The O(classes) claim, structurally: a distribution changes only the payer's account record.
        var state = try staked()
        let before = state.accounts
        let events = try state.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))
        for (id, account) in state.accounts where id != "fees" { #expect(account == before[id]) }
        #expect(events.flatMap(\.accounts) == ["fees"])
    }

    @Test func theRevenueSplitInvariantMeasuresDeviations() throws {
        let state = try staked()
        var after = state
        let event = try after.checkedApply(.distribute(revenue: era(1_000), payer: "fees"))[0]
        #expect(state.revenueSplitDeviation(of: event) == 0)
        try state.checkRevenueSplit(of: event)
        // One base unit moved from developers to the carry: the shares still sum, but a share is off by one.
        let shifted = EconomyEvent.distributed(payer: "fees", revenue: era(1_000), carriedIn: .zero, core: era(400), guardian: era(250),
                                               flexible: era(150), developers: Amount(baseUnits: era(100).baseUnits - 1),
                                               userSupport: era(100), carriedOut: Amount(baseUnits: 1))
        #expect(state.revenueSplitDeviation(of: shifted) == 1)
        #expect(throws: InvariantViolation.self) { try state.checkRevenueSplit(of: shifted) }
        // A created base unit: the parts sum to more than the total.
        let minted = EconomyEvent.distributed(payer: "fees", revenue: era(1_000), carriedIn: .zero, core: era(400), guardian: era(250),
                                              flexible: era(150), developers: era(100), userSupport: era(100), carriedOut: Amount(baseUnits: 1))
        #expect(state.revenueSplitDeviation(of: minted) == 1)
        // A class with active stake may not be skipped (its share carried instead).
        let skipped = EconomyEvent.distributed(payer: "fees", revenue: era(1_000), carriedIn: .zero, core: .zero, guardian: era(250),
                                               flexible: era(150), developers: era(100), userSupport: era(100), carriedOut: era(400))
        #expect(state.revenueSplitDeviation(of: skipped) == era(400).baseUnits)
        #expect(state.revenueSplitDeviation(of: .claimed(account: "core", amount: era(1))) == 0)
    }

    @Test func aHostileDecodedReportCannotTrapTheConservationSum() throws {
        let max = Amount(baseUnits: .max)
        let line = EconomyReport.AccountLine(id: "a", balance: max, bonded: .init(core: max, flexible: .zero, guardian: .zero),
                                             unbonding: .zero, pendingRewards: .zero, status: "active")
        let report = EconomyReport(epoch: 0, totalSupply: Amount(baseUnits: 1), accounts: [line], pools: ["carry": max])
        #expect(report.accountedFor == max)
        #expect(report.accountedFor != report.totalSupply)
    }
}
