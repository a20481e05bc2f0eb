// ExecutionNode: the execution layer as real processes. Signed rollup transactions (this file), the pure
// executor (Executor), the node protocol's frames (NodeFrame), one node as a process (NodeProcess), the
// dispatcher that feeds nodes over loopback TCP (Dispatcher), the provisioner seam with its local-process
// implementation (Provisioner) and the glue from dispatcher statistics to the scheduler's policy (Autoscaler).
// Spec: docs/execution.md, "Transactions and the node protocol".
import Merkle
import Metalayer
import Wire

/// Why transaction, work-item, receipt or frame bytes were refused.
public struct NodeWireError: Error, Equatable, Sendable, CustomStringConvertible, WireErrorConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public init(_ wire: WireError) { message = wire.description }
    public var description: String { message }
}

typealias NodeReader = ByteReader<NodeWireError>

/// A signed transfer on one rollup, optionally carrying a cross-chain message to another rollup's inbox.
public struct RollupTransaction: Hashable, Sendable {
    public var rollupId: UInt64
    public var from: EthereumAddress
    public var to: EthereumAddress
    public var value: UInt64
    public var nonce: UInt64
    public var fee: UInt64
    /// 0: a transfer on `rollupId`. Otherwise a cross-chain message: `value` leaves to the outbox and the
    /// payload goes to that rollup's inbox.
    public var destinationRollup: UInt64
    public var payload: [UInt8]
    public var signature: Secp256k1.Signature

    /// Largest payload, bytes.
    public static let maxPayloadBytes = 64 << 10
    static let domainTag = Array("caldera/tx/v1\0".utf8)
    /// Fixed part of the encoding: six u64s, two addresses, the u32 payload length, the signature.
    static let fixedBytes = 6 * 8 + 2 * 20 + 4 + Secp256k1.Signature.byteCount
    public static let maxEncodedBytes = fixedBytes + maxPayloadBytes

    public init(rollupId: UInt64, from: EthereumAddress, to: EthereumAddress, value: UInt64, nonce: UInt64, fee: UInt64,
                destinationRollup: UInt64 = 0, payload: [UInt8] = [], signature: Secp256k1.Signature) {
        self.rollupId = rollupId; self.from = from; self.to = to; self.value = value; self.nonce = nonce; self.fee = fee
        self.destinationRollup = destinationRollup; self.payload = payload; self.signature = signature
    }

    /// A transaction signed by `key` (`from` is the key's address). The payload must be ≤ `maxPayloadBytes`.
    public static func signed(by key: Secp256k1.PrivateKey, rollupId: UInt64, to: EthereumAddress, value: UInt64, nonce: UInt64,
                              fee: UInt64, destinationRollup: UInt64 = 0, payload: [UInt8] = []) -> RollupTransaction {
        precondition(payload.count <= maxPayloadBytes, "payload above \(maxPayloadBytes) bytes")
        var tx = RollupTransaction(rollupId: rollupId, from: key.address, to: to, value: value, nonce: nonce, fee: fee,
                                   destinationRollup: destinationRollup, payload: payload,
                                   signature: Secp256k1.Signature(bytes: [UInt8](repeating: 0, count: 65))!)
        tx.signature = key.sign(digest: tx.signingDigest)
        return tx
    }

    public var isCrossChain: Bool { destinationRollup != 0 }

    /// The fields as the encoding lays them out before the signature.
    private func writeBody(_ w: inout ByteWriter) {
        w.u64(rollupId); w.raw(from.bytes); w.raw(to.bytes); w.u64(value); w.u64(nonce); w.u64(fee); w.u64(destinationRollup)
        w.lengthPrefixed(payload, width: UInt32.self)
    }

    /// What the sender signs: Keccak-256 of "caldera/tx/v1\0" ‖ the body (every field but the signature).
    public var signingDigest: Digest {
        var w = ByteWriter(endianness: .big)
        w.raw(RollupTransaction.domainTag)
        writeBody(&w)
        return Keccak256.hash(w.bytes)
    }

    /// Keccak-256 of the full encoding: the transaction's identity in receipts.
    public var hash: Digest { Keccak256.hash(encoded()) }

    public func encode(into w: inout ByteWriter) {
        writeBody(&w)
        w.raw(signature.bytes)
    }

    public func encoded() -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        encode(into: &w)
        return w.bytes
    }

    static func read(_ r: inout NodeReader) throws(NodeWireError) -> RollupTransaction {
        let rollupId = try r.u64("rollupId")
        let from = EthereumAddress(bytes: Array(try r.take(20, "from")))!
        let to = EthereumAddress(bytes: Array(try r.take(20, "to")))!
        let value = try r.u64("value"), nonce = try r.u64("nonce"), fee = try r.u64("fee"), destination = try r.u64("destinationRollup")
        let payload = try r.lengthPrefixed("payload", width: UInt32.self, max: maxPayloadBytes)
        let signature = Secp256k1.Signature(bytes: Array(try r.take(Secp256k1.Signature.byteCount, "signature")))!
        return RollupTransaction(rollupId: rollupId, from: from, to: to, value: value, nonce: nonce, fee: fee,
                                 destinationRollup: destination, payload: payload, signature: signature)
    }

    /// Strict: exactly one transaction, no trailing bytes.
    public static func decode(_ bytes: [UInt8]) throws(NodeWireError) -> RollupTransaction {
        var r = NodeReader(bytes, endianness: .big, context: "transaction")
        let tx = try read(&r)
        try r.finish()
        return tx
    }
}
