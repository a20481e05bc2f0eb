import CCaldera
import Foundation
import Merkle
import Wire

/// One rollup's part of a meta-proof: its entry, the proven messages and one outbox multiproof.
public struct MetaRollup: Equatable, Sendable {
    public var entryIndex: UInt64
    public var entry: RollupEntry
    public var messageIndices: [UInt64]
    public var messages: [CrossChainMessage]
    public var outboxProof: [Digest]
}

/// Many cross-chain proofs against one snapshot as one object: one header, one certificate, a
/// multiproof over the snapshot tree for the distinct rollups, and a multiproof per rollup outbox.
/// It verifies if and only if every proof it carries would verify on its own (`expand()` gives them back).
public struct MetaProof: Equatable, Sendable {
    public var header: SnapshotHeader
    public var certificate: QuorumCertificate
    public var rollups: [MetaRollup]      // by increasing entry index
    public var snapshotProof: [Digest]

    public var messageCount: Int { rollups.reduce(0) { $0 + $1.messages.count } }

    public enum BuildError: Error, Equatable, CustomStringConvertible {
        case noProofs
        case differentSnapshots(first: Int, other: Int)
        case differentCertificates(first: Int, other: Int)
        case invalidProof(index: Int, reason: String)
        case duplicateMessage(first: Int, other: Int)
        case conflictingEntries(first: Int, other: Int)
        public var description: String {
            switch self {
            case .noProofs: "no proofs to compress"
            case let .differentSnapshots(a, b): "proofs \(a + 1) and \(b + 1) are against different snapshots; a meta-proof covers one snapshot"
            case let .differentCertificates(a, b): "proofs \(a + 1) and \(b + 1) carry different certificates for the same snapshot"
            case let .invalidProof(i, r): "proof \(i + 1) does not verify: \(r)"
            case let .duplicateMessage(a, b): "proofs \(a + 1) and \(b + 1) prove the same message"
            case let .conflictingEntries(a, b): "proofs \(a + 1) and \(b + 1) disagree on a rollup's entry"
            }
        }
    }

    /// Combines individual proofs. Each proof's Merkle paths are checked first (hashing only), so a
    /// meta-proof never hides a bad path behind a sibling another proof supplies.
    public init(proofs: [CrossChainProof]) throws(BuildError) {
        guard let first = proofs.first else { throw .noProofs }
        for (i, p) in proofs.enumerated() {
            guard p.header == first.header else { throw .differentSnapshots(first: 0, other: i) }
            guard p.certificate == first.certificate else { throw .differentCertificates(first: 0, other: i) }
            do { try p.verifyPaths() } catch { throw .invalidProof(index: i, reason: error.description) }
        }
        header = first.header
        certificate = first.certificate

        // group by rollup (entry index), messages by index
        var byEntry = [UInt64: [Int]]()
        for (i, p) in proofs.enumerated() { byEntry[p.entryIndex, default: []].append(i) }
        var snapshotNodes = [Multiproof.NodeKey: Digest]()
        var parts = [MetaRollup]()
        for entryIndex in byEntry.keys.sorted() {
            let members = byEntry[entryIndex]!.sorted { proofs[$0].messageIndex < proofs[$1].messageIndex }
            let lead = proofs[members[0]]
            var outboxNodes = [Multiproof.NodeKey: Digest]()
            for (a, b) in zip(members, members.dropFirst()) where proofs[a].messageIndex == proofs[b].messageIndex {
                throw .duplicateMessage(first: a, other: b)
            }
            for m in members {
                guard proofs[m].entry == lead.entry else { throw .conflictingEntries(first: members[0], other: m) }
                MetaProof.record(path: proofs[m].outboxPath, index: proofs[m].messageIndex, size: lead.entry.outboxSize, into: &outboxNodes)
            }
            MetaProof.record(path: lead.snapshotPath, index: entryIndex, size: header.entryCount, into: &snapshotNodes)
            let indices = members.map { proofs[$0].messageIndex }
            let outboxProof: [Digest]
            do {
                outboxProof = try Multiproof.generate(size: lead.entry.outboxSize, indices: indices) { outboxNodes[.init(level: $0, position: $1)] }
            } catch { throw .invalidProof(index: members[0], reason: "outbox multiproof: \(error)") }
            parts.append(MetaRollup(entryIndex: entryIndex, entry: lead.entry, messageIndices: indices,
                                    messages: members.map { proofs[$0].message }, outboxProof: outboxProof))
        }
        rollups = parts
        do {
            snapshotProof = try Multiproof.generate(size: header.entryCount, indices: parts.map(\.entryIndex)) { snapshotNodes[.init(level: $0, position: $1)] }
        } catch { throw .invalidProof(index: 0, reason: "snapshot multiproof: \(error)") }
    }

