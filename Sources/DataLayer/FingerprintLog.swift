import Foundation
import GRDB
import Merkle

/// The append-only RFC 6962 log of fingerprints, persisted in SQLite (WAL). Leaf i is record i's
/// canonical encoding; the head (size, root and the compact-range peaks) is updated in the same
/// transaction as the records it covers, so the root on disk is always the root of the records on
/// disk. Appends are idempotent: a (blob, kind) pair is recorded at most once.
public final class FingerprintLog {
    public enum Error: Swift.Error, CustomStringConvertible {
        case database(String)
        case corruptRecord(index: UInt64, FormatError)
        case unknownBlob(BlobID)
        case proof(MerkleError)
        public var description: String {
            switch self {
            case let .database(s): "fingerprint log: \(s)"
            case let .corruptRecord(i, e): "fingerprint log record \(i) is corrupt: \(e)"
            case let .unknownBlob(id): "no fingerprint for blob \(id) in the log (unknown id)"
            case let .proof(e): "fingerprint log proof: \(e)"
            }
        }
    }

    /// A record with its position.
    public struct Entry: Sendable {
        public var index: UInt64
        public var fingerprint: Fingerprint
        public var leafHash: Digest
    }

    /// What the log commits to: its size and root.
    public struct Head: Equatable, Sendable, Codable {
        public var size: UInt64
        public var root: Digest
        public init(size: UInt64, root: Digest) { self.size = size; self.root = root }
    }

    let db: DatabasePool

