import Foundation
import GRDB
import Merkle

/// What every tier knows about a blob without reading it.
public struct BlobMeta: Equatable, Sendable, Codable {
    public var id: BlobID
    public var namespace: Namespace
    /// The DA height it was posted at (the embedded store counts `put` batches).
    public var height: UInt64
    /// Order of arrival in the hot tier (within a height: the order of the batch).
    public var sequence: UInt64
    /// When it was posted, seconds since 1970 (UTC).
    public var time: Int64
    public var size: UInt64
    public var originalHash: Digest
    public var storedSize: UInt64
    public var storedHash: Digest
    /// Celestia's share commitment for the blob (share version 0).
    public var commitment: Digest
    public init(id: BlobID, namespace: Namespace, height: UInt64, sequence: UInt64 = 0, time: Int64, size: UInt64, originalHash: Digest,
                storedSize: UInt64, storedHash: Digest, commitment: Digest) {
        self.id = id; self.namespace = namespace; self.height = height; self.sequence = sequence; self.time = time; self.size = size
        self.originalHash = originalHash; self.storedSize = storedSize; self.storedHash = storedHash; self.commitment = commitment
    }
}

public enum HotStoreError: SQLiteSupport.TierError, CustomStringConvertible {
    case database(String)
    case corrupt(BlobID, String)
    /// Another connection held the database longer than the busy timeout; retrying may succeed.
    case busy
    public var description: String {
        switch self {
        case let .database(s): "hot store: \(s)"
        case let .corrupt(id, s): "hot store: blob \(id) is corrupt: \(s)"
        case .busy: "hot store: busy (another process holds it); retry"
        }
    }
}

/// Read access to the hot tier: the live store, or a snapshot of it.
public protocol HotStoreReader: AnyObject {
    /// The blob's bytes, verified against its hashes; nil when the tier does not hold it.
    func get(_ id: BlobID) throws(HotStoreError) -> [UInt8]?
    func meta(_ id: BlobID) throws(HotStoreError) -> BlobMeta?
    /// Every blob the tier holds, by height then id.
    func list() throws(HotStoreError) -> [BlobMeta]
    /// How many `put` batches were committed (the last DA height). Cheap: `DataStore` compares it with
    /// the fingerprint log's mark on every open to detect a `put` cut short between its two commits.
    func height() throws(HotStoreError) -> UInt64
}

/// The hot tier: recent blobs, quick to reach. A real Celestia node (blob.Submit / blob.Get over its
/// RPC) can sit behind this protocol; `SQLiteHotStore` is the embedded default, `MemoryHotStore` the
/// one tests use.
public protocol HotStore: HotStoreReader {
    /// Stores blobs as one batch at the next height; returns the metadata of each (existing blobs are
    /// left as they are and their existing metadata returned). All or nothing.
    func put(_ blobs: [(namespace: Namespace, data: [UInt8])], time: Int64) throws(HotStoreError) -> [BlobMeta]
    /// Releases blobs (after they are safely archived). Idempotent; all or nothing.
    func delete(_ ids: [BlobID]) throws(HotStoreError)
    /// A read-only view of the tier as it is now, which later writes do not change (a read
    /// transaction). `DataStore` takes one of each database together to read a consistent store.
    func snapshot() throws(HotStoreError) -> any HotStoreReader
}

/// The embedded hot tier: SQLite through GRDB in WAL mode (synchronous = FULL), one row per blob, the
/// bytes LZ4-compressed when that saves at least 1/8 (else stored raw), and Celestia's share
/// commitment computed at put.
public final class SQLiteHotStore: HotStore {
    let db: DatabasePool
    let path: String
    enum Encoding: Int64 { case raw = 0, lz4 = 1 }

    /// The tables, created by the store's writer in an empty file.
    static let schema = """
        CREATE TABLE blob (
            id BLOB PRIMARY KEY,
            namespace BLOB NOT NULL,
            height INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            time INTEGER NOT NULL,
            size INTEGER NOT NULL,
            sha256 BLOB NOT NULL,
            encoding INTEGER NOT NULL,
            stored BLOB NOT NULL,
            stored_sha256 BLOB NOT NULL,
            commitment BLOB NOT NULL) WITHOUT ROWID;
        CREATE INDEX blob_by_time ON blob (namespace, time);
        CREATE TABLE chain (id INTEGER PRIMARY KEY CHECK (id = 0), height INTEGER NOT NULL, seq INTEGER NOT NULL);
        INSERT INTO chain (id, height, seq) VALUES (0, 0, 0);
        """