    public init(header: SnapshotHeader, certificate: QuorumCertificate, rollups: [MetaRollup], snapshotProof: [Digest]) {
        self.header = header; self.certificate = certificate; self.rollups = rollups; self.snapshotProof = snapshotProof
    }

    /// Sibling hashes along an (already verified) inclusion path, keyed by (level, position).
    static func record(path: [Digest], index: UInt64, size: UInt64, into nodes: inout [Multiproof.NodeKey: Digest]) {
        var levelSize = size, i = index, level = 0, k = 0
        while levelSize > 1 && k <= path.count {
            let s = i ^ 1
            if s < levelSize {
                if k == path.count { return }
                nodes[.init(level: level, position: s)] = path[k]
                k += 1
            }
            i >>= 1; levelSize = levelSize / 2 + levelSize % 2 /* ceil, without overflow at 2^64 - 1 */; level += 1
        }
    }

    /// Merkle part: every outbox multiproof leads to its entry's outbox root, and the entries to the
    /// snapshot root. Hashing only; the hot loop is `cal_multiproof_root`.
    public func verifyPaths() throws(ProofInvalid) {
        for r in rollups {
            for m in r.messages where m.source != r.entry.rollupId {
                throw .sourceMismatch(message: m.source, entry: r.entry.rollupId)
            }
            let root: Digest
            do {
                root = try Multiproof.root(size: r.entry.outboxSize, indices: r.messageIndices,
                                           leafHashes: r.messages.map(\.leafHash), proof: r.outboxProof)
            } catch { throw .multiproof("rollup \(r.entry.rollupId): \(error)") }
            guard root == r.entry.outboxRoot else { throw .outboxRoot(rollup: r.entry.rollupId) }
        }
        let root: Digest
        do {
            root = try Multiproof.root(size: header.entryCount, indices: rollups.map(\.entryIndex),
                                       leafHashes: rollups.map(\.entry.snapshotLeafHash), proof: snapshotProof)
        } catch { throw .multiproof("snapshot: \(error)") }
        guard root == header.root else { throw .snapshotRoot }
    }

    /// Full verification: all paths, then the certificate, once.
    public func verify(guardians: GuardianSet) throws(ProofInvalid) {
        try verifyPaths()
        do { try certificate.verify(header: header, set: guardians) } catch { throw .certificate(error) }
    }

    /// The individual proofs this meta-proof carries, with their paths cut back out of the multiproofs.
    public func expand() throws(ProofInvalid) -> [CrossChainProof] {
        func fail(_ e: Multiproof.Failure) -> ProofInvalid { .multiproof(e.description) }
        let snapNodes: [Multiproof.NodeKey: Digest]
        do {
            snapNodes = try Multiproof.nodes(size: header.entryCount, indices: rollups.map(\.entryIndex),
                                             leafHashes: rollups.map(\.entry.snapshotLeafHash), proof: snapshotProof)
        } catch { throw fail(error) }
        var out = [CrossChainProof]()
        for r in rollups {
            let snapPath: [Digest]
            let outNodes: [Multiproof.NodeKey: Digest]
            do {
                snapPath = try Multiproof.path(size: header.entryCount, index: r.entryIndex, nodes: snapNodes)
                outNodes = try Multiproof.nodes(size: r.entry.outboxSize, indices: r.messageIndices,
                                                leafHashes: r.messages.map(\.leafHash), proof: r.outboxProof)
            } catch { throw fail(error) }
            for (i, m) in zip(r.messageIndices, r.messages) {
                let p: [Digest]
                do { p = try Multiproof.path(size: r.entry.outboxSize, index: i, nodes: outNodes) } catch { throw fail(error) }
                out.append(CrossChainProof(header: header, certificate: certificate, entry: r.entry, entryIndex: r.entryIndex,
                                           snapshotPath: snapPath, messageIndex: i, message: m, outboxPath: p))
            }
        }
        return out
    }

    // MARK: encoding

    public enum Compression: UInt8, Sendable { case none = 0, zstd = 1 }

