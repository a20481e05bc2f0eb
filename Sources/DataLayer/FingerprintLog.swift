import Foundation
import GRDB
import Merkle

/// Read access to a fingerprint log: the live log, or a snapshot of it.
public protocol FingerprintLogReader: AnyObject {
    /// The current head (size and root), as persisted.
    func head() throws(FingerprintLog.Error) -> FingerprintLog.Head
    /// The persisted compact-range peaks (what the next append extends), for `verify`.
    func persistedPeaks() throws(FingerprintLog.Error) -> [Digest]
    /// Every record of a blob, oldest first.
    func entries(for blob: BlobID) throws(FingerprintLog.Error) -> [FingerprintLog.Entry]
    /// All records, in log order.
    func allEntries() throws(FingerprintLog.Error) -> [FingerprintLog.Entry]
    /// Blob ids that have a record of this kind.
    func blobs(kind: Fingerprint.Kind) throws(FingerprintLog.Error) -> Set<BlobID>
    /// Leaf hashes in order (as stored).
    func leafHashes() throws(FingerprintLog.Error) -> [Digest]
    /// True when the last append that carried a hot-store height carried this one: the log's `put`
    /// records cover every batch the hot store has committed. Cheap; `DataStore` checks it on open.
    func covers(hotHeight: UInt64) throws(FingerprintLog.Error) -> Bool
}

/// A fingerprint log that can be appended to. `FingerprintLog` (SQLite) is the embedded one,
/// `MemoryFingerprintLog` the one tests use.
public protocol FingerprintLogStore: FingerprintLogReader {
    /// Appends the records not already present (by blob and kind) atomically, together with the hot
    /// store's height when given (see `covers(hotHeight:)`); returns the index of every given record
    /// (existing or new), in order.
    @discardableResult
    func append(_ records: [Fingerprint], coveringHotHeight: UInt64?) throws(FingerprintLog.Error) -> [UInt64]
    /// A read-only view of the log as it is now, which later appends do not change.
    func snapshot() throws(FingerprintLog.Error) -> any FingerprintLogReader
}

extension FingerprintLogStore {
    @discardableResult
    public func append(_ records: [Fingerprint]) throws(FingerprintLog.Error) -> [UInt64] { try append(records, coveringHotHeight: nil) }
}

extension FingerprintLogReader {
    /// The latest record of a blob.
    public func latest(for blob: BlobID) throws(FingerprintLog.Error) -> FingerprintLog.Entry? { try entries(for: blob).last }

    /// Inclusion proof (same JSON as `caldera merkle inclusion`) of the blob's latest record.
    public func inclusionProof(for blob: BlobID) throws(FingerprintLog.Error) -> InclusionProof {
        guard let e = try latest(for: blob) else { throw .unknownBlob(blob) }
        return try inclusionProof(index: e.index)
    }

    public func inclusionProof(index: UInt64) throws(FingerprintLog.Error) -> InclusionProof {
        let tree = MerkleTree(leafHashes: try leafHashes())
        guard index < UInt64(tree.size) else { throw .proof(.indexOutOfRange(index: index, size: UInt64(tree.size))) }
        do { return try tree.inclusionProof(index: Int(index)) } catch { throw .proof(error) }
    }

    /// Consistency proof from the first `oldSize` records to the whole log.
    public func consistencyProof(oldSize: UInt64) throws(FingerprintLog.Error) -> ConsistencyProof {
        let tree = MerkleTree(leafHashes: try leafHashes())
        guard oldSize > 0 else { throw .proof(.emptyOldTree) }
        guard oldSize <= UInt64(tree.size) else { throw .proof(.sizeDecrease(oldSize: oldSize, newSize: UInt64(tree.size))) }
        do { return try tree.consistencyProof(oldSize: Int(oldSize)) } catch { throw .proof(error) }
    }
}

