import Consensus
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif
import Merkle

public enum RecordStoreError: Error, Equatable, CustomStringConvertible {
    case notFound(String)
    case wrongGuardian(path: String, stored: String, config: String)
    case corrupt(String)
    case storage(String)
    case inUse(String)
    public var description: String {
        switch self {
        case let .notFound(p): "no guardian store at \(p) (start the guardian with `caldera guardian run` first)"
        case let .wrongGuardian(p, s, c):
            "\(p) belongs to guardian \(s.prefix(16))…, not \(c.prefix(16))… (a store must never be shared: its votes would be signed twice)"
        case let .corrupt(m): "guardian store is damaged: \(m)"
        case let .storage(m): "guardian store: \(m)"
        case let .inUse(p): "\(p) is in use by another guardian process (one process per store: two would sign twice)"
        }
    }
}

/// A guardian's write-ahead store: SQLite through GRDB, in WAL mode with `synchronous = FULL`, so that a
/// committed transaction is on disk (the WAL is fsync'd at every commit) before the messages of the same
/// `Ready` leave. NORMAL would survive kill -9 (the WAL reaches the kernel) but not a power cut, after which
/// the guardian could sign a second, conflicting vote: one fsync per step with records is the price.
///
/// Two tables: `records` (everything the core asked to persist except committed snapshots: votes, proposals,
/// locks, decisions, shares, by sequence) and `committed` (the committed log, one row per height, never
/// pruned: `caldera guardian log` reads it). Compaction deletes the records of heights that are committed
/// and below the current one; what the core needs after a restart is the committed tail and the records of
/// the heights not yet committed.
public final class RecordStore {
    public static let schemaVersion = 1
    public let path: String
    let db: any DatabaseWriter
    var appendsSinceCompaction = 0
    /// The writer's exclusive `flock` on PATH.lock, released by the kernel when the process dies (even by SIGKILL).
    var lockDescriptor: Int32 = -1

