// A rollup sequencer's mempool: arrivals wait here in order until a block takes them. It is bounded, as
// geth's transaction pool is (`GlobalSlots`), so that load beyond what the execution layer can serve is refused
// at the door and counted, instead of growing the devnet's memory without limit.
import ExecutionNode

public struct Mempool: Sendable {
    /// Pending transactions per rollup: ten full blocks (5 s of the busiest allowed arrival rate at 500 ms blocks).
    public static let defaultCapacity = 10 * Devnet.maxBlockTransactions

    public let capacity: Int
    public private(set) var waiting: [(tx: RollupTransaction, arrivedMillis: Int64)] = []
    /// Arrivals refused because the pool was full.
    public private(set) var refused = 0

    public init(capacity: Int = Mempool.defaultCapacity) { self.capacity = max(1, capacity) }

    public var count: Int { waiting.count }
    public var isEmpty: Bool { waiting.isEmpty }
    public var isFull: Bool { waiting.count >= capacity }

    /// Takes `tx` if there is room; a refusal is counted and the transaction is not built (the caller asks
    /// `isFull` first, so a refused arrival costs no signature).
    public mutating func admit(_ tx: RollupTransaction, arrivedMillis: Int64) {
        guard !isFull else { refused += 1; return }
        waiting.append((tx, arrivedMillis))
    }

    /// Counts an arrival refused before its transaction was built.
    public mutating func refuse() { refused += 1 }

    /// The oldest `limit` transactions, removed: the next block's content.
    public mutating func take(_ limit: Int) -> [(tx: RollupTransaction, arrivedMillis: Int64)] {
        let n = min(max(0, limit), waiting.count)
        let block = Array(waiting.prefix(n))
        waiting.removeFirst(n)
        return block
    }
}
