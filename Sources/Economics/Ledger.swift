import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a ledger file could not be created, opened or written. Every message is ours: no SQLite text reaches users.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyExists(String)
    case notFound(String)
    /// The path names a directory, device, FIFO, socket or symbolic link (`kind` says which), not a ledger file.
    case notARegularFile(path: String, kind: String)
    /// A regular file that is not an SQLite database in the ledger's format.
    case notALedger(String)
    case unsupportedVersion(path: String, version: Int)
    case corrupt(String)
    /// Another process held the write lock for longer than ``Ledger/busyTimeout``.
    case busy(String)
    /// An operation was applied to a ledger opened with `readOnly: true`.
    case readOnly(String)
    case storage(String)

    public var description: String {
        switch self {
        case .alreadyExists(let path): return "ledger '\(path)' already exists; choose another file or delete it first"
        case .notFound(let path): return "no ledger at '\(path)'; create one with `caldera economy init --ledger \(path) --genesis GENESIS.json`"
        case .notARegularFile(let path, let kind): return "'\(path)' is \(kind), not a ledger file; give the path of a regular file"
        case .notALedger(let path): return "'\(path)' is not a ledger (not an SQLite database written by `caldera economy init`)"
        case .unsupportedVersion(let path, let version): return "'\(path)' is not a ledger this version can read (schema version \(version))"
        case .corrupt(let message): return "the ledger is inconsistent: \(message)"
        case .busy(let path): return "ledger busy, retry: another process kept '\(path)' locked longer than the ledger waits (\(Int(Ledger.busyTimeout)) s by default)"
        case .readOnly(let path): return "ledger '\(path)' is open read-only; open it for writing to apply operations"
        case .storage(let message): return "ledger storage failed: \(message)"
        }
    }
}

/// The durable shell around ``EconomyState``: SQLite through GRDB in WAL mode.
///
/// Each operation is one transaction that writes the rows of the accounts it touched, the global record, and one
/// journal row; so a crash at any point leaves either the state before or the state after the operation. The
/// journal starts with the genesis (sequence 0) and holds every applied operation with its events, so the state can
/// be rebuilt and cross-checked by replay (``replayJournal()``).
///
/// Concurrency: any number of processes may open one ledger. Writers serialise on SQLite's write lock, taken at the
/// start of the transaction (`BEGIN IMMEDIATE`); a writer waits up to ``busyTimeout`` for it, then fails with
/// ``LedgerError/busy(_:)``. Inside the lock, ``apply(_:)`` first re-reads the state if another process committed
/// since this one loaded it, so no two writers compute the same journal sequence or overwrite each other's rows
/// from a stale snapshot. A ledger opened `readOnly` reads one consistent snapshot and never writes.
public final class Ledger {
    /// The schema version in `PRAGMA user_version`: 1 (economy), 2 (governance: the `proposals` table).
    public static let schemaVersion = 2

    /// The schema's versioned migrations, in order: each takes a ledger from the version before it to `version`.
    /// ``migrate(_:)`` applies the missing ones in one write transaction, so an older ledger opened for writing is
    /// upgraded entirely or not at all; `create` builds version 1 and migrates it, so new and upgraded ledgers are
    /// made by the same steps. Version 1 ledgers stay readable read-only (as a state without proposals).
    static let migrations: [(version: Int, apply: @Sendable (Database) throws -> Void)] = [
        (2, { db in try db.execute(sql: "CREATE TABLE proposals (id INTEGER PRIMARY KEY, record TEXT NOT NULL)") }),
    ]
    /// How long a writer waits for another process's transaction before giving up with ``LedgerError/busy(_:)``.
    public static let busyTimeout: TimeInterval = 5

