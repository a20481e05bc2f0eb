import Merkle
import Wire

/// One account as a node sees it: what the sequencer's canonical state says before the transaction.
public struct AccountState: Hashable, Sendable {
    public var balance: UInt64
    public var nonce: UInt64
    public init(balance: UInt64, nonce: UInt64) { self.balance = balance; self.nonce = nonce }

    func write(_ w: inout ByteWriter) { w.u64(balance); w.u64(nonce) }
    static func read(_ r: inout NodeReader, _ field: String) throws(NodeWireError) -> AccountState {
        AccountState(balance: try r.u64("\(field) balance"), nonce: try r.u64("\(field) nonce"))
    }
}

/// A transaction with its witness: the sequencer keeps the canonical state and sends the pre-states of the two
/// accounts it touches, as a stateless client receives a witness. For a self-transfer both are the same account.
public struct WorkItem: Hashable, Sendable {
    public var tx: RollupTransaction
    public var sender: AccountState
    public var recipient: AccountState
    public init(tx: RollupTransaction, sender: AccountState, recipient: AccountState) { self.tx = tx; self.sender = sender; self.recipient = recipient }

    public static let maxEncodedBytes = RollupTransaction.maxEncodedBytes + 32

    func write(_ w: inout ByteWriter) { tx.encode(into: &w); sender.write(&w); recipient.write(&w) }
    static func read(_ r: inout NodeReader) throws(NodeWireError) -> WorkItem {
        WorkItem(tx: try RollupTransaction.read(&r), sender: try AccountState.read(&r, "sender"), recipient: try AccountState.read(&r, "recipient"))
    }
}

/// What executing a transaction did. A refused transaction leaves both accounts as they were and charges nothing.
public struct Receipt: Hashable, Sendable {
    public enum Status: UInt8, Sendable, CaseIterable {
        case applied = 0
        /// The signature does not recover to `from` (or is not a valid signature at all).
        case badSignature = 1
        case badNonce = 2
        /// balance < value + fee (including a value + fee that does not fit in 64 bits).
        case insufficientFunds = 3
        /// The recipient's balance or the sender's nonce would pass 2^64 − 1.
        case overflow = 4
    }
    public var txHash: Digest
    public var status: Status
    public var senderAfter: AccountState
    public var recipientAfter: AccountState
    /// Fee charged (0 unless applied).
    public var fee: UInt64
    public init(txHash: Digest, status: Status, senderAfter: AccountState, recipientAfter: AccountState, fee: UInt64) {
        self.txHash = txHash; self.status = status; self.senderAfter = senderAfter; self.recipientAfter = recipientAfter; self.fee = fee
    }

    static let encodedBytes = 32 + 1 + 4 * 8 + 8

    func write(_ w: inout ByteWriter) {
        w.raw(txHash.bytes); w.u8(status.rawValue); senderAfter.write(&w); recipientAfter.write(&w); w.u64(fee)
    }
    static func read(_ r: inout NodeReader) throws(NodeWireError) -> Receipt {
        let hash = Digest(bytes: try r.take(32, "receipt txHash"))!
        let code = try r.u8("receipt status")
        guard let status = Status(rawValue: code) else { throw NodeWireError("receipt status \(code) is not 0…4") }
        return Receipt(txHash: hash, status: status, senderAfter: try AccountState.read(&r, "receipt sender"),
                       recipientAfter: try AccountState.read(&r, "receipt recipient"), fee: try r.u64("receipt fee"))
    }
}

/// The pure state transition a node applies: no clock, no I/O, no trap on any input.
public enum Executor {
    /// `checkSignature: false` is for a sequencer previewing witnesses, or re-deciding a transaction whose
    /// signature a node already checked.
    public static func execute(_ item: WorkItem, checkSignature: Bool = true) -> Receipt {
        let tx = item.tx, s = item.sender, r = item.recipient
        let selfTransfer = tx.from == tx.to
        func refused(_ status: Receipt.Status) -> Receipt {
            Receipt(txHash: tx.hash, status: status, senderAfter: s, recipientAfter: selfTransfer ? s : r, fee: 0)
        }
        if checkSignature {
            guard let signer = try? tx.signature.recover(digest: tx.signingDigest), signer == tx.from else { return refused(.badSignature) }
        }
        guard tx.nonce == s.nonce else { return refused(.badNonce) }
        let (cost, costOverflow) = tx.value.addingReportingOverflow(tx.fee)
        guard !costOverflow, s.balance >= cost else { return refused(.insufficientFunds) }
        let (nextNonce, nonceOverflow) = s.nonce.addingReportingOverflow(1)
        guard !nonceOverflow else { return refused(.overflow) }
        var sender = AccountState(balance: s.balance - cost, nonce: nextNonce)
        var recipient = r
        if tx.isCrossChain {
            // The value leaves this rollup through the outbox; the recipient lives on the destination rollup.
        } else if selfTransfer {
            sender.balance += tx.value // cannot overflow: it was part of the balance a moment ago
            recipient = sender
        } else {
            let (credited, overflow) = r.balance.addingReportingOverflow(tx.value)
            guard !overflow else { return refused(.overflow) }
            recipient.balance = credited
        }
        if selfTransfer { recipient = sender }
        return Receipt(txHash: tx.hash, status: .applied, senderAfter: sender, recipientAfter: recipient, fee: tx.fee)
    }
}
