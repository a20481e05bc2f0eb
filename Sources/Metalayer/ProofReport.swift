import Merkle

/// What `caldera proof inspect` shows: the kind, the snapshot, who signed, what is carried, and the
/// uncompressed bytes of each section.
public struct ProofReport: Encodable, Equatable, Sendable {
    public struct SnapshotSummary: Encodable, Equatable, Sendable {
        public let height: UInt64, guardianSetId: UInt64, timestampMillis: UInt64, entryCount: UInt64
        public let root: String
        init(_ h: SnapshotHeader) {
            height = h.height; guardianSetId = h.guardianSetId; timestampMillis = h.timestampMillis; entryCount = h.entryCount; root = h.root.hex
        }
    }
    public let kind: String, compression: String
    public let bytes: Int
    public let snapshot: SnapshotSummary
    public let signers: Int, guardians: Int
    public let rollups: [UInt64]
    public let messages: Int
    public let sections: [String: Int]

    /// The report of a decoded proof whose encoding is `byteCount` bytes long.
    public init(_ proof: EncodedProof, byteCount: Int) {
        bytes = byteCount
        switch proof {
        case .individual(let p):
            kind = "individual"; compression = "none"; snapshot = SnapshotSummary(p.header)
            signers = p.certificate.signers.count; guardians = p.certificate.guardianCount
            rollups = [p.entry.rollupId]; messages = 1; sections = Dictionary(uniqueKeysWithValues: p.sectionSizes)
        case let .meta(m, compressed):
            kind = "meta"; compression = compressed ? "zstd" : "none"; snapshot = SnapshotSummary(m.header)
            signers = m.certificate.signers.count; guardians = m.certificate.guardianCount
            rollups = m.rollups.map(\.entry.rollupId); messages = m.messageCount; sections = Dictionary(uniqueKeysWithValues: m.sectionSizes)
        }
    }
}