    public let path: String
    /// Whether the ledger was opened with `readOnly: true`: ``apply(_:)`` then throws ``LedgerError/readOnly(_:)``.
    public let isReadOnly: Bool
    /// The current state: what was on disk when last read or written by this object.
    public private(set) var state: EconomyState
    /// A DatabasePool (WAL, one writer and concurrent readers) for writing; a read-only DatabaseQueue for reading.
    let database: any DatabaseWriter
    /// Set while `state` may differ from the file (an in-memory apply whose commit failed and could not be reloaded).
    private var mustReload = false
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// The global (non-account) part of the state, stored as one JSON record.
    struct Globals: Codable {
        var parameters: EconomyParameters
        var epoch: UInt64
        var totalSupply: Amount
        var classes: [StakeRole: RewardClass]
        var pools: [String: Amount]
        var totalBonded: Amount
        var totalUnbonding: Amount
        var recentSlashes: [RecentSlash]
        var operationCount: UInt64
        /// Absent in schema-version-1 ledgers: no proposals, open guardian membership.
        var governance: GovernanceState.Globals?
    }

    private init(path: String, database: any DatabaseWriter, state: EconomyState, readOnly: Bool) {
        self.path = path; self.database = database; self.state = state; self.isReadOnly = readOnly
    }

    private static func configuration(readOnly: Bool, busyTimeout: TimeInterval) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        // Wait for another process's write transaction instead of failing at once with "database is locked".
        configuration.busyMode = .timeout(busyTimeout)
        return configuration
    }

    private static func openPool(_ path: String, busyTimeout: TimeInterval = Ledger.busyTimeout) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration(readOnly: false, busyTimeout: busyTimeout))
        // FULL: a committed operation survives power loss, not only a process crash. Set on the writer after
        // opening: GRDB's WAL set-up lowers the writer to NORMAL after any prepareDatabase hook has run.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return pool
    }

    // MARK: - Files

    /// What `lstat`/`stat` says is at `path`: nil if nothing, else the file type bits.
    private static func fileType(_ path: String, followingLinks: Bool) throws -> mode_t? {
        var info = stat()
        let result = followingLinks ? stat(path, &info) : lstat(path, &info)
        if result == 0 { return info.st_mode & S_IFMT }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw LedgerError.storage("cannot inspect '\(path)': \(String(cString: strerror(errno)))")
    }

    private static func describe(_ type: mode_t) -> String {
        switch type {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    /// SQLite's companion files of a database: a ledger may have a WAL and its index; a rollback journal would
    /// mean something else wrote it.
    private static let companionSuffixes = ["-wal", "-shm", "-journal"]

    /// Refuses, before SQLite touches anything, a path that is not a regular file (SQLite would open a FIFO and
    /// block, or write `/dev/null-journal`), companions that are not regular files (SQLite would follow a symbolic
    /// link and write through it), and a file that is not an SQLite database in WAL mode with our schema version
    /// (opening for writing would convert it). Returns the resolved path, so that SQLite's companions are checked
    /// where SQLite puts them.
    private static func checkLedgerFile(_ path: String) throws -> String {
        guard let type = try fileType(path, followingLinks: true) else { throw LedgerError.notFound(path) }
        guard type == S_IFREG else { throw LedgerError.notARegularFile(path: path, kind: describe(type)) }
        let resolved = realpath(path, nil).map { pointer in defer { free(pointer) }; return String(cString: pointer) } ?? path
        for suffix in companionSuffixes {
            if let type = try fileType(resolved + suffix, followingLinks: false), type != S_IFREG {
                throw LedgerError.notARegularFile(path: resolved + suffix, kind: describe(type))
            }
        }
        // The 100-byte SQLite header: magic, WAL read/write versions (2, 2) at 18–19, user_version at 60–63.
        // `create` checkpoints on close, so the header's user_version is current.
        guard let header = readPrefix(resolved, count: 100) else {
            throw LedgerError.storage("cannot read '\(path)': \(String(cString: strerror(errno)))")
        }
        guard header.count == 100, header[0..<16].elementsEqual(Array("SQLite format 3\0".utf8)), header[18] == 2, header[19] == 2 else {
            throw LedgerError.notALedger(path)
        }
        // In WAL mode the header may predate a migration not yet checkpointed; loadState checks the version exactly.
        let version = header[60..<64].reduce(0) { $0 << 8 | Int($1) }
        guard (1...schemaVersion).contains(version) else { throw LedgerError.unsupportedVersion(path: path, version: version) }
        return resolved
    }

    // MARK: - Creating and opening

    /// Creates a new ledger file holding the genesis state. Fails, writing nothing at `path`, if anything exists
    /// there (a file, a directory, a device, a symbolic link even if dangling: nothing is followed or replaced),
    /// if SQLite companion files of that name exist, or if the genesis is invalid. The file is built under a
    /// temporary name and hard-linked into place, which fails rather than replaces if something appeared
    /// meanwhile; so a crash during creation never leaves a half-made ledger at `path`.
    public static func create(path: String, genesis: Genesis) throws -> Ledger {
        let state = try EconomyState(genesis: genesis)
        try refuseExisting(path)
        for suffix in companionSuffixes where try fileType(path + suffix, followingLinks: false) != nil {
            throw LedgerError.storage("'\(path + suffix)' is left over from another database; remove it before creating a ledger at '\(path)'")
        }
        let temporary = path + ".creating-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func removeTemporary() { for suffix in [""] + companionSuffixes { unlink(temporary + suffix) } }
        removeTemporary()
        defer { removeTemporary() }
        do {
            let database = try openPool(temporary)
            let ledger = Ledger(path: temporary, database: database, state: state, readOnly: false)
            try ledger.writeGenesis(genesis)
            try database.close()  // checkpoints the WAL into the main file and removes the WAL
        } catch {
            throw mapped(error, path: path, creating: true)
        }
        // link(2) never replaces an existing entry, unlike rename(2). File systems without hard links get a
        // checked rename (a narrow race remains there, but no symbolic link is ever followed).
        if link(temporary, path) != 0 {
            let code = errno
            if code == EEXIST { try refuseExisting(path) }
            guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == EMLINK else {
                throw LedgerError.storage("cannot create '\(path)': \(String(cString: strerror(code)))")
            }
            try refuseExisting(path)
            guard rename(temporary, path) == 0 else {
                throw LedgerError.storage("cannot create '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        return try open(path: path)
    }

    private static func refuseExisting(_ path: String) throws {
        guard let type = try fileType(path, followingLinks: false) else { return }
        if type == S_IFREG { throw LedgerError.alreadyExists(path) }
        throw LedgerError.notARegularFile(path: path, kind: describe(type))
    }

    private func writeGenesis(_ genesis: Genesis) throws {
        let genesisJSON = try String(decoding: encoder.encode(genesis), as: UTF8.self)
        let globals = try encodedGlobals()
        let accountRows = try state.accounts.values.map { ($0.id, try String(decoding: encoder.encode($0), as: UTF8.self)) }
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE accounts (id TEXT PRIMARY KEY, record TEXT NOT NULL);
                CREATE TABLE journal (seq INTEGER PRIMARY KEY, epoch INTEGER NOT NULL, kind TEXT NOT NULL,
                                      operation TEXT NOT NULL, events TEXT NOT NULL);
                PRAGMA user_version = 1;
                """)
            try Ledger.migrate(db)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('globals', ?)", arguments: [globals])
            for (id, record) in accountRows {
                try db.execute(sql: "INSERT INTO accounts (id, record) VALUES (?, ?)", arguments: [id, record])
            }
            try db.execute(sql: "INSERT INTO journal (seq, epoch, kind, operation, events) VALUES (0, 0, 'genesis', ?, '[]')",
                           arguments: [genesisJSON])
        }
    }

    /// Opens an existing ledger, loads its state and checks every invariant and the journal length.
    ///
    /// With `readOnly: true` (reports, queries) the file is opened read-only: one consistent snapshot is read and
    /// nothing is ever written to the database. SQLite may still create the empty `-wal` and `-shm` companion
    /// files next to it if no writer has them open, as a WAL-mode reader needs them; they are the files every
    /// writer uses and hold no data. The path must name a regular file (devices, FIFOs and directories are
    /// refused before SQLite opens anything).
    public static func open(path: String, readOnly: Bool = false) throws -> Ledger {
        try open(path: path, readOnly: readOnly, busyTimeout: busyTimeout)
    }

    /// ``open(path:readOnly:)`` with another busy timeout (tests use a short one).
    static func open(path: String, readOnly: Bool, busyTimeout: TimeInterval) throws -> Ledger {
        let resolved = try checkLedgerFile(path)
        let database: any DatabaseWriter
        do {
            database = readOnly ? try DatabaseQueue(path: resolved, configuration: configuration(readOnly: true, busyTimeout: busyTimeout))
                                : try openPool(resolved, busyTimeout: busyTimeout)
            if !readOnly, try database.read({ db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }) < schemaVersion {
                try database.write { db in try migrate(db) }
            }
        } catch {
            throw mapped(error, path: path)
        }
        let state = try read(database, path: path) { db in try loadState(db, path: path) }
        return Ledger(path: path, database: database, state: state, readOnly: readOnly)
    }

    /// Runs `body` in one read transaction (a snapshot), with errors mapped to ``LedgerError``.
    private static func read<T>(_ database: any DatabaseWriter, path: String, _ body: (Database) throws -> T) throws -> T {
        do { return try database.read(body) } catch { throw mapped(error, path: path) }
    }

    /// Applies the migrations the ledger lacks, under the write lock (so concurrent openers migrate once).
    static func migrate(_ db: Database) throws {
        var version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard (1...schemaVersion).contains(version) else { throw LedgerError.unsupportedVersion(path: db.description, version: version) }
        for migration in migrations where migration.version > version {
            try migration.apply(db)
            try db.execute(sql: "PRAGMA user_version = \(migration.version)")
            version = migration.version
        }
    }

    /// Loads and checks the whole state from inside a transaction. O(accounts + proposals).
    private static func loadState(_ db: Database, path: String) throws -> EconomyState {
        let decoder = JSONDecoder()
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        guard (1...Ledger.schemaVersion).contains(version) else { throw LedgerError.unsupportedVersion(path: path, version: version) }
        guard try db.tableExists("meta"), try db.tableExists("accounts"), try db.tableExists("journal") else {
            throw LedgerError.corrupt("a table of the ledger is missing")
        }
        guard let globalsText = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'globals'") else {
            throw LedgerError.corrupt("no global record")
        }
        let globals = try decoder.decode(Globals.self, from: Data(globalsText.utf8))
        var accounts: [String: Account] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT id, record FROM accounts")
        while let row = try cursor.next() {
            // A damaged row must give an error, not GRDB's fatal error on a NULL (review finding).
            guard let id = row["id"] as String?, let record = row["record"] as String? else {
                throw LedgerError.corrupt("an account row has no id or record")
            }
            accounts[id] = try decoder.decode(Account.self, from: Data(record.utf8))
        }
        var proposals: [UInt64: Proposal] = [:]
        if version >= 2 {
            guard try db.tableExists("proposals") else { throw LedgerError.corrupt("the proposals table is missing") }
            let rows = try Row.fetchCursor(db, sql: "SELECT id, record FROM proposals")
            while let row = try rows.next() {
                guard let id = row["id"] as Int64?, let record = row["record"] as String? else {
                    throw LedgerError.corrupt("a proposal row has no id or record")
                }
                let proposal = try decoder.decode(Proposal.self, from: Data(record.utf8))
                guard Int64(clamping: proposal.id) == id else { throw LedgerError.corrupt("proposal row \(id) holds proposal \(proposal.id)") }
                proposals[proposal.id] = proposal
            }
        }
        let lastSeq = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") ?? -1
        guard lastSeq >= 0, UInt64(lastSeq) == globals.operationCount else {
            throw LedgerError.corrupt("journal ends at \(lastSeq) but the state has applied \(globals.operationCount) operations")
        }
        let state = EconomyState(
            parameters: globals.parameters, epoch: globals.epoch, totalSupply: globals.totalSupply, accounts: accounts,
            classes: globals.classes, pools: globals.pools, totalBonded: globals.totalBonded,
            totalUnbonding: globals.totalUnbonding, recentSlashes: globals.recentSlashes, operationCount: globals.operationCount,
            governance: globals.governance.map { GovernanceState(globals: $0, proposals: proposals) } ?? GovernanceState(membership: .open))
        do { try state.checkInvariants() } catch { throw LedgerError.corrupt(String(describing: error)) }
        return state
    }

    private func encodedGlobals() throws -> String {
        let globals = Globals(parameters: state.parameters, epoch: state.epoch, totalSupply: state.totalSupply,
                              classes: state.classes, pools: state.pools, totalBonded: state.totalBonded,
                              totalUnbonding: state.totalUnbonding, recentSlashes: state.recentSlashes,
                              operationCount: state.operationCount, governance: state.governance.globals)
        return try String(decoding: encoder.encode(globals), as: UTF8.self)
    }

    // MARK: - Writing

    /// Applies one operation and persists it in one transaction. A refused operation (``EconomyError``) writes
    /// nothing. The operation applies to the state on disk at the moment the write lock is taken, which may
    /// include operations other processes committed after this ledger was opened (``state`` is refreshed).
    /// Throws ``LedgerError/busy(_:)`` if the lock stays taken for ``busyTimeout``.
    @discardableResult
    public func apply(_ operation: EconomyOperation) throws -> [EconomyEvent] {
        guard !isReadOnly else { throw LedgerError.readOnly(path) }
        do {
            let events = try database.write { db -> [EconomyEvent] in
                // Under the write lock (BEGIN IMMEDIATE): if the journal moved on since we loaded, our state is a
                // stale snapshot; applying to it would reuse a sequence number and overwrite newer account rows.
                let stored = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") ?? -1
                if mustReload || stored != Int64(clamping: state.operationCount) {
                    state = try Ledger.loadState(db, path: path)
                    mustReload = false
                }
                let events = try state.apply(operation)  // refused: throws, state unchanged, transaction rolled back
                mustReload = true  // memory is ahead of the file until the commit succeeds
                let touched = Set(events.flatMap(\.accounts)).sorted()
                for id in touched {
                    guard let account = state.accounts[id] else { continue }
                    let record = try String(decoding: encoder.encode(account), as: UTF8.self)
                    try db.execute(sql: "INSERT OR REPLACE INTO accounts (id, record) VALUES (?, ?)", arguments: [id, record])
                }
                for id in Set(events.flatMap(\.proposals)).sorted() {
                    guard let proposal = state.governance.proposals[id] else { continue }
                    let record = try String(decoding: encoder.encode(proposal), as: UTF8.self)
                    try db.execute(sql: "INSERT OR REPLACE INTO proposals (id, record) VALUES (?, ?)", arguments: [Int64(id), record])
                }
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'globals'", arguments: [try encodedGlobals()])
                try db.execute(sql: "INSERT INTO journal (seq, epoch, kind, operation, events) VALUES (?, ?, 'operation', ?, ?)",
                               arguments: [Int64(state.operationCount), Int64(state.epoch),
                                           String(decoding: encoder.encode(operation), as: UTF8.self),
                                           String(decoding: encoder.encode(events), as: UTF8.self)])
                return events
            }
            mustReload = false
            return events
        } catch let error as EconomyError {
            throw error
        } catch {
            if mustReload, let reloaded = try? Ledger.read(database, path: path, { db in try Ledger.loadState(db, path: path) }) {
                state = reloaded
                mustReload = false
            }
            throw Ledger.mapped(error, path: path)
        }
    }

    // MARK: - Reading

    /// Number of journal rows (genesis included).
    public func journalLength() throws -> Int {
        try Ledger.read(database, path: path) { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal") ?? 0 }
    }

    /// Rebuilds the state from the journal alone: genesis, then every operation in order. Equal to ``state`` for a
    /// consistent ledger; the crash tests check that.
    public func replayJournal() throws -> EconomyState {
        let decoder = JSONDecoder()
        return try Ledger.read(database, path: path) { db in
            let cursor = try Row.fetchCursor(db, sql: "SELECT seq, kind, operation FROM journal ORDER BY seq")
            guard let first = try cursor.next(), first["kind"] as String? == "genesis", first["seq"] as Int64? == 0,
                  let genesisJSON = first["operation"] as String? else {
                throw LedgerError.corrupt("the journal does not start with the genesis")
            }
            var replayed: EconomyState
            do { replayed = try EconomyState(genesis: decoder.decode(Genesis.self, from: Data(genesisJSON.utf8))) } catch {
                throw LedgerError.corrupt("the journal's genesis is refused: \(error)")
            }
            var expected: Int64 = 1
            while let row = try cursor.next() {
                guard row["seq"] as Int64? == expected else { throw LedgerError.corrupt("journal sequence has a gap at \(expected)") }
                guard let text = row["operation"] as String? else { throw LedgerError.corrupt("journal entry \(expected) has no operation") }
                do { try replayed.apply(decoder.decode(EconomyOperation.self, from: Data(text.utf8))) } catch {
                    throw LedgerError.corrupt("journal entry \(expected) does not replay: \(error)")
                }
                expected += 1
            }
            return replayed
        }
    }

    /// See ``EconomyState/eligibleNodes(role:atEpoch:)``.
    public func eligibleNodes(role: StakeRole, atEpoch epoch: UInt64) -> [EligibleNode] {
        state.eligibleNodes(role: role, atEpoch: epoch)
    }

    /// The guardian set in force at `epoch` (membership from governance, weights from guardian bonds), as of the
    /// state this object last read: see ``EconomyState/guardianSet(atEpoch:)``. Guardian consensus reads it per epoch,
    /// opening the ledger read-only; ``EconomyParameters/snapshotSlotMillis`` and the guardian minimum in force are in
    /// `state.parameters`.
    public func guardianSet(atEpoch epoch: UInt64) -> GuardianSetView {
        state.guardianSet(atEpoch: epoch)
    }

    /// See ``EconomyState/guardianSchedule()``: the set from each membership change on, for a committee schedule.
    public func guardianSchedule() -> [GuardianSetView] { state.guardianSchedule() }

    // MARK: - Errors

    /// Our wording for a storage failure: SQLite's own messages never reach users.
    static func mapped(_ error: any Error, path: String, creating: Bool = false) -> LedgerError {
        switch error {
        case let error as LedgerError:
            return error
        case let error as DatabaseError:
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return .busy(path)
            case .SQLITE_NOTADB:
                return .notALedger(path)
            case .SQLITE_CORRUPT:
                return .corrupt("the database file '\(path)' is damaged")
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
                return .storage("'\(path)' cannot be written (read-only file, directory or file system, or no permission)")
            case .SQLITE_CANTOPEN:
                return .storage(creating ? "cannot create '\(path)'; check that its directory exists and is writable"
                                         : "cannot open '\(path)' or its -wal/-shm files; check the permissions of the file and its directory")
            case .SQLITE_FULL:
                return .storage("the disk holding '\(path)' is full")
            case .SQLITE_IOERR:
                return .storage("input/output error on '\(path)'")
            case .SQLITE_CONSTRAINT:
                return .corrupt("a row of '\(path)' conflicts with the journal (was the file changed by another program?)")
            default:
                return .storage("SQLite result code \(error.resultCode.rawValue) on '\(path)'")
            }
        case let error as DecodingError:
            if case .dataCorrupted(let context) = error { return .corrupt("a stored record cannot be read: \(context.debugDescription)") }
            return .corrupt("a stored record cannot be read: \(fieldPath(codingPath(of: error)))")
        case let error as EncodingError:
            return .storage("a record cannot be encoded: \(error)")
        default:
            return .storage(String(describing: error))
        }
    }

    private static func codingPath(of error: DecodingError) -> [any CodingKey] {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            return context.codingPath
        @unknown default:
            return []
        }
    }
}

/// The first `count` bytes of a regular file (fewer if it is shorter), or nil if it cannot be read. Non-blocking,
/// in case the path was swapped for a FIFO since it was checked.
private func readPrefix(_ path: String, count: Int) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes = [UInt8](repeating: 0, count: count)
    let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, count) }
    guard got >= 0 else { return nil }
    return Array(bytes.prefix(got))
}
