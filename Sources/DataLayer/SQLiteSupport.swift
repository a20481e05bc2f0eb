import Foundation
import GRDB

/// What the SQLite-backed tiers share: how connections are configured and how SQLite's failures are
/// put into words (no raw "SQLite error 5: database is locked" reaches a user).
enum SQLiteSupport {
    /// How long a connection waits for another connection's lock before giving up with "busy".
    static let defaultBusyTimeout: Duration = .seconds(5)

    static func configuration(busyTimeout: Duration) -> Configuration {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let c = busyTimeout.components
        config.busyMode = .timeout(TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18)
        return config
    }

    /// Opens a tier's database, whose `schema` is its one migration ("v1"). Only the store's writer creates
    /// the tables (`create`; two processes creating the same tables race), after `prepare` has set up the
    /// still empty file; a reader opens what a writer created, or gets an error naming `tables` ("log tables").
    /// Failures are the tier's `errors`.
    static func open<E: TierError>(path: String, create: Bool, busyTimeout: Duration, schema: String, tables: String, errors: E.Type,
                                   prepare: (DatabasePool) throws -> Void = { _ in }) throws(E) -> DatabasePool {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in try db.execute(sql: schema) }
        do {
            let db = try DatabasePool(path: path, configuration: configuration(busyTimeout: busyTimeout))
            if create {
                try prepare(db)
                try migrator.migrate(db)
            } else if try !db.read({ db in try migrator.hasCompletedMigrations(db) }) {
                throw E.database("\((path as NSString).lastPathComponent) has no \(tables) yet (is the store being created?)")
            }
            return db
        } catch { throw wrap(error, path) }
    }

    /// A tier's error for anything thrown inside a GRDB access: its own errors pass through, SQLite's
    /// are classified (`busy`, or put into words).
    static func wrap<E: TierError>(_ error: any Error, _ path: String) -> E {
        if let e = error as? E { return e }
        switch classify(error, file: path) {
        case .busy: return .busy
        case let .other(s): return .database(s)
        }
    }

    /// The error type of a SQLite-backed tier: its cases for a busy database and for any other failure.
    protocol TierError: Error {
        static var busy: Self { get }
        static func database(_ message: String) -> Self
    }

    enum Failure {
        /// Another connection held a lock for longer than the busy timeout: worth retrying.
        case busy
        case other(String)
    }

    /// Classifies an error thrown inside a GRDB access. Errors of our own pass through as their text.
    static func classify(_ error: any Error, file: String) -> Failure {
        guard let e = error as? DatabaseError else { return .other("\(error)") }
        let name = (file as NSString).lastPathComponent
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy
        case .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FORMAT:
            return .other("\(name) is damaged or is not a SQLite database")
        case .SQLITE_CANTOPEN: return .other("cannot open \(name) (missing directory, permissions, or not a regular file)")
        case .SQLITE_FULL: return .other("the disk holding \(name) is full")
        case .SQLITE_IOERR: return .other("input/output error on \(name)")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH: return .other("\(name) cannot be written (read-only file or directory)")
        case .SQLITE_NOMEM: return .other("out of memory while reading \(name)")
        case .SQLITE_TOOBIG: return .other("a value is too large for \(name)")
        case .SQLITE_CONSTRAINT: return .other("\(name) refused a write that would break its constraints (damaged?)")
        default:
            if (e.message ?? "").contains("no such table") || (e.message ?? "").contains("no such column") {
                return .other("\(name) does not have the tables of a Caldera store (not a store file, or damaged)")
            }
            return .other("SQLite could not complete an operation on \(name) (result code \(e.resultCode.rawValue))")
        }
    }
}

extension Row {
    /// A column's value, or nil when it is NULL or of another type. GRDB's typed subscripts trap on a
    /// type mismatch; a damaged or hand-edited file must give an error instead.
    func value<T: DatabaseValueConvertible>(_ column: String) -> T? {
        guard let v = self[column] as DatabaseValue? else { return nil }
        return T.fromDatabaseValue(v)
    }
}
