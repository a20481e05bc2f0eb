import Merkle
import Metalayer
import Wire

/// Why bytes from a peer are not a consensus message.
public enum ConsensusDecodeError: Error, Equatable, Sendable, CustomStringConvertible, WireErrorConvertible {
    case wire(WireError)
    case invalid(field: String, reason: String)
    public init(_ wire: WireError) { self = .wire(wire) }
    public var description: String {
        switch self {
        case let .wire(w): "consensus message: \(w)"
        case let .invalid(f, r): "consensus message: \(f): \(r)"
        }
    }
}

/// The consensus wire format (docs/consensus.md, "Wire format"): version byte 1, a kind byte, then the
/// fields big-endian. Every count and length is bounded before anything is allocated.
public enum Codec {
    public static let version: UInt8 = 1
    public static let maxSignatureBytes: UInt64 = 128
    public static let maxGuardians: UInt64 = 1024
    public static let maxRollups: UInt64 = 4096
    public static let maxCommittedPerMessage: UInt64 = 16
    /// The largest encoded message (a batch of 16 committed snapshots of 4096 rollups would be larger; the
    /// decoder's limits make anything past this an error rather than an allocation).
    public static let maxMessageBytes = 8 << 20

    enum Kind: UInt8 { case proposal = 1, vote = 2, share = 3, committed = 4, syncRequest = 5 }
    typealias Reader = ByteReader<ConsensusDecodeError>

    static func entry(_ e: RollupEntry, _ w: inout ByteWriter) {
        w.u64(e.rollupId); w.u64(e.height); w.raw(e.stateRoot.bytes); w.raw(e.outboxRoot.bytes); w.u64(e.outboxSize)
    }

