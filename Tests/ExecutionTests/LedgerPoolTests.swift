import Economics
import Testing
@testable import Execution

@Suite struct LedgerPoolTests {
    func era(_ s: String) -> Amount { try! Amount(parsing: s) }

    /// The pools follow the ledger: bonded roles with their stakes, a slashed and jailed node left out.
    @Test func poolsComeFromTheLedger() throws {
        var state = try EconomyState(genesis: Genesis(accounts: [
            "a": era("300000 ERA"), "b": era("300000 ERA"), "c": era("300000 ERA"), "fees": era("1000 ERA"),
        ]))
        _ = try state.apply(.stake(account: "a", role: .core, amount: era("150000 ERA")))
        _ = try state.apply(.stake(account: "a", role: .flexible, amount: era("60000 ERA")))
        _ = try state.apply(.stake(account: "b", role: .flexible, amount: era("80000 ERA")))
        _ = try state.apply(.stake(account: "c", role: .flexible, amount: era("70000 ERA")))
        var pool = try NodePool(economy: state, epoch: state.epoch)
        #expect(pool.core.map(\.id) == ["a"])
        #expect(Set(pool.flexible.map(\.id)) == ["a/flexible", "b", "c"])
        #expect(pool.flexible.first { $0.id == "b" }?.stake == era("80000 ERA").baseUnits)

        _ = try state.apply(.slash(account: "c", offence: .equivocation))
        pool = try NodePool(economy: state, epoch: state.epoch)
        #expect(!pool.flexible.contains { $0.id == "c" })
    }
}
