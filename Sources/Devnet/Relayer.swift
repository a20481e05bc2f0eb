// The devnet's relayer: for each committed snapshot, every outbox message the snapshot newly covers goes into
// one meta-proof (one certificate, multiproofs), which each destination rollup decodes from bytes and verifies
// before crediting the messages. Pure: snapshots and outboxes in, batches out.
import Consensus
import Merkle
import Metalayer

public struct RelayBatch: Sendable {
    public var height: UInt64
    public var encoded: [UInt8]
    /// The same messages as separate cross-chain proofs, each with its own certificate (what a relayer
    /// without meta-proofs sends).
    public var separateBytes: Int
    public var messages: [CrossChainMessage]
    /// One encoded individual proof, kept to measure on the EVM what a single message costs alone.
    public var sampleProof: [UInt8]?
}

/// Why a snapshot was not relayed or a destination refused a batch (the stage, then the reason).
public struct RelayError: Error, CustomStringConvertible {
    public var description: String
    static func certificate(_ m: String) -> RelayError { RelayError(description: "committed snapshot rejected: \(m)") }
    static func build(_ m: String) -> RelayError { RelayError(description: "cannot build the meta-proof: \(m)") }
    static func verify(_ m: String) -> RelayError { RelayError(description: "the destination rejected the meta-proof: \(m)") }
}

public struct Relayer: Sendable {
    public let guardians: GuardianSet
    /// Highest snapshot height relayed.
    public private(set) var height: UInt64
    /// Per source rollup: messages below this outbox index have been relayed.
    public private(set) var relayed: [UInt64: UInt64]

    public init(guardians: GuardianSet, height: UInt64 = 0, relayed: [UInt64: UInt64] = [:]) {
        self.guardians = guardians; self.height = height; self.relayed = relayed
    }

    /// The batch for `c` (nil when it is old, or covers nothing new). `outboxes`: each source rollup's messages
    /// so far, in outbox order (the relayer watches them; a snapshot never covers more than was sent).
    public mutating func relay(_ c: CommittedSnapshot, outboxes: [UInt64: [CrossChainMessage]]) throws(RelayError) -> RelayBatch? {
        guard c.height > height else { return nil }
        guard let qc = c.certificate.quorumCertificate else { throw .certificate("a signature is not 65 bytes") }
        do { try qc.verify(header: c.value.header, set: guardians) } catch { throw .certificate("\(error)") }
        height = c.height
        let snapshot = c.value.snapshot
        var proofs = [CrossChainProof]()
        for (entryIndex, e) in snapshot.entries.enumerated() {
            let from = relayed[e.rollupId] ?? 0
            guard e.outboxSize > from, let all = outboxes[e.rollupId], all.count >= Int(e.outboxSize) else { continue }
            let tree = MerkleTree(leafHashes: all.prefix(Int(e.outboxSize)).map(\.leafHash))
            guard tree.root == e.outboxRoot else { throw .build("rollup \(e.rollupId)'s outbox does not match its committed root") }
            let snapshotPath: [Digest]
            do { snapshotPath = try snapshot.tree.inclusionProof(index: entryIndex).path } catch { throw .build("\(error)") }
            for i in from..<e.outboxSize {
                let path: [Digest]
                do { path = try tree.inclusionProof(index: Int(i)).path } catch { throw .build("\(error)") }
                proofs.append(CrossChainProof(header: snapshot.header, certificate: qc, entry: e, entryIndex: UInt64(entryIndex),
                                              snapshotPath: snapshotPath, messageIndex: i, message: all[Int(i)], outboxPath: path))
            }
            relayed[e.rollupId] = e.outboxSize
        }
        guard !proofs.isEmpty else { return nil }
        let meta: MetaProof
        do { meta = try MetaProof(proofs: proofs) } catch { throw .build("\(error)") }
        return RelayBatch(height: c.height, encoded: meta.encoded(),
                          separateBytes: proofs.reduce(0) { $0 + $1.encoded.count }, messages: proofs.map(\.message),
                          sampleProof: proofs.first?.encoded)
    }

    /// What a destination does with the bytes it is handed: decode strictly, verify paths and certificate, and
    /// return the messages addressed to it.
    public static func receive(_ bytes: [UInt8], destination: UInt64, guardians: GuardianSet) throws(RelayError) -> [CrossChainMessage] {
        let meta: MetaProof
        do { meta = try MetaProof(encoded: bytes) } catch { throw .verify("\(error)") }
        do { try meta.verify(guardians: guardians) } catch { throw .verify("\(error)") }
        return meta.rollups.flatMap(\.messages).filter { $0.destination == destination }
    }
}
