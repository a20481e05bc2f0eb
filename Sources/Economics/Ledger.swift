import Foundation
import GRDB

/// Why a ledger file could not be created, opened or written.
public enum LedgerError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyExists(String)
    case notFound(String)
    case unsupportedVersion(path: String, version: Int)
    case corrupt(String)
    case storage(String)

    public var description: String {
        switch self {
        case .alreadyExists(let path): return "ledger '\(path)' already exists; choose another file or delete it first"
        case .notFound(let path): return "no ledger at '\(path)'; create one with `caldera economy init --ledger \(path) --genesis GENESIS.json`"
        case .unsupportedVersion(let path, let version): return "'\(path)' is not a ledger this version can read (schema version \(version))"
        case .corrupt(let message): return "the ledger is inconsistent: \(message)"
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
public final class Ledger {
    /// The schema version in `PRAGMA user_version`.
    public static let schemaVersion = 1

    public let path: String
    /// The current state, equal to what is on disk.
    public private(set) var state: EconomyState
    private let database: DatabasePool
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
    }

    private init(path: String, database: DatabasePool, state: EconomyState) {
        self.path = path; self.database = database; self.state = state
    }

    private static func openPool(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // FULL: a committed operation survives power loss, not only a process crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// Creates a new ledger file holding the genesis state. Fails, writing nothing, if the file exists or the
    /// genesis is invalid. The file is built under a temporary name and renamed into place, so a crash during
    /// creation never leaves a half-made ledger at `path`.
    public static func create(path: String, genesis: Genesis) throws -> Ledger {
        let state = try EconomyState(genesis: genesis)
        guard !FileManager.default.fileExists(atPath: path) else { throw LedgerError.alreadyExists(path) }
        let temporary = path + ".creating-\(ProcessInfo.processInfo.processIdentifier)"
        func removeTemporary() { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporary + suffix) } }
        removeTemporary()
        do {
            let database = try openPool(temporary)
            let ledger = Ledger(path: temporary, database: database, state: state)
            try ledger.writeGenesis(genesis)
            try database.close()  // checkpoints the WAL into the main file
            guard !FileManager.default.fileExists(atPath: path) else {
                removeTemporary()
                throw LedgerError.alreadyExists(path)
            }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch let error as LedgerError {
            throw error
        } catch {
            removeTemporary()
            throw LedgerError.storage(String(describing: error))
        }
        return try open(path: path)
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
                PRAGMA user_version = \(Ledger.schemaVersion);
                """)
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('globals', ?)", arguments: [globals])
            for (id, record) in accountRows {
                try db.execute(sql: "INSERT INTO accounts (id, record) VALUES (?, ?)", arguments: [id, record])
            }
            try db.execute(sql: "INSERT INTO journal (seq, epoch, kind, operation, events) VALUES (0, 0, 'genesis', ?, '[]')",
                           arguments: [genesisJSON])
        }
    }

    /// Opens an existing ledger, loads its state and checks every invariant and the journal length.
    public static func open(path: String) throws -> Ledger {
        guard FileManager.default.fileExists(atPath: path) else { throw LedgerError.notFound(path) }
        let database: DatabasePool
        do { database = try openPool(path) } catch { throw LedgerError.storage(String(describing: error)) }
        let state = try load(database, path: path)
        return Ledger(path: path, database: database, state: state)
    }

    private static func load(_ database: DatabasePool, path: String) throws -> EconomyState {
        let decoder = JSONDecoder()
        do {
            return try database.read { db in
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                guard version == Ledger.schemaVersion else { throw LedgerError.unsupportedVersion(path: path, version: version) }
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
                let lastSeq = try UInt64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") ?? 0
                guard lastSeq == globals.operationCount else {
                    throw LedgerError.corrupt("journal ends at \(lastSeq) but the state has applied \(globals.operationCount) operations")
                }
                let state = EconomyState(
                    parameters: globals.parameters, epoch: globals.epoch, totalSupply: globals.totalSupply, accounts: accounts,
                    classes: globals.classes, pools: globals.pools, totalBonded: globals.totalBonded,
                    totalUnbonding: globals.totalUnbonding, recentSlashes: globals.recentSlashes, operationCount: globals.operationCount)
                do { try state.checkInvariants() } catch { throw LedgerError.corrupt(String(describing: error)) }
                return state
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.storage(String(describing: error))
        }
    }

    private func encodedGlobals() throws -> String {
        let globals = Globals(parameters: state.parameters, epoch: state.epoch, totalSupply: state.totalSupply,
                              classes: state.classes, pools: state.pools, totalBonded: state.totalBonded,
                              totalUnbonding: state.totalUnbonding, recentSlashes: state.recentSlashes,
                              operationCount: state.operationCount)
        return try String(decoding: encoder.encode(globals), as: UTF8.self)
    }

    /// Applies one operation and persists it in one transaction. A refused operation (``EconomyError``) writes
    /// nothing; a storage failure reloads the state from disk, so memory never runs ahead of the file.
    @discardableResult
    public func apply(_ operation: EconomyOperation) throws -> [EconomyEvent] {
        let events = try state.apply(operation)
        do {
            let touched = Set(events.flatMap(\.accounts)).sorted()
            let rows = try touched.map { id in (id, try String(decoding: encoder.encode(state.accounts[id]!), as: UTF8.self)) }
            let globals = try encodedGlobals()
            let operationJSON = try String(decoding: encoder.encode(operation), as: UTF8.self)
            let eventsJSON = try String(decoding: encoder.encode(events), as: UTF8.self)
            let seq = state.operationCount, epoch = state.epoch
            try database.write { db in
                for (id, record) in rows {
                    try db.execute(sql: "INSERT OR REPLACE INTO accounts (id, record) VALUES (?, ?)", arguments: [id, record])
                }
                try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'globals'", arguments: [globals])
                try db.execute(sql: "INSERT INTO journal (seq, epoch, kind, operation, events) VALUES (?, ?, 'operation', ?, ?)",
                               arguments: [Int64(seq), Int64(epoch), operationJSON, eventsJSON])
            }
        } catch {
            if let reloaded = try? Ledger.load(database, path: path) { state = reloaded }
            throw LedgerError.storage(String(describing: error))
        }
        return events
    }

    /// Number of journal rows (genesis included).
    public func journalLength() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM journal") ?? 0 }
    }

    /// Rebuilds the state from the journal alone: genesis, then every operation in order. Equal to ``state`` for a
    /// consistent ledger; the crash test checks that.
    public func replayJournal() throws -> EconomyState {
        let decoder = JSONDecoder()
        return try database.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT seq, kind, operation FROM journal ORDER BY seq")
            guard let first = rows.first, (first["kind"] as String) == "genesis", (first["seq"] as Int64) == 0 else {
                throw LedgerError.corrupt("the journal does not start with the genesis")
            }
            var replayed = try EconomyState(genesis: decoder.decode(Genesis.self, from: Data((first["operation"] as String).utf8)))
            for (offset, row) in rows.dropFirst().enumerated() {
                guard (row["seq"] as Int64) == Int64(offset + 1) else { throw LedgerError.corrupt("journal sequence has a gap at \(offset + 1)") }
                let operation = try decoder.decode(EconomyOperation.self, from: Data((row["operation"] as String).utf8))
                try replayed.apply(operation)
            }
            return replayed
        }
    }

    /// See ``EconomyState/eligibleNodes(role:atEpoch:)``.
    public func eligibleNodes(role: StakeRole, atEpoch epoch: UInt64) -> [EligibleNode] {
        state.eligibleNodes(role: role, atEpoch: epoch)
    }
}
