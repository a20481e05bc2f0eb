import Merkle
import Metalayer

/// The sequencer's canonical accounts for a stream of signed transfers: builds each transaction's witness from
/// the state and applies the receipt back. Seeded and deterministic, so a test, the devnet and a measurement
/// make the same transactions from the same seed.
public struct TransferWorkload: Sendable {
    public let rollupId: UInt64
    public let keys: [Secp256k1.PrivateKey]
    public private(set) var accounts: [EthereumAddress: AccountState]
    var rng: SplitMix64

    /// `accounts` keys derived from `seed`, each starting with `balance`.
    public init(rollupId: UInt64, accounts: Int, balance: UInt64, seed: UInt64) {
        precondition(accounts >= 2)
        self.rollupId = rollupId
        var seedBytes = [UInt8](repeating: 0, count: 8)
        for i in 0..<8 { seedBytes[i] = UInt8(truncatingIfNeeded: seed >> (8 * (7 - i))) }
        keys = (0..<accounts).map { Secp256k1.PrivateKey.derived(seed: Array("caldera/transfers".utf8) + seedBytes, index: UInt64($0)) }
        self.accounts = Dictionary(uniqueKeysWithValues: keys.map { ($0.address, AccountState(balance: balance, nonce: 0)) })
        rng = SplitMix64(seed: seed)
    }

    public func account(_ a: EthereumAddress) -> AccountState { accounts[a] ?? AccountState(balance: 0, nonce: 0) }

    /// A transaction's witness from the current state.
    public func workItem(_ tx: RollupTransaction) -> WorkItem {
        WorkItem(tx: tx, sender: account(tx.from), recipient: account(tx.to))
    }

    /// What a refused transaction is made to fail on (`nil`: a valid transfer).
    public enum Fault: CaseIterable, Sendable { case badSignature, badNonce, insufficientFunds }

    /// The next transfer between two random accounts, valid unless `fault` says otherwise; one in eight is a
    /// cross-chain message to rollup `rollupId + 1`.
    public mutating func next(fault: Fault? = nil) -> WorkItem {
        let i = Int.random(in: 0..<keys.count, using: &rng)
        var j = Int.random(in: 0..<(keys.count - 1), using: &rng)
        if j >= i { j += 1 }
        let key = keys[i], sender = account(key.address)
        let crossChain = UInt64.random(in: 0..<8, using: &rng) == 0
        var value = UInt64.random(in: 1...1_000, using: &rng)
        var nonce = sender.nonce
        switch fault {
        case .badNonce: nonce &+= 1 + UInt64.random(in: 0..<3, using: &rng)
        case .insufficientFunds: value = sender.balance &+ 1
        case .badSignature, nil: break
        }
        var tx = RollupTransaction.signed(by: key, rollupId: rollupId, to: keys[j].address, value: value, nonce: nonce, fee: 1,
                                          destinationRollup: crossChain ? rollupId + 1 : 0, payload: crossChain ? rng.bytes(32) : [])
        if fault == .badSignature { tx.value &+= 1 } // signed over another value: recovers to some other address
        return workItem(tx)
    }

    /// Applies a receipt of `item` (the receipt's post-states become canonical).
    public mutating func apply(_ receipt: Receipt, of item: WorkItem) {
        guard receipt.status == .applied else { return }
        accounts[item.tx.from] = receipt.senderAfter
        if !item.tx.isCrossChain { accounts[item.tx.to] = receipt.recipientAfter }
    }
}