    /// - Parameter create: create or upgrade the schema. Only the store's writer may (two processes
    ///   creating the same tables race); a reader opens what a writer created, or gets an error.
    public init(path: String, create: Bool = true, busyTimeout: Duration = .seconds(5)) throws(HotStoreError) {
        self.path = path
        db = try SQLiteSupport.open(path: path, create: create, busyTimeout: busyTimeout, schema: Self.schema, tables: "hot-store tables",
                                    errors: HotStoreError.self) { db in
            // Released blobs' pages go back to the file system (set before the first table exists).
            try db.writeWithoutTransaction { db in
                if try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 0, try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0 {
                    try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                    try db.execute(sql: "VACUUM") // applies it to the (still empty) file
                }
            }
        }
    }

    static func wrap(_ error: any Error, _ path: String) -> HotStoreError { SQLiteSupport.wrap(error, path) }

    /// Encodes one blob for the hot tier (pure: done outside the write transaction).
    static func prepare(namespace: Namespace, data: [UInt8]) -> (id: BlobID, hash: Digest, encoding: Encoding, stored: [UInt8], storedHash: Digest, commitment: Digest) {
        let id = BlobID(namespace: namespace, data: data)
        let hash = SHA256.hash(data)
        var encoding = Encoding.raw
        var stored = data
        if data.count >= 64, let c = try? LZ4.compress(data), c.count <= data.count - data.count / 8 {
            encoding = .lz4; stored = c
        }
        let commitment = (try? CelestiaCommitment.commitment(namespace: namespace, data: data)) ?? .zero
        return (id, hash, encoding, stored, encoding == .raw ? hash : SHA256.hash(stored), commitment)
    }