    static let schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY AUTOINCREMENT, height INTEGER NOT NULL, kind INTEGER NOT NULL, bytes BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS records_height ON records(height);
        CREATE TABLE IF NOT EXISTS committed (height INTEGER PRIMARY KEY NOT NULL, bytes BLOB NOT NULL);
        """

    init(path: String, db: any DatabaseWriter) { self.path = path; self.db = db }
    deinit { if lockDescriptor >= 0 { closeDescriptor(lockDescriptor) } }


    /// Opens (creating) the store of the guardian `identity` for writing. A store made by another key is refused.
    public static func open(path: String, identity: [UInt8]) throws(RecordStoreError) -> RecordStore {
        try checkPath(path, mustExist: false)
        let lock = try lockStoreExclusively(path)
        do {
            var c = Configuration()
            c.busyMode = .timeout(5)
            let pool = try DatabasePool(path: path, configuration: c)
            // Set after opening: GRDB's WAL set-up lowers the writer to NORMAL after any prepareDatabase hook.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try pool.write { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                guard version == 0 || version == schemaVersion else { throw RecordStoreError.corrupt("schema version \(version), expected \(schemaVersion)") }
                try db.execute(sql: schema)
                try db.execute(sql: "PRAGMA user_version = \(schemaVersion)")
                if let stored = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'identity'") {
                    guard [UInt8](stored) == identity else {
                        throw RecordStoreError.wrongGuardian(path: path, stored: Hex.encode([UInt8](stored)), config: Hex.encode(identity))
                    }
                } else {
                    try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('identity', ?)", arguments: [Data(identity)])
                }
            }
            let store = RecordStore(path: path, db: pool)
            store.lockDescriptor = lock
            return store
        } catch {
            closeDescriptor(lock)
            throw wrap(error)
        }
    }

    /// Opens an existing store read-only (a WAL reader: works while the guardian writes).
    public static func openReadOnly(path: String) throws(RecordStoreError) -> RecordStore {
        try checkPath(path, mustExist: true)
        do {
            var c = Configuration()
            c.readonly = true
            c.busyMode = .timeout(5)
            return RecordStore(path: path, db: try DatabaseQueue(path: path, configuration: c))
        } catch { throw wrap(error) }
    }

    static func checkPath(_ path: String, mustExist: Bool) throws(RecordStoreError) {
        var st = stat()
        if stat(path, &st) != 0 {
            if mustExist { throw .notFound(path) }
            return
        }
        guard st.st_mode & S_IFMT == S_IFREG else { throw .storage("\(path) is not a regular file") }
    }

    static func wrap(_ error: any Error) -> RecordStoreError {
        if let e = error as? RecordStoreError { return e }
        if let e = error as? ConsensusDecodeError { return .corrupt("\(e)") }
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .corrupt("not a SQLite database, or damaged")
            case .SQLITE_FULL: return .storage("the disk is full")
            case .SQLITE_BUSY, .SQLITE_LOCKED: return .storage("busy: another process holds the store locked")
            case .SQLITE_CANTOPEN: return .storage("cannot open (missing directory or permissions)")
            default:
                if (e.message ?? "").contains("no such table") { return .corrupt("not a guardian store (missing tables)") }
                return .storage("SQLite result code \(e.resultCode.rawValue)")
            }
        }
        return .storage("\(error)")
    }

    /// What a restarted core is given: the newest `retainedCommits` committed snapshots, then every other record in order.
    public func load(retainedCommits: Int) throws(RecordStoreError) -> [Consensus.Record] {
        do {
            return try db.read { db in
                var out = [Consensus.Record]()
                let committed = try Data.fetchAll(db, sql: "SELECT bytes FROM (SELECT height, bytes FROM committed ORDER BY height DESC LIMIT ?) ORDER BY height",
                                                  arguments: [retainedCommits])
                for b in committed { out.append(try RecordCodec.decode([UInt8](b))) }
                for b in try Data.fetchAll(db, sql: "SELECT bytes FROM records ORDER BY seq") { out.append(try RecordCodec.decode([UInt8](b))) }
                return out
            }
        } catch { throw RecordStore.wrap(error) }
    }

    /// Persists one step's records in one transaction (fsync'd at commit). `currentHeight` is the core's height
    /// after the step: every so often, records of committed heights below it are deleted in the same transaction.
    public func append(_ records: [Consensus.Record], currentHeight: UInt64) throws(RecordStoreError) {
        guard !records.isEmpty else { return }
        appendsSinceCompaction += 1
        let compact = appendsSinceCompaction >= 64
        if compact { appendsSinceCompaction = 0 }
        do {
            try db.write { db in
                for r in records {
                    let h = Int64(clamping: RecordCodec.height(of: r))
                    let bytes = Data(RecordCodec.encode(r))
                    if case .committed = r {
                        try db.execute(sql: "INSERT OR IGNORE INTO committed (height, bytes) VALUES (?, ?)", arguments: [h, bytes])
                    } else {
                        try db.execute(sql: "INSERT INTO records (height, kind, bytes) VALUES (?, ?, ?)",
                                       arguments: [h, Int(RecordCodec.kind(of: r).rawValue), bytes])
                    }
                }
                if compact {
                    try db.execute(sql: "DELETE FROM records WHERE height < ? AND height IN (SELECT height FROM committed)",
                                   arguments: [Int64(clamping: currentHeight)])
                }
            }
        } catch { throw RecordStore.wrap(error) }
    }

    /// Committed snapshots from `height` on, oldest first, at most `limit`.
    public func committed(from height: UInt64 = 0, limit: Int = Int.max) throws(RecordStoreError) -> [CommittedSnapshot] {
        do {
            return try db.read { db in
                try Data.fetchAll(db, sql: "SELECT bytes FROM committed WHERE height >= ? ORDER BY height LIMIT ?",
                                  arguments: [Int64(clamping: height), Int64(clamping: limit)]).map { b in
                    guard case let .committed(c) = try RecordCodec.decode([UInt8](b)) else { throw RecordStoreError.corrupt("a committed row holds another record") }
                    return c
                }
            }
        } catch { throw RecordStore.wrap(error) }
    }

    /// Rows in `records` (not the committed log): what compaction keeps small.
    public func pendingRecordCount() throws(RecordStoreError) -> Int {
        do { return try db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0 } } catch { throw RecordStore.wrap(error) }
    }

    /// The `synchronous` setting of the writer (2 = FULL).
    public func synchronousSetting() throws(RecordStoreError) -> Int {
        do { return try db.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 } } catch { throw RecordStore.wrap(error) }
    }

    public func close() throws(RecordStoreError) {
        do {
            if let p = db as? DatabasePool { try p.close() } else if let q = db as? DatabaseQueue { try q.close() }
        } catch { throw RecordStore.wrap(error) }
        if lockDescriptor >= 0 { closeDescriptor(lockDescriptor); lockDescriptor = -1 }
    }
}

/// `close(2)`, named apart from `RecordStore.close()`.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }

/// One writer per store, across processes: a second `guardian run` on the same data directory is refused.
private func lockStoreExclusively(_ path: String) throws(RecordStoreError) -> Int32 {
    let fd = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .storage("cannot open \(path).lock: \(String(cString: strerror(errno)))") }
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
        if errno == EINTR { continue }
        let e = errno
        _ = close(fd)
        throw e == EWOULDBLOCK ? .inUse(path) : .storage("cannot lock \(path).lock: \(String(cString: strerror(e)))")
    }
    return fd
}
