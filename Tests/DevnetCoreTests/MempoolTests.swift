import ExecutionNode
import Testing
@testable import Devnet

@Suite struct MempoolTests {
    func transactions(_ n: Int) -> [RollupTransaction] {
        var w = TransferWorkload(rollupId: 1, accounts: 8, balance: 1_000_000, seed: 3)
        return (0..<n).map { _ in w.next().tx }
    }

    /// Up to the capacity every arrival waits; beyond it each one is refused and counted, and nothing waits longer.
    @Test func fullPoolRefusesAndCounts() {
        var pool = Mempool(capacity: 5)
        let txs = transactions(8)
        for (i, tx) in txs.enumerated() { pool.admit(tx, arrivedMillis: Int64(i)) }
        #expect(pool.count == 5 && pool.isFull && pool.refused == 3)
        #expect(pool.waiting.map(\.tx) == Array(txs.prefix(5)))
        pool.refuse()
        #expect(pool.refused == 4 && pool.count == 5)
    }

    /// Blocks take the oldest first, at most the limit; room frees up for new arrivals.
    @Test func blocksTakeTheOldestFirst() {
        var pool = Mempool(capacity: 4)
        let txs = transactions(6)
        for (i, tx) in txs.prefix(4).enumerated() { pool.admit(tx, arrivedMillis: Int64(10 * i)) }
        let block = pool.take(3)
        #expect(block.map(\.tx) == Array(txs.prefix(3)) && block.map(\.arrivedMillis) == [0, 10, 20])
        #expect(pool.take(0).isEmpty && pool.take(-1).isEmpty && pool.count == 1)
        pool.admit(txs[4], arrivedMillis: 40); pool.admit(txs[5], arrivedMillis: 50)
        #expect(pool.take(100).map(\.tx) == [txs[3], txs[4], txs[5]] && pool.isEmpty && pool.refused == 0)
    }

    @Test func capacityIsAtLeastOneAndDefaultsToTenBlocks() {
        #expect(Mempool(capacity: 0).capacity == 1)
        #expect(Mempool().capacity == 10 * Devnet.maxBlockTransactions)
    }
}
