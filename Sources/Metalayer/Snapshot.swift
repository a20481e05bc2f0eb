import Foundation
import Merkle

/// Limits every decoder enforces (docs/proof-format.md, "Limits").
public enum ProofLimits {
    public static let maxGuardians: UInt64 = 1024
    public static let maxPathLength: UInt64 = 64
    public static let maxMessageBytes: UInt64 = 64 * 1024
    public static let maxEntriesInMeta: UInt64 = 1 << 16
    public static let maxMessagesInMeta: UInt64 = 1 << 20
    public static let maxMultiproofHashes: UInt64 = 1 << 22
    public static let maxMetaBodyBytes: UInt64 = 256 << 20
}

/// One rollup's state at a height, as the snapshot commits to it. The state commitment binds the
/// rollup's own state root and the root and size of its outbox of cross-chain messages.
public struct RollupEntry: Equatable, Hashable, Sendable {
    public var rollupId: UInt64
    public var height: UInt64
    public var stateRoot: Digest
    public var outboxRoot: Digest
    public var outboxSize: UInt64

    public init(rollupId: UInt64, height: UInt64, stateRoot: Digest, outboxRoot: Digest, outboxSize: UInt64) {
        self.rollupId = rollupId; self.height = height; self.stateRoot = stateRoot
        self.outboxRoot = outboxRoot; self.outboxSize = outboxSize
    }

    static let commitmentTag = Array("caldera/state-commitment/v1".utf8)
    static let encodedSize = 88

    /// SHA-256("caldera/state-commitment/v1" ‖ rollupId ‖ height ‖ stateRoot ‖ outboxRoot ‖ outboxSize).
    public var stateCommitment: Digest {
        var w = ByteWriter(endianness: .big)
        w.raw(RollupEntry.commitmentTag)
        encode(&w)
        return SHA256.hash(w.bytes)
    }

    /// The snapshot tree's leaf data: rollupId ‖ height ‖ stateCommitment (48 bytes).
    public var snapshotLeafData: [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.u64(rollupId); w.u64(height); w.digest(stateCommitment)
        return w.bytes
    }

    public var snapshotLeafHash: Digest { MerkleHash.leaf(snapshotLeafData) }

    func encode(_ w: inout ByteWriter) {
        w.u64(rollupId); w.u64(height); w.digest(stateRoot); w.digest(outboxRoot); w.u64(outboxSize)
    }

    static func decode(_ r: inout ByteReader) throws(DecodeError) -> RollupEntry {
        RollupEntry(rollupId: try r.u64("entry.rollupId"), height: try r.u64("entry.height"),
                    stateRoot: try r.digest("entry.stateRoot"), outboxRoot: try r.digest("entry.outboxRoot"),
                    outboxSize: try r.u64("entry.outboxSize"))
    }
}

/// What guardians sign: one snapshot of all rollups' state commitments. Built by `Snapshot` (which computes
/// the root and count from the entries) or decoded; its memberwise init is the module's own.
public struct SnapshotHeader: Equatable, Hashable, Sendable {
    public var guardianSetId: UInt64
    public var height: UInt64
    /// Milliseconds since the Unix epoch.
    public var timestampMillis: UInt64
    /// Number of entries (the snapshot tree's size).
    public var entryCount: UInt64
    /// RFC 6962 root over the entries sorted by rollup id.
    public var root: Digest

    static let encodedSize = 64
    static let signingTag = Array("caldera/snapshot/v2\0".utf8)

    func encode(_ w: inout ByteWriter) {
        w.u64(guardianSetId); w.u64(height); w.u64(timestampMillis); w.u64(entryCount); w.digest(root)
    }

    static func decode(_ r: inout ByteReader) throws(DecodeError) -> SnapshotHeader {
        SnapshotHeader(guardianSetId: try r.u64("header.guardianSetId"), height: try r.u64("header.height"),
                       timestampMillis: try r.u64("header.timestamp"), entryCount: try r.u64("header.entryCount"),
                       root: try r.digest("header.root"))
    }

    /// The domain-separated bytes behind a guardian's signature (84 bytes):
    /// "caldera/snapshot/v2\0" ‖ set id ‖ height ‖ timestamp ‖ entry count ‖ root.
    public var signingMessage: [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(SnapshotHeader.signingTag)
        encode(&w)
        return w.bytes
    }

    /// What a guardian signs: keccak256(signingMessage), raw (no EIP-191 prefix), so a contract recomputes it
    /// with one keccak256 and hands it to ecrecover.
    public var signingDigest: Digest { Keccak256.hash(signingMessage) }
}

/// A snapshot with its entries and tree: what the metalayer holds between rounds.
public struct Snapshot: Sendable {
    public let header: SnapshotHeader
    public let entries: [RollupEntry]
    public let tree: MerkleTree

    public enum BuildError: Error, Equatable, CustomStringConvertible {
        case duplicateRollup(UInt64)
        case empty
        public var description: String {
            switch self {
            case let .duplicateRollup(id): "rollup \(id) appears twice in one snapshot"
            case .empty: "a snapshot needs at least one rollup"
            }
        }
    }

    /// Sorts entries by rollup id and builds the tree; one entry per rollup.
    public init(guardianSetId: UInt64, height: UInt64, timestampMillis: UInt64, entries: [RollupEntry]) throws(BuildError) {
        guard !entries.isEmpty else { throw .empty }
        let sorted = entries.sorted { $0.rollupId < $1.rollupId }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.rollupId == b.rollupId { throw .duplicateRollup(a.rollupId) }
        self.entries = sorted
        tree = MerkleTree(leafHashes: sorted.map(\.snapshotLeafHash))
        header = SnapshotHeader(guardianSetId: guardianSetId, height: height, timestampMillis: timestampMillis,
                                entryCount: UInt64(sorted.count), root: tree.root)
    }

    /// Position of a rollup in the sorted entries.
    public func index(ofRollup id: UInt64) -> Int? {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].rollupId < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < entries.count && entries[lo].rollupId == id ? lo : nil
    }
}
