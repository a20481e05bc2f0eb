import Merkle
import Metalayer
import Wire

/// The bytes of a persisted `Record` (docs/consensus.md, "Running guardians"): what a guardian's write-ahead
/// store keeps. Version byte 1, a kind byte, then the fields big-endian with the wire format's pieces
/// (votes, snapshot values, committed snapshots as `Codec` writes them). A store is our own file, but a
/// torn or edited one must give an error, never a trap or an unbounded allocation: the same limits apply.
public enum RecordCodec {
    public static let version: UInt8 = 1

    /// Kind bytes; the store keeps the kind beside the bytes so that compaction can select by it.
    public enum Kind: UInt8, Sendable { case vote = 1, proposal = 2, lock = 3, decided = 4, share = 5, committed = 6 }

    public static func kind(of r: Record) -> Kind {
        switch r {
        case .vote: .vote
        case .proposal: .proposal
        case .lock: .lock
        case .decided: .decided
        case .share: .share
        case .committed: .committed
        }
    }

    /// The consensus height a record belongs to.
    public static func height(of r: Record) -> UInt64 {
        switch r {
        case let .vote(v): v.height
        case let .proposal(p): p.height
        case let .lock(h, _, _, _, _, _): h
        case let .decided(v): v.header.height
        case let .share(s): s.height
        case let .committed(c): c.height
        }
    }

    public static func encode(_ r: Record) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.u8(version); w.u8(kind(of: r).rawValue)
        switch r {
        case let .vote(v): Codec.vote(v, &w)
        // Proposals and shares are stored as the message that carries them (one encoder, one decoder).
        case let .proposal(p): w.lengthPrefixed(Codec.encode(.proposal(p)))
        case let .share(s): w.lengthPrefixed(Codec.encode(.share(s)))
        case let .lock(h, lr, lv, vr, vv, polka):
            w.u64(h); w.i64(lr); optionalValue(lv, &w); w.i64(vr); optionalValue(vv, &w)
            w.varint(UInt64(polka.count)); for v in polka { Codec.vote(v, &w) }
        case let .decided(v): value(v, &w)
        case let .committed(c): Codec.committed(c, &w)
        }
        return w.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(ConsensusDecodeError) -> Record {
        guard bytes.count <= Codec.maxMessageBytes else {
            throw .invalid(field: "record", reason: "\(bytes.count) bytes, over the \(Codec.maxMessageBytes)-byte limit")
        }
        var r = Codec.Reader(bytes, endianness: .big)
        let v = try r.u8("record.version")
        guard v == version else { throw .invalid(field: "record.version", reason: "\(v) is not \(version)") }
        let k = try r.u8("record.kind")
        let record: Record
        switch Kind(rawValue: k) {
        case .vote: record = .vote(try Codec.vote(&r, field: "record.vote"))
        case .proposal:
            guard case let .proposal(p) = try Codec.decode(try r.lengthPrefixed("record.proposal", max: UInt64(Codec.maxMessageBytes))) else {
                throw .invalid(field: "record.proposal", reason: "holds another kind of message")
            }
            record = .proposal(p)
        case .share:
            guard case let .share(s) = try Codec.decode(try r.lengthPrefixed("record.share", max: UInt64(Codec.maxMessageBytes))) else {
                throw .invalid(field: "record.share", reason: "holds another kind of message")
            }
            record = .share(s)
        case .lock:
            let h = try r.u64("record.lock.height"), lr = try r.i64("record.lock.lockedRound")
            let lv = try optionalValue(&r, field: "record.lock.lockedValue")
            let vr = try r.i64("record.lock.validRound")
            let vv = try optionalValue(&r, field: "record.lock.validValue")
            guard lr >= -1, vr >= -1 else { throw .invalid(field: "record.lock", reason: "rounds must be -1 or more") }
            let n = try r.count("record.lock.polka", max: Codec.maxGuardians)
            var polka = [Vote]()
            for i in 0..<n { polka.append(try Codec.vote(&r, field: "record.lock.polka[\(i)]")) }
            record = .lock(height: h, lockedRound: lr, lockedValue: lv, validRound: vr, validValue: vv, polka: polka)
        case .decided: record = .decided(try value(&r, field: "record.decided"))
        case .committed: record = .committed(try Codec.committed(&r, field: "record.committed"))
        case nil: throw .invalid(field: "record.kind", reason: "\(k) is not a record kind")
        }
        try r.finish()
        return record
    }

    static func value(_ v: SnapshotValue, _ w: inout ByteWriter) {
        let h = v.header
        w.u64(h.guardianSetId); w.u64(h.height); w.u64(h.timestampMillis); Codec.reports(v.reports, &w)
    }

    static func value(_ r: inout Codec.Reader, field: String) throws(ConsensusDecodeError) -> SnapshotValue {
        let setId = try r.u64("\(field).setId"), height = try r.u64("\(field).height"), ts = try r.u64("\(field).timestamp")
        return try Codec.snapshotValue(&r, setId: setId, height: height, timestamp: ts, field: field)
    }

    static func optionalValue(_ v: SnapshotValue?, _ w: inout ByteWriter) {
        if let v { w.u8(1); value(v, &w) } else { w.u8(0) }
    }

    static func optionalValue(_ r: inout Codec.Reader, field: String) throws(ConsensusDecodeError) -> SnapshotValue? {
        switch try r.u8("\(field).present") {
        case 0: return nil
        case 1: return try value(&r, field: field)
        case let b: throw .invalid(field: "\(field).present", reason: "\(b) is not 0 or 1")
        }
    }
}
