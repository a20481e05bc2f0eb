import Foundation
import GRDB
import Testing
@testable import Economics
#if canImport(Glibc)
import Glibc
#endif

/// What the ledger does with paths that are not ledgers, and what readers leave behind. Every special file is made
/// in a temporary directory (never under /dev): if a check failed, SQLite's side files would land there too.
@Suite struct LedgerFileTests {
    func fileBytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func modificationDate(_ path: String) throws -> Date {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
    }

    /// A ledger with a few operations and no open connection (the WAL checkpointed away).
    func closedLedger(in directory: String) throws -> String {
        let path = directory + "/ledger.db"
        do {
            let ledger = try Ledger.create(path: path, genesis: Genesis(accounts: ["a": era(300_000), "fees": era(1_000)]))
            try ledger.apply(.stake(account: "a", role: .core, amount: era(100_000)))
            try ledger.apply(.distribute(revenue: era(10), payer: "fees"))
        }
        return path
    }

    /// Hostile-input finding: a report opened the ledger for writing (GRDB's WAL set-up even wrote a transaction).
    @Test func aReadOnlyOpenNeverWritesTheDatabase() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try closedLedger(in: directory)
        let before = try fileBytes(path), modified = try modificationDate(path)
        usleep(20_000)  // so that a write would show in the modification time
        do {
            let reader = try Ledger.open(path: path, readOnly: true)
            #expect(reader.isReadOnly)
            #expect(reader.state.operationCount == 2)
            let report = reader.state.report()
            #expect(report.accountedFor == report.totalSupply)
            #expect(try reader.replayJournal() == reader.state)
            #expect(throws: LedgerError.readOnly(path)) { try reader.apply(.claim(account: "a")) }
            #expect(reader.state.operationCount == 2)
        }
        #expect(try fileBytes(path) == before)
        #expect(try modificationDate(path) == modified)
        // Only SQLite's own companions may appear, and the WAL holds nothing.
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(names.isSubset(of: ["ledger.db", "ledger.db-wal", "ledger.db-shm"]))
        if names.contains("ledger.db-wal") { #expect(try fileBytes(path + "-wal").isEmpty) }
    }

