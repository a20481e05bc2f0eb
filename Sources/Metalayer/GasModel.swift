import Merkle

/// L1 verification gas, from published Ethereum constants (docs/proof-format.md cites each):
/// - 21,000 per transaction (Yellow Paper G_transaction);
/// - calldata 16 gas per non-zero byte, 4 per zero byte (EIP-2028), with EIP-7623's floor:
///   tokens = zero bytes + 4 × non-zero bytes; gas = 21,000 + max(4 × tokens + execution, 10 × tokens);
/// - SHA-256 precompile: 60 + 12 per 32-byte word (Yellow Paper, precompile 0x02);
/// - per certificate signature 3,000 by default: the ecrecover precompile (0x01) a contract calls on each
///   guardian's r ‖ s ‖ v (the address comparison and stake sum are not counted).
/// A documented cross-check: measured gas on a real EVM is the next phase's figure.
/// Application work (marking a message delivered, executing it) is the same either way and excluded.
public struct GasModel: Sendable {
    public var transactionBase = 21_000
    public var standardTokenCost = 4
    public var floorTokenCost = 10
    public var sha256Base = 60
    public var sha256PerWord = 12
    public var perSignature = 3_000

    public init() {}

    public func tokens(_ calldata: [UInt8]) -> Int {
        calldata.reduce(0) { $0 + ($1 == 0 ? 1 : 4) }
    }

    public func sha256(_ bytes: Int) -> Int { sha256Base + sha256PerWord * ((bytes + 31) / 32) }

    /// One transaction carrying `calldata` and spending `execution` gas.
    public func transaction(calldata: [UInt8], execution: Int) -> Int {
        let t = tokens(calldata)
        return transactionBase + max(standardTokenCost * t + execution, floorTokenCost * t)
    }

    /// Verifying one individual proof in its own transaction.
    public func individual(_ p: CrossChainProof) -> Int {
        var exec = sha256(1 + p.message.encoded.count)                     // message leaf
        exec += (p.outboxPath.count + p.snapshotPath.count) * sha256(65)    // path nodes
        exec += sha256(RollupEntry.commitmentTag.count + RollupEntry.encodedSize) + sha256(49) // commitment, entry leaf
        exec += p.certificate.signers.count * perSignature
        return transaction(calldata: p.encoded, execution: exec)
    }

    /// Verifying a meta-proof in one transaction (uncompressed encoding: zstd on the EVM would cost more than it saves).
    public func meta(_ m: MetaProof) -> Int {
        var exec = 0
        for r in m.rollups {
            for msg in r.messages { exec += sha256(1 + msg.encoded.count) }
            exec += Multiproof.nodeHashCount(size: r.entry.outboxSize, indices: r.messageIndices) * sha256(65)
            exec += sha256(RollupEntry.commitmentTag.count + RollupEntry.encodedSize) + sha256(49)
        }
        exec += Multiproof.nodeHashCount(size: m.header.entryCount, indices: m.rollups.map(\.entryIndex)) * sha256(65)
        exec += m.certificate.signers.count * perSignature
        return transaction(calldata: m.encoded(compression: .none), execution: exec)
    }
}

extension Multiproof {
    /// Node hashes a verifier computes for these leaves (every parent that is not a promoted lone node).
    public static func nodeHashCount(size: UInt64, indices: [UInt64]) -> Int {
        var n = 0
        try? walk(size: size, indices: indices, needed: { _, _ in }) { _, x, levelSize in
            if !(x & 1 == 0 && x + 1 >= levelSize) { n += 1 }
        }
        return n
    }
}