    public init(path: String) throws(Error) {
        do {
            var config = Configuration()
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            db = try DatabasePool(path: path, configuration: config)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE fingerprint (
                        seq INTEGER PRIMARY KEY,
                        blob_id BLOB NOT NULL,
                        kind INTEGER NOT NULL,
                        record BLOB NOT NULL,
                        leaf_hash BLOB NOT NULL,
                        UNIQUE (blob_id, kind));
                    CREATE TABLE head (
                        id INTEGER PRIMARY KEY CHECK (id = 0),
                        size INTEGER NOT NULL,
                        root BLOB NOT NULL,
                        peaks BLOB NOT NULL);
                    INSERT INTO head (id, size, root, peaks) VALUES (0, 0, x'\(MerkleHash.emptyRoot.hex)', x'');
                    """)
            }
            try migrator.migrate(db)
        } catch { throw .database("\(error)") }
    }

    /// The current head (size and root), as persisted.
    public func head() throws(Error) -> Head {
        do {
            return try db.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT size, root FROM head WHERE id = 0"),
                      let size = UInt64(exactly: (row["size"] as Int64?) ?? -1), let root = row["root"] as Data?, let digest = Digest(bytes: root) else {
                    throw Error.database("the log's head row is missing or damaged")
                }
                return Head(size: size, root: digest)
            }
        } catch { throw .database("\(error)") }
    }

    /// The persisted compact-range peaks (what the next append extends), for `verify`.
    public func persistedPeaks() throws(Error) -> [Digest] {
        do {
            return try db.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT peaks FROM head WHERE id = 0"), let b = row["peaks"] as Data?, b.count % 32 == 0 else {
                    throw Error.database("the log's head row is missing or damaged")
                }
                return stride(from: 0, to: b.count, by: 32).map { Digest(bytes: Array(b[$0 ..< $0 + 32]))! }
            }
        } catch let e as Error { throw e } catch { throw .database("\(error)") }
    }

    /// Appends the records not already present (by blob and kind) in one transaction; returns the
    /// index of every given record (existing or new), in order.
    @discardableResult
    public func append(_ records: [Fingerprint]) throws(Error) -> [UInt64] {
        do {
            return try db.write { db in
                // A damaged head must give an error, not a trap (review finding).
                guard let row = try Row.fetchOne(db, sql: "SELECT size, peaks FROM head WHERE id = 0"),
                      let size = UInt64(exactly: (row["size"] as Int64?) ?? -1), let peakBytes = row["peaks"] as Data?,
                      peakBytes.count % 32 == 0 else {
                    throw Error.database("the log's head row is missing or damaged")
                }
                let peaks = stride(from: 0, to: peakBytes.count, by: 32).map { Digest(bytes: Array(peakBytes[$0 ..< $0 + 32]))! }
                var range = try CompactRange(size: size, peaks: peaks)
                var indices = [UInt64]()
                for r in records {
                    if let existing = try Int64.fetchOne(db, sql: "SELECT seq FROM fingerprint WHERE blob_id = ? AND kind = ?",
                                                         arguments: [Data(r.blob.digest.bytes), Int64(r.kind.rawValue)]) {
                        indices.append(UInt64(existing))
                        continue
                    }
                    let enc = r.encoded
                    let leaf = MerkleHash.leaf(enc)
                    try db.execute(sql: "INSERT INTO fingerprint (seq, blob_id, kind, record, leaf_hash) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [Int64(range.size), Data(r.blob.digest.bytes), Int64(r.kind.rawValue), Data(enc), Data(leaf.bytes)])
                    indices.append(range.size)
                    range.append(leafHash: leaf)
                }
                try db.execute(sql: "UPDATE head SET size = ?, root = ?, peaks = ? WHERE id = 0",
                               arguments: [Int64(range.size), Data(range.root.bytes), Data(range.peaks.flatMap { $0.bytes })])
                return indices
            }
        } catch { throw .database("\(error)") }
    }

    /// Every record of a blob, oldest first.
    public func entries(for blob: BlobID) throws(Error) -> [Entry] {
        try fetch("SELECT seq, record, leaf_hash, blob_id, kind FROM fingerprint WHERE blob_id = ? ORDER BY seq", [Data(blob.digest.bytes)])
    }

    /// The latest record of a blob.
    public func latest(for blob: BlobID) throws(Error) -> Entry? { try entries(for: blob).last }

    /// All records, in log order.
    public func allEntries() throws(Error) -> [Entry] {
        try fetch("SELECT seq, record, leaf_hash, blob_id, kind FROM fingerprint ORDER BY seq", [])
    }

    /// Blob ids that have a record of this kind.
    public func blobs(kind: Fingerprint.Kind) throws(Error) -> Set<BlobID> {
        do {
            return try db.read { db in
                Set(try Data.fetchAll(db, sql: "SELECT blob_id FROM fingerprint WHERE kind = ?", arguments: [Int64(kind.rawValue)])
                    .compactMap { Digest(bytes: $0).map(BlobID.init(digest:)) })
            }
        } catch { throw .database("\(error)") }
    }

    /// Leaf hashes in order (as stored).
    public func leafHashes() throws(Error) -> [Digest] {
        do {
            return try db.read { db in
                try Data.fetchAll(db, sql: "SELECT leaf_hash FROM fingerprint ORDER BY seq").map { Digest(bytes: $0) ?? .zero }
            }
        } catch { throw .database("\(error)") }
    }

    /// Inclusion proof (same JSON as `caldera merkle inclusion`) of the blob's latest record.
    public func inclusionProof(for blob: BlobID) throws(Error) -> InclusionProof {
        guard let e = try latest(for: blob) else { throw .unknownBlob(blob) }
        return try inclusionProof(index: e.index)
    }

    public func inclusionProof(index: UInt64) throws(Error) -> InclusionProof {
        let tree = MerkleTree(leafHashes: try leafHashes())
        do { return try tree.inclusionProof(index: Int(index)) } catch { throw .proof(error) }
    }

    /// Consistency proof from the first `oldSize` records to the whole log.
    public func consistencyProof(oldSize: UInt64) throws(Error) -> ConsistencyProof {
        let tree = MerkleTree(leafHashes: try leafHashes())
        guard oldSize > 0 else { throw .proof(.emptyOldTree) }
        guard oldSize <= UInt64(tree.size) else { throw .proof(.sizeDecrease(oldSize: oldSize, newSize: UInt64(tree.size))) }
        do { return try tree.consistencyProof(oldSize: Int(oldSize)) } catch { throw .proof(error) }
    }

    func fetch(_ sql: String, _ args: StatementArguments) throws(Error) -> [Entry] {
        let rows: [(Int64, Data, Data, Data, Int64)]
        do {
            rows = try db.read { db in
                try Row.fetchAll(db, sql: sql, arguments: args).map { ($0["seq"], $0["record"], $0["leaf_hash"], $0["blob_id"], $0["kind"]) }
            }
        } catch { throw .database("\(error)") }
        var out = [Entry]()
        for (seq, rec, leaf, blobID, kind) in rows {
            guard seq >= 0 else { throw .database("a record has the negative index \(seq) (damaged)") }
            let f: Fingerprint
            do { f = try Fingerprint(decoding: [UInt8](rec)) } catch { throw .corruptRecord(index: UInt64(seq), error) }
            // Lookups go by these columns: they must say what the record says (review finding).
            guard [UInt8](blobID) == f.blob.digest.bytes, kind == Int64(f.kind.rawValue) else {
                throw .database("record \(seq): its blob_id or kind column differs from the record itself (damaged)")
            }
            out.append(Entry(index: UInt64(seq), fingerprint: f, leafHash: Digest(bytes: leaf) ?? .zero))
        }
        return out
    }
}