    @Test func aReaderSeesOneSnapshotWhileAWriterWrites() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try closedLedger(in: directory)
        let writer = try Ledger.open(path: path)
        let reader = try Ledger.open(path: path, readOnly: true)
        try writer.apply(.claim(account: "a"))
        #expect(reader.state.operationCount == 2)  // loaded before the write
        #expect(try Ledger.open(path: path, readOnly: true).state == writer.state)
    }

    @Test func openRefusesWhatIsNotARegularFileBeforeSQLiteTouchesIt() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/fifo", folder = directory + "/folder", link = directory + "/link-to-fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fifo)
        var cases: [(String, String)] = [(fifo, "a FIFO (named pipe)"), (folder, "a directory"), (link, "a FIFO (named pipe)")]
        // A character device like /dev/null, made here (as root) so that no test writes near /dev.
        let device = directory + "/null"
        if mknod(device, S_IFCHR | 0o666, (1 << 8) | 3) == 0 { cases.append((device, "a character device")) }
        for (path, kind) in cases {
            for readOnly in [true, false] {
                // A FIFO open would block: this returning at all is part of the test.
                #expect(throws: LedgerError.notARegularFile(path: path, kind: kind)) { try Ledger.open(path: path, readOnly: readOnly) }
            }
            #expect(LedgerError.notARegularFile(path: path, kind: kind).description.contains(kind))
        }
        // Nothing was created beside them (the /dev/null-journal finding).
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(names == Set(["fifo", "folder", "link-to-fifo"] + (cases.count == 4 ? ["null"] : [])))
    }

    @Test func openRefusesFilesThatAreNotLedgersWithoutChangingThem() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = directory + "/notes.txt", empty = directory + "/empty.db", foreign = directory + "/foreign.db"
        try "not a database, but long enough to have a header of a hundred bytes or more... ............................."
            .write(toFile: text, atomically: true, encoding: .utf8)
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        do {  // an SQLite database in WAL mode that is not a ledger (user_version 0)
            let pool = try DatabasePool(path: foreign)
            try pool.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER)") }
            try pool.close()
        }
        let snapshots = try [text, empty, foreign].map { ($0, try fileBytes($0)) }
        for readOnly in [true, false] {
            #expect(throws: LedgerError.notALedger(text)) { try Ledger.open(path: text, readOnly: readOnly) }
            #expect(throws: LedgerError.notALedger(empty)) { try Ledger.open(path: empty, readOnly: readOnly) }
            #expect(throws: LedgerError.unsupportedVersion(path: foreign, version: 0)) { try Ledger.open(path: foreign, readOnly: readOnly) }
        }
        for (path, bytes) in snapshots { #expect(try fileBytes(path) == bytes, "\(path) was changed") }
    }

    @Test func openRefusesASymlinkedCompanionFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try closedLedger(in: directory)
        let victim = directory + "/victim"
        try "keep me".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path + "-wal", withDestinationPath: victim)
        #expect(throws: LedgerError.notARegularFile(path: path + "-wal", kind: "a symbolic link")) { try Ledger.open(path: path) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me")
    }

    @Test func createNeverFollowsOrReplacesWhatIsThere() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let genesis = Genesis(accounts: ["a": era(1)])
        let fifo = directory + "/fifo", folder = directory + "/folder", dangling = directory + "/dangling"
        let target = directory + "/target", existing = directory + "/existing", linkToFile = directory + "/link"
        #expect(mkfifo(fifo, 0o600) == 0)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: target)
        try "precious".write(toFile: existing, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: linkToFile, withDestinationPath: existing)
        #expect(throws: LedgerError.notARegularFile(path: fifo, kind: "a FIFO (named pipe)")) { try Ledger.create(path: fifo, genesis: genesis) }
        #expect(throws: LedgerError.notARegularFile(path: folder, kind: "a directory")) { try Ledger.create(path: folder, genesis: genesis) }
        #expect(throws: LedgerError.notARegularFile(path: dangling, kind: "a symbolic link")) { try Ledger.create(path: dangling, genesis: genesis) }
        #expect(throws: LedgerError.notARegularFile(path: linkToFile, kind: "a symbolic link")) { try Ledger.create(path: linkToFile, genesis: genesis) }
        #expect(throws: LedgerError.alreadyExists(existing)) { try Ledger.create(path: existing, genesis: genesis) }
        #expect(!FileManager.default.fileExists(atPath: target))  // the dangling link was not followed
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "precious")
        // Leftover companions of another database would be taken for this one's: refused.
        #expect(FileManager.default.createFile(atPath: directory + "/new.db-wal", contents: Data([1, 2, 3])))
        #expect(throws: LedgerError.self) { try Ledger.create(path: directory + "/new.db", genesis: genesis) }
        #expect(!FileManager.default.fileExists(atPath: directory + "/new.db"))
        // A missing directory is a clear error, not SQLite's.
        #expect {
            try Ledger.create(path: directory + "/no/such/dir/l.db", genesis: genesis)
        } throws: { error in
            (error as? LedgerError)?.description.contains("directory exists") == true
        }
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(names == ["fifo", "folder", "dangling", "existing", "link", "new.db-wal"])  // no temporary left
    }

    @Test func storageErrorsAreWordedByTheLedgerNotBySQLite() {
        let locked = DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked")
        let unique = DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "UNIQUE constraint failed: journal.seq")
        let other = DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error")
        #expect(Ledger.mapped(locked, path: "l.db") == .busy("l.db"))
        for error in [locked, unique, other, DatabaseError(resultCode: .SQLITE_CANTOPEN, message: "unable to open database file")] {
            let text = Ledger.mapped(error, path: "l.db").description
            #expect(!text.contains(error.message ?? "∅"), "\(text)")
            #expect(!text.lowercased().contains("sqlite error"))
            #expect(text.contains("l.db"))
        }
    }
}
