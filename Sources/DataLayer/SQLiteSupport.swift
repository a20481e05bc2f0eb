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