    /// The body (everything after the preamble and compression byte), uncompressed.
    var body: [UInt8] {
        var w = ByteWriter(endianness: .big)
        header.encode(&w)
        certificate.encode(&w)
        w.varint(UInt64(rollups.count))
        var prev: UInt64? = nil
        for r in rollups { w.varint(prev.map { r.entryIndex - $0 - 1 } ?? r.entryIndex); prev = r.entryIndex }
        for r in rollups { r.entry.encode(&w) }
        w.varint(UInt64(snapshotProof.count)); for d in snapshotProof { w.digest(d) }
        for r in rollups {
            w.varint(UInt64(r.messages.count))
            var prevM: UInt64? = nil
            for i in r.messageIndices { w.varint(prevM.map { i - $0 - 1 } ?? i); prevM = i }
            for m in r.messages { w.lengthPrefixed(m.encoded) }
            w.varint(UInt64(r.outboxProof.count)); for d in r.outboxProof { w.digest(d) }
        }
        return w.bytes
    }

    /// SHA-256 of the uncompressed body: the identity of a meta-proof. The zstd stage is a transport
    /// wrapper with more than one valid encoding (levels, or none), so deduplication and replay
    /// protection key on this, never on the encoded bytes.
    public var bodyDigest: Digest { SHA256.hash(body) }

    /// Encodes, with the zstd stage when asked and only if it makes the object smaller.
    public func encoded(compression: Compression = .zstd, level: Int32 = 19) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(ProofWire.magic); w.u8(ProofWire.version); w.u8(ProofWire.kindMeta)
        let b = body
        if compression == .zstd {
            var dst = [UInt8](repeating: 0, count: cal_zstd_bound(b.count))
            let params = cal_zstd_params(level: level, window_log: 0, long_distance: 0, checksum: 1)
            let rc = b.withUnsafeBytes { src in dst.withUnsafeMutableBytes { cal_zstd_compress($0.baseAddress, $0.count, src.baseAddress, b.count, nil, 0, params) } }
            let n = cal_is_error(rc) != 0 ? 0 : rc
            var lenBytes = ByteWriter(endianness: .big); lenBytes.varint(UInt64(b.count))
            if n > 0 && n + lenBytes.bytes.count + 4 < b.count {
                let frame = dst[0..<n]
                w.u8(Compression.zstd.rawValue); w.varint(UInt64(b.count))
                w.u32(frame.withUnsafeBytes { cal_crc32($0.baseAddress, $0.count) })
                w.raw(frame)
                return w.bytes
            }
        }
        w.u8(Compression.none.rawValue)
        w.raw(b)
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(DecodeError) {
        var r = ByteReader(bytes, endianness: .big)
        let kind = try ProofWire.readPreamble(&r)
        guard kind == ProofWire.kindMeta else { throw .unexpectedKind(kind) }
        let c = try r.u8("compression")
        switch c {
        case Compression.none.rawValue:
            try self.init(body: &r)
        case Compression.zstd.rawValue:
            let rawLen = try r.count("body length", max: ProofLimits.maxMetaBodyBytes)
            let crc = try r.u32("frame CRC-32")
            let frame = try r.take(r.remaining, "zstd frame")
            // zstd cannot expand more than ~2^17x; refuse claims the frame could not back before allocating.
            try r.check("body length", UInt64(rawLen), atMost: UInt64(frame.count) * 131_072 + 64)
            // A zstd frame has bits that do not change its output; the CRC pins every byte of it.
            guard frame.withUnsafeBytes({ cal_crc32($0.baseAddress, $0.count) }) == crc else { throw .compression("CRC-32 mismatch") }
            var body = [UInt8](repeating: 0, count: rawLen)
            let rc = frame.withUnsafeBytes { src in body.withUnsafeMutableBytes { cal_zstd_decompress_exact($0.baseAddress, rawLen, src.baseAddress, src.count, Int32(CAL_ZSTD_REQUIRE_CHECKSUM)) } }
            guard rc == 0 else { throw .compression("not one valid zstd frame of exactly \(rawLen) bytes") }
            var br = ByteReader(body, endianness: .big)
            try self.init(body: &br)
        default:
            throw .compression("unknown compression \(c)")
        }
    }

