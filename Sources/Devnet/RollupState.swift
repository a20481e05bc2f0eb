// A devnet rollup's canonical state, kept by its sequencer: accounts, the outbox of cross-chain messages and
// the chain of blocks. Pure: the sequencer orders transactions, execution nodes check and execute them against
// the witness it sends (ExecutionNode.Executor), and `commit` applies their receipts in order.
import ExecutionNode
import Merkle
import Metalayer
import Wire

public struct RollupState: Sendable, Equatable {
    public let rollupId: UInt64
    public private(set) var height: UInt64 = 0
    public private(set) var parent: Digest = Digest(bytes: [UInt8](repeating: 0, count: 32))!
    public private(set) var accounts: [EthereumAddress: AccountState] = [:]
    /// Every message this rollup has sent, in outbox order (index = position).
    public private(set) var outbox: [CrossChainMessage] = []
    public private(set) var outboxLeaves: [Digest] = []
    /// Messages received from other rollups and credited here.
    public private(set) var inboxCount: UInt64 = 0
    public private(set) var feesCollected: UInt64 = 0

    public init(rollupId: UInt64, genesis: [(EthereumAddress, UInt64)]) {
        self.rollupId = rollupId
        for (a, b) in genesis { accounts[a] = AccountState(balance: b, nonce: 0) }
    }

    public func account(_ a: EthereumAddress) -> AccountState { accounts[a] ?? AccountState(balance: 0, nonce: 0) }

    /// The witnesses for `txs` in order, as if each one before succeeded: what the nodes execute against.
    public func workItems(_ txs: [RollupTransaction]) -> [WorkItem] {
        var view = self
        return txs.map { tx in
            let item = WorkItem(tx: tx, sender: view.account(tx.from), recipient: view.account(tx.to))
            let r = Executor.execute(item, checkSignature: false)   // the nodes check signatures
            if r.status == .applied { view.set(r, of: tx) }
            return item
        }
    }

    mutating func set(_ r: Receipt, of tx: RollupTransaction) {
        accounts[tx.from] = r.senderAfter
        if tx.destinationRollup == 0, tx.to != tx.from { accounts[tx.to] = r.recipientAfter }
    }

    /// What a block commit did.
    public struct Commit: Sendable {
        public var block: [UInt8]
        public var applied: [RollupTransaction]
        /// Positions in the committed items of the applied transactions.
        public var appliedIndices: [Int]
        public var rejected: Int
        /// Receipts whose witness an earlier change had made stale, re-executed here in order (as Block-STM
        /// re-validates reads): the node's answer is only kept when its witness is still the state.
        public var reExecuted: Int
        public var messages: [CrossChainMessage]
        public var fees: UInt64
    }

    /// Applies the nodes' receipts in order and seals the block at `height + 1`. `items` are the witnesses the
    /// nodes executed against (from `workItems`), one receipt each.
    public mutating func commit(_ items: [WorkItem], receipts: [Receipt], timestampMillis: UInt64) -> Commit {
        precondition(items.count == receipts.count, "one receipt per transaction")
        var applied = [RollupTransaction](), appliedIndices = [Int](), messages = [CrossChainMessage](), rejected = 0, reExecuted = 0, fees: UInt64 = 0
        for (index, (item, r0)) in zip(items, receipts).enumerated() {
            var r = r0
            let tx = item.tx
            let now = WorkItem(tx: tx, sender: account(tx.from), recipient: account(tx.to))
            if r.status != .badSignature, now.sender != item.sender || (tx.destinationRollup == 0 && now.recipient != item.recipient) {
                // The witness went stale (an earlier transaction was rejected): decide on the state itself.
                // The node already checked the signature.
                r = Executor.execute(now, checkSignature: false)
                reExecuted += 1
            }
            guard r.status == .applied else { rejected += 1; continue }
            set(r, of: tx)
            applied.append(tx); appliedIndices.append(index)
            fees &+= tx.fee
            if tx.destinationRollup != 0 {
                let m = CrossChainMessage(source: rollupId, destination: tx.destinationRollup, nonce: UInt64(outbox.count),
                                          sender: tx.from.bytes, recipient: tx.to.bytes, payload: Self.messagePayload(tx))
                outbox.append(m); outboxLeaves.append(m.leafHash); messages.append(m)
            }
        }
        feesCollected &+= fees
        height += 1
        let block = encodeBlock(applied, timestampMillis: timestampMillis)
        parent = Keccak256.hash(block)
        return Commit(block: block, applied: applied, appliedIndices: appliedIndices, rejected: rejected, reExecuted: reExecuted, messages: messages, fees: fees)
    }

