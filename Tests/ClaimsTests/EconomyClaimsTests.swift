import Testing
@testable import Claims

@Suite struct EconomyClaimsTests {
    @Test func economyClaimsHoldAtTestSizes() {
        // Small sizes keep the debug-build test fast; `caldera claims` runs the full 100,000-staker measurement.
        let rows = EconomyClaims.measure(largeStakers: 3_000, distributions: 300, ledgerOperations: 40)
        #expect(rows.map(\.id) == ["economy.split-exact", "economy.distribution-cost", "economy.ledger-ops"])
        let split = rows[0]
        #expect(split.measured == 0 && split.holds, "\(split.conditions)")
        #expect(rows[2].measured > 0)
    }
}
