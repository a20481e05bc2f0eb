import Testing
@testable import Economics

@Suite struct SlashingTests {
    /// 100 equal core nodes, so that one node's correlation term is small (3 × 1% = 3%).
    func network(nodes: Int = 100, stake: UInt128 = 100_000) throws -> EconomyState {
        var balances: [String: UInt128] = [:]
        for i in 0..<nodes { balances["n\(i)"] = stake * 2 }
        var state = try makeState(balances)
        for i in 0..<nodes { try state.checkedApply(.stake(account: "n\(i)", role: .core, amount: era(stake))) }
        return state
    }

    struct NoSlashEvent: Error {}

    /// Slashes `account` for `offence`; returns the amount and fraction of the slash its first event reports.
    func slash(_ state: inout EconomyState, _ account: String, _ offence: Offence) throws -> (amount: Amount, fraction: Fraction) {
        let events = try state.checkedApply(.slash(account: account, offence: offence))
        guard case let .slashed(_, _, amount, fraction, _, _) = events.first else { Issue.record("no slash event"); throw NoSlashEvent() }
        return (amount, fraction)
    }

    @Test func downtimeTakesCosmosHubRateAndJailsBriefly() throws {
        // Stakes above the minimum, so that the slash leaves n0 eligible once the jail is over.
        var state = try network(stake: 200_000)
        let events = try state.checkedApply(.slash(account: "n0", offence: .downtime))
        #expect(events == [
            .slashed(account: "n0", offence: .downtime, amount: era(20), fraction: Fraction(partsPerBillion: 100_000), priorOffences: 0, pool: "burned"),
            .jailed(account: "n0", untilEpoch: 1),
        ])
        #expect(state.accounts["n0"]!.bonded(.core) == era(199_980))
        #expect(state.pools["burned"] == era(20))
        #expect(!state.eligibleNodes(role: .core, atEpoch: 0).contains { $0.account == "n0" })
        try state.checkedApply(.advance(epochs: 1))
        #expect(state.eligibleNodes(role: .core, atEpoch: 1).contains { $0.account == "n0" })
    }

    @Test func equivocationTakesFivePercentPlusCorrelationAndTombstones() throws {
        var state = try network()
        let events = try state.checkedApply(.slash(account: "n1", offence: .equivocation))
        // base 5% + 3 × (100k / 10M) = 5% + 3% = 8%.
        #expect(events.first == .slashed(account: "n1", offence: .equivocation, amount: era(8_000),
                                         fraction: Fraction(partsPerBillion: 80_000_000), priorOffences: 0, pool: "burned"))
        #expect(events.last == .tombstoned(account: "n1"))
        #expect(state.accounts["n1"]!.tombstoned)
        #expect(throws: EconomyError.tombstoned("n1")) { try state.checkedApply(.slash(account: "n1", offence: .downtime)) }
    }

    @Test func correlationGrowsWithSimultaneousOffences() throws {
        var state = try network()
        var fractions: [UInt128] = []
        for i in 0..<5 { fractions.append(try slash(&state, "n\(i)", .invalidRoot).fraction.partsPerBillion) }
        // Each offence in the window adds 3 × its stake / total to the next one's penalty.
        #expect(fractions == fractions.sorted() && Set(fractions).count == 5)
        #expect(fractions[0] == 50_000_000 + 30_000_000)
        // Outside the window, the correlation term forgets earlier offences.
        try state.checkedApply(.advance(epochs: 100))
        let late = try slash(&state, "n10", .invalidRoot)
        #expect(late.fraction.partsPerBillion < fractions[1])
    }

    @Test func aSlashBelowTheMinimumEndsEligibility() throws {
        var state = try network()  // stakes exactly at the 100,000 ERA core minimum
        try state.checkedApply(.slash(account: "n0", offence: .downtime))
        try state.checkedApply(.advance(epochs: 5))
        #expect(!state.eligibleNodes(role: .core, atEpoch: 5).contains { $0.account == "n0" })
        #expect(state.classes[.core]!.activeStake == era(9_900_000))
        // Topping the bond up to the minimum restores it.
        try state.checkedApply(.stake(account: "n0", role: .core, amount: era(10)))
        #expect(state.eligibleNodes(role: .core, atEpoch: 5).contains { $0.account == "n0" })
    }

    @Test func correlationPenaltyIsCappedAtTheWholeStake() throws {
        var state = try network(nodes: 2)
        try state.checkedApply(.slash(account: "n0", offence: .equivocation))
        #expect(state.accounts["n0"]!.bonded(.core) == .zero)  // 5% + 3 × 50% > 100% → everything
        #expect(state.pools["burned"] == era(100_000))
    }

    @Test func repeatOffencesEscalateThenTombstone() throws {
        var state = try network()
        var amounts: [Amount] = []
        for _ in 0..<4 { amounts.append(try slash(&state, "n0", .downtime).amount) }
        // 0.01%, then doubled each time on the remaining stake, then tombstoned at the 4th offence.
        let expectedFractions: [UInt128] = [100_000, 200_000, 400_000, 800_000]
        var stake = era(100_000).baseUnits
        for (amount, ppb) in zip(amounts, expectedFractions) {
            let cut = stake * ppb / 1_000_000_000
            #expect(amount.baseUnits == cut)
            stake -= cut
        }
        #expect(state.accounts["n0"]!.tombstoned)
        // Jail escalates too: 1, 2, 4 epochs.
        var fresh = try network()
        try fresh.checkedApply(.slash(account: "n5", offence: .downtime))
        try fresh.checkedApply(.slash(account: "n5", offence: .downtime))
        let third = try fresh.checkedApply(.slash(account: "n5", offence: .downtime))
        #expect(third.contains(.jailed(account: "n5", untilEpoch: 4)))
    }

    @Test func slashedTokensCanGoToANamedPool() throws {
        var parameters = EconomyParameters.default
        parameters.slashing.destinationPool = "insurance"
        var state = try makeState(["a": 200_000], parameters: parameters)
        try state.checkedApply(.stake(account: "a", role: .core, amount: era(100_000)))
        try state.checkedApply(.slash(account: "a", offence: .withholding))
        #expect(state.pools["insurance"]! > .zero)
        #expect(state.pools["burned"] == nil)
        let report = state.report()
        #expect(report.accountedFor == report.totalSupply)
    }

    @Test func nothingToSlashIsRefused() throws {
        var state = try makeState(["a": 1])
        #expect(throws: EconomyError.nothingToSlash("a")) { try state.checkedApply(.slash(account: "a", offence: .downtime)) }
    }
}