    /// A message's payload: the value carried (u64) then the first bytes of the transaction's call data.
    static func messagePayload(_ tx: RollupTransaction) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.u64(tx.value); w.raw(Array(tx.payload.prefix(Self.messageDataBytes)))
        return w.bytes
    }
    public static let messageDataBytes = 96

    /// Credits a message proven to come from another rollup's outbox (value = the payload's first u64).
    public mutating func deliver(_ m: CrossChainMessage) {
        guard m.destination == rollupId, m.payload.count >= 8, let to = EthereumAddress(bytes: m.recipient) else { return }
        let value = m.payload.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var a = account(to)
        let (sum, overflow) = a.balance.addingReportingOverflow(value)
        a.balance = overflow ? .max : sum
        accounts[to] = a
        inboxCount += 1
    }

    /// An RFC 6962 tree over the accounts, sorted by address: leaf = address ‖ balance ‖ nonce.
    public var stateRoot: Digest {
        let leaves: [[UInt8]] = accounts.keys.sorted().map { a in
            var w = ByteWriter(endianness: .big)
            let s = accounts[a]!
            w.raw(a.bytes); w.u64(s.balance); w.u64(s.nonce)
            return w.bytes
        }
        return MerkleTree(leaves: leaves).root
    }

    public var outboxRoot: Digest { MerkleTree(leafHashes: outboxLeaves).root }

    /// The report a sequencer signs for the current height.
    public var entry: RollupEntry {
        RollupEntry(rollupId: rollupId, height: height, stateRoot: stateRoot, outboxRoot: outboxRoot, outboxSize: UInt64(outbox.count))
    }

    /// Block bytes (docs/devnet.md, "Blocks"): magic "CDB1", rollup, height, parent, timestamp, tx count, then
    /// each transaction length-prefixed in its wire encoding.
    func encodeBlock(_ txs: [RollupTransaction], timestampMillis: UInt64) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(Array("CDB1".utf8)); w.u64(rollupId); w.u64(height); w.raw(parent.bytes); w.u64(timestampMillis)
        w.varint(UInt64(txs.count))
        for t in txs { w.lengthPrefixed(t.encoded()) }
        return w.bytes
    }

    // MARK: persistence (the sequencer's state between runs)

    /// accounts (count, then address ‖ balance ‖ nonce sorted), height, parent, inbox count, fees.
    public var encodedAccounts: [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.u64(height); w.raw(parent.bytes); w.u64(inboxCount); w.u64(feesCollected)
        w.varint(UInt64(accounts.count))
        for a in accounts.keys.sorted() { w.raw(a.bytes); w.u64(accounts[a]!.balance); w.u64(accounts[a]!.nonce) }
        return w.bytes
    }

    public init(rollupId: UInt64, encodedAccounts bytes: [UInt8], outbox: [CrossChainMessage]) throws(WireError) {
        self.rollupId = rollupId
        var r = ByteReader<WireError>(bytes, endianness: .big)
        height = try r.u64("height"); parent = Digest(bytes: try r.take(32, "parent"))!
        inboxCount = try r.u64("inbox"); feesCollected = try r.u64("fees")
        let n = try r.count("accounts", max: 1 << 20)
        for _ in 0..<n {
            let a = EthereumAddress(bytes: Array(try r.take(20, "address")))!
            accounts[a] = AccountState(balance: try r.u64("balance"), nonce: try r.u64("nonce"))
        }
        try r.finish()
        self.outbox = outbox
        outboxLeaves = outbox.map(\.leafHash)
    }
}