    public func put(_ blobs: [(namespace: Namespace, data: [UInt8])], time: Int64) throws(HotStoreError) -> [BlobMeta] {
        let prepared = blobs.map { Self.prepare(namespace: $0.namespace, data: $0.data) }
        do {
            return try db.write { db in
                // A damaged file must give an error, not a trap (review finding).
                guard let chain = try Row.fetchOne(db, sql: "SELECT height, seq FROM chain WHERE id = 0"),
                      let h: Int64 = chain.value("height"), let q: Int64 = chain.value("seq"), h >= 0, q >= 0, h < Int64.max else {
                    throw HotStoreError.database("the hot store's chain row is missing or damaged")
                }
                let height = UInt64(h) + 1
                var seq = UInt64(q)
                var out = [BlobMeta]()
                for (p, b) in zip(prepared, blobs) {
                    if let existing = try Self.fetchMeta(db, p.id) { out.append(existing); continue }
                    try db.execute(sql: """
                        INSERT INTO blob (id, namespace, height, seq, time, size, sha256, encoding, stored, stored_sha256, commitment)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [Data(p.id.digest.bytes), Data(b.namespace.bytes), Int64(height), Int64(seq), time, Int64(b.data.count),
                                         Data(p.hash.bytes), p.encoding.rawValue, Data(p.stored), Data(p.storedHash.bytes), Data(p.commitment.bytes)])
                    seq += 1
                    out.append(BlobMeta(id: p.id, namespace: b.namespace, height: height, sequence: seq - 1, time: time, size: UInt64(b.data.count),
                                        originalHash: p.hash, storedSize: UInt64(p.stored.count), storedHash: p.storedHash, commitment: p.commitment))
                }
                try db.execute(sql: "UPDATE chain SET height = ?, seq = ? WHERE id = 0", arguments: [Int64(height), Int64(seq)])
                return out
            }
        } catch { throw Self.wrap(error, path) }
    }

    static let metaColumns = "id, namespace, height, seq, time, size, sha256, length(stored) AS stored_size, stored_sha256, commitment"

    static func meta(_ row: Row) -> BlobMeta? {
        guard let id: Data = row.value("id"), let ns: Data = row.value("namespace"), let h: Data = row.value("sha256"),
              let sh: Data = row.value("stored_sha256"), let c: Data = row.value("commitment") else { return nil }
        guard let idd = Digest(bytes: id), let nss = Namespace(bytes: [UInt8](ns)), let hd = Digest(bytes: h), let shd = Digest(bytes: sh),
              let cd = Digest(bytes: c) else { return nil }
        guard let height = UInt64(exactly: (row.value("height") as Int64?) ?? -1), let seq = UInt64(exactly: (row.value("seq") as Int64?) ?? -1),
              let time: Int64 = row.value("time"), let size = UInt64(exactly: (row.value("size") as Int64?) ?? -1),
              let storedSize = UInt64(exactly: (row.value("stored_size") as Int64?) ?? -1) else { return nil } // damaged row
        return BlobMeta(id: BlobID(digest: idd), namespace: nss, height: height, sequence: seq, time: time,
                        size: size, originalHash: hd, storedSize: storedSize, storedHash: shd, commitment: cd)
    }

    static func fetchMeta(_ db: Database, _ id: BlobID) throws -> BlobMeta? {
        try Row.fetchOne(db, sql: "SELECT \(metaColumns) FROM blob WHERE id = ?", arguments: [Data(id.digest.bytes)]).flatMap(meta)
    }

    public func meta(_ id: BlobID) throws(HotStoreError) -> BlobMeta? { try Self.meta(db, path, id) }
    public func get(_ id: BlobID) throws(HotStoreError) -> [UInt8]? { try Self.get(db, path, id) }
    public func list() throws(HotStoreError) -> [BlobMeta] { try Self.list(db, path) }
    public func height() throws(HotStoreError) -> UInt64 { try Self.height(db, path) }

    public func snapshot() throws(HotStoreError) -> any HotStoreReader {
        do { return SQLiteHotSnapshot(db: try db.makeSnapshot(), path: path) } catch { throw Self.wrap(error, path) }
    }

    // Reads, shared by the live store (a pool) and its snapshots.

    static func meta(_ r: any DatabaseReader, _ path: String, _ id: BlobID) throws(HotStoreError) -> BlobMeta? {
        do { return try r.read { db in try Self.fetchMeta(db, id) } } catch { throw wrap(error, path) }
    }

    static func height(_ r: any DatabaseReader, _ path: String) throws(HotStoreError) -> UInt64 {
        do {
            return try r.read { db in
                guard let h = try Int64.fetchOne(db, sql: "SELECT height FROM chain WHERE id = 0"), h >= 0 else {
                    throw HotStoreError.database("the hot store's chain row is missing or damaged")
                }
                return UInt64(h)
            }
        } catch { throw wrap(error, path) }
    }

    static func get(_ r: any DatabaseReader, _ path: String, _ id: BlobID) throws(HotStoreError) -> [UInt8]? {
        let row: Row?
        do {
            row = try r.read { db in try Row.fetchOne(db, sql: "SELECT size, sha256, encoding, stored, stored_sha256 FROM blob WHERE id = ?",
                                                      arguments: [Data(id.digest.bytes)]) }
        } catch { throw wrap(error, path) }
        guard let row else { return nil }
        guard let stored: Data = row.value("stored"), let enc: Int64 = row.value("encoding") else { throw .corrupt(id, "a column is missing or of the wrong type") }
        // LZ4 expands at most ~255×: a recorded size beyond that is damage, not a reason to allocate.
        guard let rawSize: Int64 = row.value("size"), rawSize >= 0, rawSize <= Int64(stored.count) * 256 + 64 else {
            throw .corrupt(id, "recorded size is impossible for the stored bytes")
        }
        let size = Int(rawSize)
        let want = (row.value("sha256") as Data?).flatMap { Digest(bytes: $0) }, wantStored = (row.value("stored_sha256") as Data?).flatMap { Digest(bytes: $0) }
        let data: [UInt8]
        switch Encoding(rawValue: enc) {
        case .raw: data = [UInt8](stored)
        case .lz4:
            guard SHA256.hash(stored) == wantStored else { throw .corrupt(id, "stored bytes do not match their SHA-256") }
            do { data = try LZ4.decompress(stored, originalSize: size) } catch { throw .corrupt(id, "\(error)") }
        case nil: throw .corrupt(id, "unknown encoding \(enc)")
        }
        guard SHA256.hash(data) == want else { throw .corrupt(id, "bytes do not match the blob's SHA-256") }
        return data
    }

    static func list(_ r: any DatabaseReader, _ path: String) throws(HotStoreError) -> [BlobMeta] {
        do {
            let rows = try r.read { db in try Row.fetchAll(db, sql: "SELECT \(Self.metaColumns) FROM blob ORDER BY height, seq") }
            var out = [BlobMeta]()
            for row in rows {
                // A damaged row is reported, never skipped: verify and migrate must not overlook a blob.
                guard let m = Self.meta(row) else { throw HotStoreError.database("a row of the hot store is damaged (bad id, hash or size)") }
                out.append(m)
            }
            return out
        } catch { throw wrap(error, path) }
    }

    public func delete(_ ids: [BlobID]) throws(HotStoreError) {
        do {
            try db.write { db in
                for id in ids { try db.execute(sql: "DELETE FROM blob WHERE id = ?", arguments: [Data(id.digest.bytes)]) }
            }
            try db.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA incremental_vacuum") }
        } catch { throw Self.wrap(error, path) }
    }
}

/// A read transaction on `hot.sqlite`, open until the snapshot is released.
final class SQLiteHotSnapshot: HotStoreReader {
    let db: DatabaseSnapshot
    let path: String
    init(db: DatabaseSnapshot, path: String) { self.db = db; self.path = path }
    func get(_ id: BlobID) throws(HotStoreError) -> [UInt8]? { try SQLiteHotStore.get(db, path, id) }
    func meta(_ id: BlobID) throws(HotStoreError) -> BlobMeta? { try SQLiteHotStore.meta(db, path, id) }
    func list() throws(HotStoreError) -> [BlobMeta] { try SQLiteHotStore.list(db, path) }
    func height() throws(HotStoreError) -> UInt64 { try SQLiteHotStore.height(db, path) }
}
