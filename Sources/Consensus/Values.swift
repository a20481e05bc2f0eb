// Consensus: guardians agree, slot by slot, on one snapshot of every rollup's state, and certify it with
// the Metalayer's QuorumCertificate over the Metalayer's SnapshotHeader. The algorithm is Tendermint
// (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", arXiv:1807.04938, Algorithm 1) with
// stake-weighted quorums, followed by one certification step; docs/consensus.md states it and sketches
// the safety argument. `GuardianCore` is a pure state machine (inputs and the time in, `Ready` out);
// the simulator (`Simulation`) and the TCP shell drive the same code.
import Merkle
import Metalayer
import Wire

/// A rollup's state at a height, signed by the rollup's sequencer: what guardians put into snapshots.
public struct RollupReport: Equatable, Hashable, Sendable {
    public var entry: RollupEntry
    public var signature: [UInt8]
    public init(entry: RollupEntry, signature: [UInt8]) { self.entry = entry; self.signature = signature }

    static let tag = Array("caldera/rollup-report/v1\0".utf8)
    /// The bytes a sequencer signs: tag ‖ rollupId ‖ height ‖ stateRoot ‖ outboxRoot ‖ outboxSize.
    public static func signingMessage(_ e: RollupEntry) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(tag); Codec.entry(e, &w)
        return w.bytes
    }
}

/// What a round decides: the snapshot (header and entries) with the sequencers' signatures on each entry.
/// Its identity is the SHA-256 of the header's signing message, which commits to every entry.
public struct SnapshotValue: Equatable, Sendable {
    public let snapshot: Snapshot
    /// One report per entry, in the snapshot's (rollup id) order.
    public let reports: [RollupReport]
    public let id: Digest

    public var header: SnapshotHeader { snapshot.header }

    public init(guardianSetId: UInt64, height: UInt64, timestampMillis: UInt64, reports: [RollupReport]) throws(Snapshot.BuildError) {
        let sorted = reports.sorted { $0.entry.rollupId < $1.entry.rollupId }
        snapshot = try Snapshot(guardianSetId: guardianSetId, height: height, timestampMillis: timestampMillis, entries: sorted.map(\.entry))
        self.reports = sorted
        id = SHA256.hash(snapshot.header.signingMessage)
    }

    public static func == (a: SnapshotValue, b: SnapshotValue) -> Bool { a.id == b.id && a.reports == b.reports }
}

public enum VoteKind: UInt8, Sendable, CaseIterable { case prevote = 1, precommit = 2 }

/// A prevote or precommit for a value id, or for nothing (`value == nil`), signed by the voter.
public struct Vote: Equatable, Hashable, Sendable {
    public var kind: VoteKind
    public var setId: UInt64
    public var height: UInt64
    public var round: UInt32
    public var value: Digest?
    public var voter: Int
    public var signature: [UInt8]

    public init(kind: VoteKind, setId: UInt64, height: UInt64, round: UInt32, value: Digest?, voter: Int, signature: [UInt8]) {
        self.kind = kind; self.setId = setId; self.height = height; self.round = round; self.value = value
        self.voter = voter; self.signature = signature
    }

    static let tag = Array("caldera/consensus-vote/v1\0".utf8)
    /// tag ‖ kind ‖ setId ‖ height ‖ round ‖ (0 | 1 ‖ value)
    public var signingMessage: [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(Vote.tag); w.u8(kind.rawValue); w.u64(setId); w.u64(height); w.u32(round)
        if let value { w.u8(1); w.raw(value.bytes) } else { w.u8(0) }
        return w.bytes
    }
}

/// A proposer's value for one round, with the round in which it last saw a polka for it (-1: none).
public struct Proposal: Equatable, Sendable {
    public var setId: UInt64
    public var height: UInt64
    public var round: UInt32
    public var validRound: Int64
    public var value: SnapshotValue
    public var proposer: Int
    public var signature: [UInt8]
    /// With `validRound ≥ 0`: the prevotes of that round for this value (each signed by its voter).
    public var justification: [Vote] = []

    public init(setId: UInt64, height: UInt64, round: UInt32, validRound: Int64, value: SnapshotValue, proposer: Int, signature: [UInt8], justification: [Vote] = []) {
        self.setId = setId; self.height = height; self.round = round; self.validRound = validRound; self.value = value
        self.proposer = proposer; self.signature = signature; self.justification = justification
    }

    static let tag = Array("caldera/consensus-proposal/v1\0".utf8)
    /// tag ‖ setId ‖ height ‖ round ‖ validRound ‖ value id
    public var signingMessage: [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(Proposal.tag); w.u64(setId); w.u64(height); w.u32(round); w.i64(validRound); w.raw(value.id.bytes)
        return w.bytes
    }
}

/// A guardian's signature over a decided snapshot's header: the piece certificates are made of.
/// An honest guardian makes one per height, only after deciding (docs/consensus.md, "Certification").
public struct Share: Equatable, Hashable, Sendable {
    public var height: UInt64
    public var value: Digest
    public var signer: Int
    public var signature: [UInt8]
    public init(height: UInt64, value: Digest, signer: Int, signature: [UInt8]) {
        self.height = height; self.value = value; self.signer = signer; self.signature = signature
    }
}

/// Shares of a quorum over one header, in position order: the Metalayer's `QuorumCertificate` when the
/// guardians sign with its scheme (`quorumCertificate`); the simulator's cheaper signatures have the same shape.
public struct ShareCertificate: Equatable, Hashable, Sendable {
    public var guardianCount: Int
    public var signers: [Int]
    public var signatures: [[UInt8]]
    public init(guardianCount: Int, signers: [Int], signatures: [[UInt8]]) {
        self.guardianCount = guardianCount; self.signers = signers; self.signatures = signatures
    }

    /// The certificate proofs carry, when every signature is a 65-byte secp256k1 signature.
    public var quorumCertificate: QuorumCertificate? {
        var sigs = [Secp256k1.Signature]()
        for s in signatures { guard let sig = Secp256k1.Signature(bytes: s) else { return nil }; sigs.append(sig) }
        return QuorumCertificate(guardianCount: guardianCount, signers: signers, signatures: sigs)
    }
}

/// A decided snapshot and its certificate: what a lagging or restarted guardian catches up from.
public struct CommittedSnapshot: Equatable, Sendable {
    public var value: SnapshotValue
    public var certificate: ShareCertificate
    public init(value: SnapshotValue, certificate: ShareCertificate) { self.value = value; self.certificate = certificate }
    public var height: UInt64 { value.header.height }
}

/// Everything guardians send each other.
public enum ConsensusMessage: Equatable, Sendable {
    case proposal(Proposal)
    case vote(Vote)
    case share(Share)
    /// Committed snapshots, oldest first, for a guardian that is behind.
    case committed([CommittedSnapshot])
    /// "I am at `height`": asks the receiver for committed snapshots from there on.
    case syncRequest(from: Int, height: UInt64)

    public var height: UInt64 {
        switch self {
        case let .proposal(p): p.height
        case let .vote(v): v.height
        case let .share(s): s.height
        case let .committed(c): c.first?.height ?? 0
        case let .syncRequest(_, h): h
        }
    }
}