    init(body r: inout ByteReader) throws(DecodeError) {
        header = try SnapshotHeader.decode(&r)
        certificate = try QuorumCertificate.decode(&r)
        guard header.entryCount > 0 else { throw .invalid(field: "snapshot entry count", reason: "is 0; a meta-proof needs a snapshot with rollups") }
        let count = try r.count("rollup count", max: min(ProofLimits.maxEntriesInMeta, header.entryCount))
        guard count > 0 else { throw .invalid(field: "rollup count", reason: "is 0; a meta-proof carries at least one rollup") }
        guard r.remaining >= count * (1 + RollupEntry.encodedSize) else { throw .wire(WireError(field: "rollups", reason: .truncated(need: count * (1 + RollupEntry.encodedSize), have: r.remaining))) }
        var entryIndices = [UInt64]()
        for _ in 0..<count { entryIndices.append(try MetaProof.nextIndex(&r, after: entryIndices.last, limit: header.entryCount, field: "entry index")) }
        var entries = [RollupEntry]()
        for _ in 0..<count { entries.append(try RollupEntry.decode(&r)) }
        snapshotProof = try r.digests("snapshot multiproof", max: ProofLimits.maxMultiproofHashes)
        var parts = [MetaRollup]()
        var total: UInt64 = 0
        for (ei, e) in zip(entryIndices, entries) {
            let n = try r.count("message count", max: min(ProofLimits.maxMessagesInMeta - total, e.outboxSize))
            guard n > 0 else { throw .invalid(field: "message count", reason: "is 0; every rollup in a meta-proof carries at least one message") }
            guard r.remaining >= n * 2 else { throw .wire(WireError(field: "messages", reason: .truncated(need: n * 2, have: r.remaining))) }
            total += UInt64(n)
            var idx = [UInt64]()
            for _ in 0..<n { idx.append(try MetaProof.nextIndex(&r, after: idx.last, limit: e.outboxSize, field: "message index")) }
            var msgs = [CrossChainMessage]()
            for _ in 0..<n { msgs.append(try CrossChainMessage(encoded: try r.lengthPrefixed("message", max: ProofLimits.maxMessageBytes))) }
            let proof = try r.digests("outbox multiproof", max: ProofLimits.maxMultiproofHashes)
            parts.append(MetaRollup(entryIndex: ei, entry: e, messageIndices: idx, messages: msgs, outboxProof: proof))
        }
        rollups = parts
        try r.finish()
    }

    /// First index absolute, then gaps minus one: strictly increasing by construction; bounded by `limit`.
    static func nextIndex(_ r: inout ByteReader, after prev: UInt64?, limit: UInt64, field: String) throws(DecodeError) -> UInt64 {
        let v = try r.varint(field)
        var x = v
        if let prev {
            let (a, o1) = prev.addingReportingOverflow(1)
            let (b, o2) = a.addingReportingOverflow(v)
            guard !o1 && !o2 else { throw .invalid(field: field, reason: "index past 2^64 − 1") }
            x = b
        }
        guard limit > 0 else { throw .invalid(field: field, reason: "an index into an empty table") }
        try r.check(field, x, atMost: limit - 1)
        return x
    }

    /// Bytes by section of the uncompressed body, for `caldera proof inspect`.
    public var sectionSizes: [(String, Int)] {
        var h = ByteWriter(endianness: .big); header.encode(&h)
        var c = ByteWriter(endianness: .big); certificate.encode(&c)
        var entries = 0, messages = 0, indices = 0, outbox = 0
        for r in rollups {
            var w = ByteWriter(endianness: .big); r.entry.encode(&w); entries += w.bytes.count
            for m in r.messages { var mw = ByteWriter(endianness: .big); mw.lengthPrefixed(m.encoded); messages += mw.bytes.count }
            var iw = ByteWriter(endianness: .big); iw.varint(UInt64(r.messages.count))
            var prev: UInt64? = nil
            for i in r.messageIndices { iw.varint(prev.map { i - $0 - 1 } ?? i); prev = i }
            indices += iw.bytes.count
            var ow = ByteWriter(endianness: .big); ow.varint(UInt64(r.outboxProof.count)); outbox += ow.bytes.count + 32 * r.outboxProof.count
        }
        var sw = ByteWriter(endianness: .big); sw.varint(UInt64(snapshotProof.count))
        return [("header", h.bytes.count), ("certificate", c.bytes.count), ("rollup entries", entries),
                ("snapshot multiproof", sw.bytes.count + 32 * snapshotProof.count), ("message indices", indices),
                ("messages", messages), ("outbox multiproofs", outbox)]
    }
}