    public static func encode(_ m: ConsensusMessage) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.u8(version)
        switch m {
        case let .proposal(p):
            w.u8(Kind.proposal.rawValue); w.u64(p.setId); w.u64(p.height); w.u32(p.round); w.i64(p.validRound)
            w.varint(UInt64(p.proposer)); w.lengthPrefixed(p.signature)
            w.u64(p.value.header.timestampMillis); reports(p.value.reports, &w)
            w.varint(UInt64(p.justification.count))
            for v in p.justification { vote(v, &w) }
        case let .vote(v):
            w.u8(Kind.vote.rawValue); vote(v, &w)
        case let .share(s):
            w.u8(Kind.share.rawValue); w.u64(s.height); w.raw(s.value.bytes); w.varint(UInt64(s.signer)); w.lengthPrefixed(s.signature)
        case let .committed(list):
            w.u8(Kind.committed.rawValue); w.varint(UInt64(list.count))
            for c in list { committed(c, &w) }
        case let .syncRequest(from, h):
            w.u8(Kind.syncRequest.rawValue); w.varint(UInt64(from)); w.u64(h)
        }
        return w.bytes
    }

    static func vote(_ v: Vote, _ w: inout ByteWriter) {
        w.u8(v.kind.rawValue); w.u64(v.setId); w.u64(v.height); w.u32(v.round)
        if let value = v.value { w.u8(1); w.raw(value.bytes) } else { w.u8(0) }
        w.varint(UInt64(v.voter)); w.lengthPrefixed(v.signature)
    }

    static func vote(_ r: inout Reader, field: String) throws(ConsensusDecodeError) -> Vote {
        let kindByte = try r.u8("\(field).kind")
        guard let kind = VoteKind(rawValue: kindByte) else { throw .invalid(field: "\(field).kind", reason: "\(kindByte) is not 1 (prevote) or 2 (precommit)") }
        let setId = try r.u64("\(field).setId"), height = try r.u64("\(field).height"), round = try r.u32("\(field).round")
        let flag = try r.u8("\(field).hasValue")
        var value: Digest?
        switch flag {
        case 0: value = nil
        case 1: value = Digest(bytes: try r.take(32, "\(field).value"))
        default: throw .invalid(field: "\(field).hasValue", reason: "\(flag) is not 0 or 1")
        }
        let voter = try r.count("\(field).voter", max: maxGuardians - 1)
        return Vote(kind: kind, setId: setId, height: height, round: round, value: value, voter: voter,
                    signature: try r.lengthPrefixed("\(field).signature", max: maxSignatureBytes))
    }

    static func reports(_ rs: [RollupReport], _ w: inout ByteWriter) {
        w.varint(UInt64(rs.count))
        for r in rs { report(r, &w) }
    }

    /// One sequencer report: the entry, then the length-prefixed signature.
    static func report(_ r: RollupReport, _ w: inout ByteWriter) { entry(r.entry, &w); w.lengthPrefixed(r.signature) }

    static func report(_ r: inout Reader, field f: String) throws(ConsensusDecodeError) -> RollupReport {
        let e = RollupEntry(rollupId: try r.u64("\(f).rollupId"), height: try r.u64("\(f).height"),
                            stateRoot: Digest(bytes: try r.take(32, "\(f).stateRoot"))!, outboxRoot: Digest(bytes: try r.take(32, "\(f).outboxRoot"))!,
                            outboxSize: try r.u64("\(f).outboxSize"))
        return RollupReport(entry: e, signature: try r.lengthPrefixed("\(f).signature", max: maxSignatureBytes))
    }

    public static func committed(_ c: CommittedSnapshot, _ w: inout ByteWriter) {
        let h = c.value.header
        w.u64(h.guardianSetId); w.u64(h.height); w.u64(h.timestampMillis); reports(c.value.reports, &w)
        w.varint(UInt64(c.certificate.guardianCount)); w.varint(UInt64(c.certificate.signers.count))
        for (s, sig) in zip(c.certificate.signers, c.certificate.signatures) { w.varint(UInt64(s)); w.lengthPrefixed(sig) }
    }

    public static func decode(_ bytes: [UInt8]) throws(ConsensusDecodeError) -> ConsensusMessage {
        guard bytes.count <= maxMessageBytes else { throw .invalid(field: "message", reason: "\(bytes.count) bytes, over the \(maxMessageBytes)-byte limit") }
        var r = Reader(bytes, endianness: .big)
        let v = try r.u8("version")
        guard v == version else { throw .invalid(field: "version", reason: "\(v) is not \(version)") }
        let k = try r.u8("kind")
        let m: ConsensusMessage
        switch Kind(rawValue: k) {
        case .proposal:
            let setId = try r.u64("proposal.setId"), height = try r.u64("proposal.height"), round = try r.u32("proposal.round")
            let validRound = try r.i64("proposal.validRound")
            guard validRound >= -1, validRound < Int64(round) else { throw .invalid(field: "proposal.validRound", reason: "must be -1 or below the round") }
            let proposer = try r.count("proposal.proposer", max: maxGuardians - 1)
            let sig = try r.lengthPrefixed("proposal.signature", max: maxSignatureBytes)
            let ts = try r.u64("proposal.timestamp")
            let value = try snapshotValue(&r, setId: setId, height: height, timestamp: ts, field: "proposal")
            let n = try r.count("proposal.justification", max: maxGuardians)
            var just = [Vote]()
            for i in 0..<n { just.append(try vote(&r, field: "proposal.justification[\(i)]")) }
            m = .proposal(Proposal(setId: setId, height: height, round: round, validRound: validRound, value: value, proposer: proposer,
                                   signature: sig, justification: just))
        case .vote:
            m = .vote(try vote(&r, field: "vote"))
        case .share:
            let height = try r.u64("share.height")
            let value = Digest(bytes: try r.take(32, "share.value"))!
            let signer = try r.count("share.signer", max: maxGuardians - 1)
            m = .share(Share(height: height, value: value, signer: signer, signature: try r.lengthPrefixed("share.signature", max: maxSignatureBytes)))
        case .committed:
            let n = try r.count("committed.count", max: maxCommittedPerMessage)
            var list = [CommittedSnapshot]()
            for i in 0..<n { list.append(try committed(&r, field: "committed[\(i)]")) }
            guard zip(list, list.dropFirst()).allSatisfy({ $0.height + 1 == $1.height }) else {
                throw .invalid(field: "committed", reason: "heights must be consecutive")
            }
            m = .committed(list)
        case .syncRequest:
            m = .syncRequest(from: try r.count("sync.from", max: maxGuardians - 1), height: try r.u64("sync.height"))
        case nil:
            throw .invalid(field: "kind", reason: "\(k) is not a message kind")
        }
        try r.finish()
        return m
    }

    static func snapshotValue(_ r: inout Reader, setId: UInt64, height: UInt64, timestamp: UInt64, field: String) throws(ConsensusDecodeError) -> SnapshotValue {
        let n = try r.count("\(field).reports", max: maxRollups)
        guard n > 0 else { throw .invalid(field: "\(field).reports", reason: "a snapshot needs at least one rollup") }
        var rs = [RollupReport]()
        rs.reserveCapacity(n)
        var last: UInt64?
        for i in 0..<n {
            let f = "\(field).reports[\(i)]"
            let report = try report(&r, field: f)
            if let last, report.entry.rollupId <= last { throw .invalid(field: "\(f).rollupId", reason: "rollup ids must be strictly increasing") }
            last = report.entry.rollupId
            rs.append(report)
        }
        do { return try SnapshotValue(guardianSetId: setId, height: height, timestampMillis: timestamp, reports: rs) } catch {
            throw .invalid(field: field, reason: "\(error)")
        }
    }

    static func committed(_ r: inout Reader, field: String) throws(ConsensusDecodeError) -> CommittedSnapshot {
        let setId = try r.u64("\(field).setId"), height = try r.u64("\(field).height"), ts = try r.u64("\(field).timestamp")
        let value = try snapshotValue(&r, setId: setId, height: height, timestamp: ts, field: field)
        let count = try r.count("\(field).guardianCount", max: maxGuardians)
        guard count > 0 else { throw .invalid(field: "\(field).guardianCount", reason: "is 0") }
        let n = try r.count("\(field).signers", max: UInt64(count))
        var signers = [Int](), sigs = [[UInt8]]()
        for i in 0..<n {
            let s = try r.count("\(field).signer[\(i)]", max: UInt64(count - 1))
            if let l = signers.last, s <= l { throw .invalid(field: "\(field).signer[\(i)]", reason: "signers must be strictly increasing") }
            signers.append(s); sigs.append(try r.lengthPrefixed("\(field).signature[\(i)]", max: maxSignatureBytes))
        }
        return CommittedSnapshot(value: value, certificate: ShareCertificate(guardianCount: count, signers: signers, signatures: sigs))
    }

    /// One sequencer report on its own (a sequencer sending it to a guardian): the entry, then the
    /// length-prefixed signature, as inside a proposal.
    public static func encodeReport(_ r: RollupReport) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        report(r, &w)
        return w.bytes
    }

    public static func decodeReport(_ bytes: [UInt8]) throws(ConsensusDecodeError) -> RollupReport {
        var r = Reader(bytes, endianness: .big)
        let report = try report(&r, field: "report")
        try r.finish()
        return report
    }

    /// Decodes one committed snapshot as `committed(_:_:)` wrote it (the guardian's log stores them so).
    public static func decodeCommitted(_ bytes: [UInt8]) throws(ConsensusDecodeError) -> CommittedSnapshot {
        var r = Reader(bytes, endianness: .big)
        let c = try committed(&r, field: "committed")
        try r.finish()
        return c
    }
}
