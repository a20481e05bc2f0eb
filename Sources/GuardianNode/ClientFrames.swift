import Consensus
import Merkle
import Wire

/// What a guardian says to, and hears from, the processes around it that are not guardians: sequencers send
/// their signed reports, relayers subscribe to committed snapshots (docs/consensus.md, "Clients"). Same TCP
/// framing as between guardians; the handshake is the client tag alone; every later frame is a tag byte and
/// a body. Nothing a client sends is trusted: a report counts only if its sequencer signed it, and what a
/// guardian sends carries the signatures that make it checkable.
public enum ClientFrame: Equatable, Sendable {
    /// Client → guardian: a sequencer's signed report.
    case report(RollupReport)
    /// Client → guardian: send every committed snapshot from this height on, then each new one as it commits.
    case subscribe(fromHeight: UInt64)
    /// Guardian → client: one committed snapshot with its certificate.
    case committed(CommittedSnapshot)
    /// Guardian → client: a guardian signed two votes of one kind, height and round for different values.
    case doubleVote(Vote, Vote)

    public static let handshake = Array("caldera-client/1\0".utf8)
    enum Tag: UInt8 { case report = 1, subscribe = 2, committed = 0x11, doubleVote = 0x12 }

    public var encoded: [UInt8] {
        var w = ByteWriter(endianness: .big)
        switch self {
        case let .report(r): w.u8(Tag.report.rawValue); w.raw(Codec.encodeReport(r))
        case let .subscribe(h): w.u8(Tag.subscribe.rawValue); w.u64(h)
        case let .committed(c): w.u8(Tag.committed.rawValue); Codec.committed(c, &w)
        case let .doubleVote(a, b):
            w.u8(Tag.doubleVote.rawValue); w.lengthPrefixed(Codec.encode(.vote(a))); w.lengthPrefixed(Codec.encode(.vote(b)))
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(ConsensusDecodeError) -> ClientFrame {
        guard let t = bytes.first else { throw .invalid(field: "client frame", reason: "is empty") }
        let body = Array(bytes.dropFirst())
        switch Tag(rawValue: t) {
        case .report: return .report(try Codec.decodeReport(body))
        case .subscribe:
            var r = ByteReader<ConsensusDecodeError>(body, endianness: .big)
            let h = try r.u64("subscribe.fromHeight")
            try r.finish()
            return .subscribe(fromHeight: h)
        case .committed: return .committed(try Codec.decodeCommitted(body))
        case .doubleVote:
            var r = ByteReader<ConsensusDecodeError>(body, endianness: .big)
            let a = try r.lengthPrefixed("doubleVote.first", max: UInt64(Codec.maxMessageBytes))
            let b = try r.lengthPrefixed("doubleVote.second", max: UInt64(Codec.maxMessageBytes))
            try r.finish()
            guard case let .vote(va) = try Codec.decode(a), case let .vote(vb) = try Codec.decode(b) else {
                throw .invalid(field: "doubleVote", reason: "both parts must be votes")
            }
            return .doubleVote(va, vb)
        case nil: throw .invalid(field: "client frame", reason: "tag \(t) is not a client frame")
        }
    }
}
