import Foundation
import Merkle

/// A message in a rollup's outbox, addressed to another rollup. Its encoding is the outbox leaf data.
public struct CrossChainMessage: Equatable, Hashable, Sendable {
    public var source: UInt64
    public var destination: UInt64
    public var nonce: UInt64
    public var sender: [UInt8]      // 20 bytes
    public var recipient: [UInt8]   // 20 bytes
    public var payload: [UInt8]

    public init(source: UInt64, destination: UInt64, nonce: UInt64, sender: [UInt8], recipient: [UInt8], payload: [UInt8]) {
        precondition(sender.count == 20 && recipient.count == 20, "addresses are 20 bytes")
        self.source = source; self.destination = destination; self.nonce = nonce
        self.sender = sender; self.recipient = recipient; self.payload = payload
    }

    /// source ‖ destination ‖ nonce ‖ sender ‖ recipient ‖ payload (the payload runs to the end).
    public var encoded: [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.u64(source); w.u64(destination); w.u64(nonce); w.raw(sender); w.raw(recipient); w.raw(payload)
        return w.bytes
    }

    public init(encoded b: [UInt8]) throws(DecodeError) {
        var r = ByteReader(b, endianness: .big)
        source = try r.u64("message.source"); destination = try r.u64("message.destination"); nonce = try r.u64("message.nonce")
        sender = Array(try r.take(20, "message.sender")); recipient = Array(try r.take(20, "message.recipient"))
        payload = Array(try r.take(r.remaining, "message.payload"))
    }

    public var leafHash: Digest { MerkleHash.leaf(encoded) }
}

/// Why a proof did not verify (it decoded fine, but is not a proof of what it claims).
public enum ProofInvalid: Error, Equatable, CustomStringConvertible {
    case certificate(QuorumCertificate.Invalid)
    case snapshotPath(MerkleError)
    case outboxPath(MerkleError)
    case snapshotRoot
    case outboxRoot(rollup: UInt64)
    case sourceMismatch(message: UInt64, entry: UInt64)
    case multiproof(String)

    public var description: String {
        switch self {
        case let .certificate(e): "certificate: \(e)"
        case let .snapshotPath(e): "rollup entry is not in the snapshot: \(e)"
        case let .outboxPath(e): "message is not in the outbox: \(e)"
        case .snapshotRoot: "rollup entries do not lead to the signed snapshot root"
        case let .outboxRoot(r): "messages of rollup \(r) do not lead to its outbox root"
        case let .sourceMismatch(m, e): "message says it comes from rollup \(m), the proof's entry is rollup \(e)"
        case let .multiproof(m): "multiproof: \(m)"
        }
    }
}

/// Magic, version and kinds shared by the binary formats (docs/proof-format.md).
enum ProofWire {
    static let magic: [UInt8] = Array("CLDX".utf8)
    /// 2: secp256k1 certificates (65-byte signatures); 1 (Ed25519) is no longer read.
    static let version: UInt8 = 2
    static let kindIndividual: UInt8 = 1
    static let kindMeta: UInt8 = 2

    static func readPreamble(_ r: inout ByteReader) throws(DecodeError) -> UInt8 {
        guard Array(try r.take(4, "magic")) == magic else { throw .badMagic }
        let v = try r.u8("version")
        guard v == version else { throw .unsupportedVersion(v) }
        return try r.u8("kind")
    }

}

/// Either binary proof kind, told apart by the kind byte after the magic and version.
public enum EncodedProof: Sendable {
    case individual(CrossChainProof)
    /// A meta-proof, and whether its body was stored zstd-compressed.
    case meta(MetaProof, compressed: Bool)

    public init(_ bytes: [UInt8]) throws(DecodeError) {
        var r = ByteReader(bytes, endianness: .big)
        switch try ProofWire.readPreamble(&r) {
        case ProofWire.kindIndividual: self = .individual(try CrossChainProof(encoded: bytes))
        case ProofWire.kindMeta:
            let compressed = (try? r.u8("compression")) == MetaProof.Compression.zstd.rawValue
            self = .meta(try MetaProof(encoded: bytes), compressed: compressed)
        case let k: throw .unexpectedKind(k)
        }
    }
}