/// The append-only RFC 6962 log of fingerprints, persisted in SQLite (WAL). Leaf i is record i's
/// canonical encoding; the head (size, root and the compact-range peaks) is updated in the same
/// transaction as the records it covers, so the root on disk is always the root of the records on
/// disk. Appends are idempotent: a (blob, kind) pair is recorded at most once.
public final class FingerprintLog: FingerprintLogStore {
    public enum Error: SQLiteSupport.TierError, CustomStringConvertible {
        case database(String)
        case corruptRecord(index: UInt64, FormatError)
        case unknownBlob(BlobID)
        case proof(MerkleError)
        /// Another connection held the database longer than the busy timeout; retrying may succeed.
        case busy
        public var description: String {
            switch self {
            case let .database(s): "fingerprint log: \(s)"
            case let .corruptRecord(i, e): "fingerprint log record \(i) is corrupt: \(e)"
            case let .unknownBlob(id): "no fingerprint for blob \(id) in the log (unknown id)"
            case let .proof(e): "fingerprint log proof: \(e)"
            case .busy: "fingerprint log: busy (another process holds it); retry"
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
    let path: String

    /// The tables, created by the store's writer in an empty file.
    static let schema = """
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
        """

    /// - Parameter create: create or upgrade the schema (the store's writer only; see `SQLiteHotStore`).
    public init(path: String, create: Bool = true, busyTimeout: Duration = .seconds(5)) throws(Error) {
        self.path = path
        db = try SQLiteSupport.open(path: path, create: create, busyTimeout: busyTimeout, schema: Self.schema, tables: "log tables", errors: Error.self)
    }

    static func wrap(_ error: any Swift.Error, _ path: String) -> Error { SQLiteSupport.wrap(error, path) }

    public func head() throws(Error) -> Head { try Self.head(db, path) }
    public func persistedPeaks() throws(Error) -> [Digest] { try Self.persistedPeaks(db, path) }
    public func entries(for blob: BlobID) throws(Error) -> [Entry] { try Self.entries(db, path, for: blob) }
    public func allEntries() throws(Error) -> [Entry] { try Self.allEntries(db, path) }
    public func blobs(kind: Fingerprint.Kind) throws(Error) -> Set<BlobID> { try Self.blobs(db, path, kind: kind) }
    public func leafHashes() throws(Error) -> [Digest] { try Self.leafHashes(db, path) }
    public func covers(hotHeight: UInt64) throws(Error) -> Bool { try Self.covers(db, path, hotHeight: hotHeight) }

    public func snapshot() throws(Error) -> any FingerprintLogReader {
        do { return SQLiteLogSnapshot(db: try db.makeSnapshot(), path: path) } catch { throw Self.wrap(error, path) }
    }

    /// The hot height a log covers is kept in the SQLite header's `user_version` (32 bits, so its low
    /// 32 bits): no table or record changes, and it commits atomically with the records.
    static func mark(_ hotHeight: UInt64) -> Int32 { Int32(bitPattern: UInt32(truncatingIfNeeded: hotHeight)) }

    static func covers(_ r: any DatabaseReader, _ path: String, hotHeight: UInt64) throws(Error) -> Bool {
        do { return try r.read { db in try Int32.fetchOne(db, sql: "PRAGMA user_version") } == mark(hotHeight) } catch { throw wrap(error, path) }
    }

    static func head(_ r: any DatabaseReader, _ path: String) throws(Error) -> Head {
        do {
            return try r.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT size, root FROM head WHERE id = 0"),
                      let size = UInt64(exactly: (row.value("size") as Int64?) ?? -1), let root: Data = row.value("root"), let digest = Digest(bytes: root) else {
                    throw Error.database("the log's head row is missing or damaged")
                }
                return Head(size: size, root: digest)
            }
        } catch { throw wrap(error, path) }
    }

    static func decodePeaks(_ row: Row?) -> [Digest]? {
        guard let b: Data = row?.value("peaks"), b.count % 32 == 0 else { return nil }
        return stride(from: 0, to: b.count, by: 32).map { Digest(bytes: Array(b[$0 ..< $0 + 32]))! }
    }

    static func persistedPeaks(_ r: any DatabaseReader, _ path: String) throws(Error) -> [Digest] {
        do {
            return try r.read { db in
                guard let peaks = decodePeaks(try Row.fetchOne(db, sql: "SELECT peaks FROM head WHERE id = 0")) else {
                    throw Error.database("the log's head row is missing or damaged")
                }
                return peaks
            }
        } catch { throw wrap(error, path) }
    }

    public func append(_ records: [Fingerprint], coveringHotHeight: UInt64?) throws(Error) -> [UInt64] {
        do {
            return try db.write { db in
                // A damaged head must give an error, not a trap (review finding).
                guard let row = try Row.fetchOne(db, sql: "SELECT size, peaks FROM head WHERE id = 0"),
                      let size = UInt64(exactly: (row.value("size") as Int64?) ?? -1), let peaks = Self.decodePeaks(row) else {
                    throw Error.database("the log's head row is missing or damaged")
                }
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
                // PRAGMA takes no bound parameters; the value is an integer we formatted.
                if let h = coveringHotHeight { try db.execute(sql: "PRAGMA user_version = \(Self.mark(h))") }
                return indices
            }
        } catch { throw Self.wrap(error, path) }
    }

    static func entries(_ r: any DatabaseReader, _ path: String, for blob: BlobID) throws(Error) -> [Entry] {
        try fetch(r, path, "SELECT seq, record, leaf_hash, blob_id, kind FROM fingerprint WHERE blob_id = ? ORDER BY seq", [Data(blob.digest.bytes)])
    }

    static func allEntries(_ r: any DatabaseReader, _ path: String) throws(Error) -> [Entry] {
        try fetch(r, path, "SELECT seq, record, leaf_hash, blob_id, kind FROM fingerprint ORDER BY seq", [])
    }

    static func blobs(_ r: any DatabaseReader, _ path: String, kind: Fingerprint.Kind) throws(Error) -> Set<BlobID> {
        do {
            return try r.read { db in
                Set(try Data.fetchAll(db, sql: "SELECT blob_id FROM fingerprint WHERE kind = ?", arguments: [Int64(kind.rawValue)])
                    .compactMap { Digest(bytes: $0).map(BlobID.init(digest:)) })
            }
        } catch { throw wrap(error, path) }
    }

    static func leafHashes(_ r: any DatabaseReader, _ path: String) throws(Error) -> [Digest] {
        do {
            return try r.read { db in
                try Row.fetchAll(db, sql: "SELECT leaf_hash FROM fingerprint ORDER BY seq").map { (($0.value("leaf_hash") as Data?).flatMap { Digest(bytes: $0) }) ?? .zero }
            }
        } catch { throw wrap(error, path) }
    }

    static func fetch(_ r: any DatabaseReader, _ path: String, _ sql: String, _ args: StatementArguments) throws(Error) -> [Entry] {
        let rows: [Row]
        do { rows = try r.read { db in try Row.fetchAll(db, sql: sql, arguments: args) } } catch { throw wrap(error, path) }
        var out = [Entry]()
        for row in rows {
            guard let seq: Int64 = row.value("seq"), seq >= 0 else { throw .database("a record has a missing or negative index (damaged)") }
            guard let rec: Data = row.value("record"), let leaf: Data = row.value("leaf_hash"), let blobID: Data = row.value("blob_id"),
                  let kind: Int64 = row.value("kind") else { throw .database("record \(seq) has a missing or mistyped column (damaged)") }
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

/// A read transaction on `log.sqlite`, open until the snapshot is released.
final class SQLiteLogSnapshot: FingerprintLogReader {
    let db: DatabaseSnapshot
    let path: String
    init(db: DatabaseSnapshot, path: String) { self.db = db; self.path = path }
    func head() throws(FingerprintLog.Error) -> FingerprintLog.Head { try FingerprintLog.head(db, path) }
    func persistedPeaks() throws(FingerprintLog.Error) -> [Digest] { try FingerprintLog.persistedPeaks(db, path) }
    func entries(for blob: BlobID) throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { try FingerprintLog.entries(db, path, for: blob) }
    func allEntries() throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { try FingerprintLog.allEntries(db, path) }
    func blobs(kind: Fingerprint.Kind) throws(FingerprintLog.Error) -> Set<BlobID> { try FingerprintLog.blobs(db, path, kind: kind) }
    func leafHashes() throws(FingerprintLog.Error) -> [Digest] { try FingerprintLog.leafHashes(db, path) }
    func covers(hotHeight: UInt64) throws(FingerprintLog.Error) -> Bool { try FingerprintLog.covers(db, path, hotHeight: hotHeight) }
}