/// Proof that `message` is in the outbox of a rollup whose state is in a guardian-signed snapshot.
public struct CrossChainProof: Equatable, Sendable {
    public var header: SnapshotHeader
    public var certificate: QuorumCertificate
    public var entry: RollupEntry
    public var entryIndex: UInt64
    public var snapshotPath: [Digest]
    public var messageIndex: UInt64
    public var message: CrossChainMessage
    public var outboxPath: [Digest]

    public init(header: SnapshotHeader, certificate: QuorumCertificate, entry: RollupEntry, entryIndex: UInt64,
                snapshotPath: [Digest], messageIndex: UInt64, message: CrossChainMessage, outboxPath: [Digest]) {
        self.header = header; self.certificate = certificate; self.entry = entry; self.entryIndex = entryIndex
        self.snapshotPath = snapshotPath; self.messageIndex = messageIndex; self.message = message; self.outboxPath = outboxPath
    }

    /// Checks the Merkle paths only (hashing): message → outbox root, entry → snapshot root.
    public func verifyPaths() throws(ProofInvalid) {
        guard message.source == entry.rollupId else { throw .sourceMismatch(message: message.source, entry: entry.rollupId) }
        let outbox = InclusionProof(index: messageIndex, size: entry.outboxSize, leafHash: message.leafHash, path: outboxPath, root: entry.outboxRoot)
        do { try outbox.verify() } catch { throw .outboxPath(error) }
        let snap = InclusionProof(index: entryIndex, size: header.entryCount, leafHash: entry.snapshotLeafHash, path: snapshotPath, root: header.root)
        do { try snap.verify() } catch { throw .snapshotPath(error) }
    }

    /// Full verification: paths, then the guardians' certificate over the header.
    public func verify(guardians: GuardianSet) throws(ProofInvalid) {
        try verifyPaths()
        do { try certificate.verify(header: header, set: guardians) } catch { throw .certificate(error) }
    }

    public var encoded: [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.raw(ProofWire.magic); w.u8(ProofWire.version); w.u8(ProofWire.kindIndividual)
        header.encode(&w)
        certificate.encode(&w)
        entry.encode(&w)
        w.varint(entryIndex)
        w.varint(UInt64(snapshotPath.count)); for d in snapshotPath { w.digest(d) }
        w.varint(messageIndex)
        w.lengthPrefixed(message.encoded)
        w.varint(UInt64(outboxPath.count)); for d in outboxPath { w.digest(d) }
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(DecodeError) {
        var r = ByteReader(bytes, endianness: .big)
        let kind = try ProofWire.readPreamble(&r)
        guard kind == ProofWire.kindIndividual else { throw .unexpectedKind(kind) }
        header = try SnapshotHeader.decode(&r)
        certificate = try QuorumCertificate.decode(&r)
        entry = try RollupEntry.decode(&r)
        entryIndex = try r.varint("entryIndex")
        snapshotPath = try r.digests("snapshotPath", max: ProofLimits.maxPathLength)
        messageIndex = try r.varint("messageIndex")
        message = try CrossChainMessage(encoded: try r.lengthPrefixed("message", max: ProofLimits.maxMessageBytes))
        outboxPath = try r.digests("outboxPath", max: ProofLimits.maxPathLength)
        try r.finish()
    }

    /// Bytes by section, for `caldera proof inspect`.
    public var sectionSizes: [(String, Int)] {
        var h = ByteWriter(endianness: .big); header.encode(&h)
        var c = ByteWriter(endianness: .big); certificate.encode(&c)
        var e = ByteWriter(endianness: .big); entry.encode(&e)
        var m = ByteWriter(endianness: .big); m.lengthPrefixed(message.encoded)
        var sp = ByteWriter(endianness: .big); sp.varint(entryIndex); sp.varint(UInt64(snapshotPath.count))
        var op = ByteWriter(endianness: .big); op.varint(messageIndex); op.varint(UInt64(outboxPath.count))
        return [("preamble", 6), ("header", h.bytes.count), ("certificate", c.bytes.count), ("entry", e.bytes.count),
                ("snapshot path", sp.bytes.count + 32 * snapshotPath.count), ("message", m.bytes.count),
                ("outbox path", op.bytes.count + 32 * outboxPath.count)]
    }
}
