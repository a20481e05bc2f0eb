import DataLayer
import Foundation
import Merkle
import DataTestSupport
import Testing

/// Recovery on open and the store's locks, on disk, in one process (two `DataStore` instances lock
/// against each other as two processes would).
@Suite struct RecoveryTests {
    static let ns = Namespace(name: "rec")!

    static func seededStore(_ dir: String) throws -> [(BlobID, [UInt8])] {
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        let data = (0 ..< 4).map { chainLikeData(5_000, seed: UInt64($0)) }
        return zip(try store.put(data.map { (ns, $0) }, time: 0, nowMillis: 0).map(\.id), data).map { ($0, $1) }
    }

    /// What `put` killed between its hot commit and its log append leaves: a hot blob, no record.
    static func killedPut(_ dir: String, _ data: [UInt8]) throws -> BlobID {
        try SQLiteHotStore(path: dir + "/hot.sqlite").put([(ns, data)], time: 5)[0].id
    }

    @Test func aReaderRepairsAKilledPutOnOpen() throws {
        let dir = tempPath("rec-reader")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let blobs = try Self.seededStore(dir)
        let extra = chainLikeData(3_000, seed: 99)
        let id = try Self.killedPut(dir, extra)
        let reader = try DataStore(directory: dir) // no writer alive: the reader repairs, as SQLite rolls back a hot journal
        #expect(reader.recovered == 1)
        let v = reader.verify()
        #expect(v.ok, "\(v.failures)")
        #expect(try reader.log.entries(for: id).map(\.fingerprint.kind) == [.put])
        for (i, d) in blobs + [(id, extra)] { #expect(try reader.get(i).bytes == d) }
        #expect(try DataStore(directory: dir).recovered == 0) // repaired once, durably
    }

    @Test func aWriterRepairsOnOpenAndAReaderUnderALiveWriterLeavesItAlone() throws {
        let dir = tempPath("rec-writer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.seededStore(dir)
        _ = try Self.killedPut(dir, chainLikeData(3_000, seed: 98))
        let writer = try DataStore(directory: dir, options: .init(writer: true))
        #expect(writer.recovered == 1)
        let reader = try DataStore(directory: dir)
        #expect(reader.recovered == 0)
        #expect(reader.verify().ok)
        // The writer's later commits are visible to the reader's next read (a new snapshot per read).
        let d = chainLikeData(4_000, seed: 97)
        let m = try writer.put([(Self.ns, d)], time: 6, nowMillis: 0)
        #expect(try reader.get(m[0].id) == (d, .hot))
        #expect(reader.verify().ok)
        // Readers cannot write.
        #expect(throws: DataStoreError.self) { try reader.put([(Self.ns, d)], time: 6, nowMillis: 0) }
    }

    @Test func aSecondWriterGivesUpWithBusyAfterItsTimeout() throws {
        let dir = tempPath("rec-busy")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.seededStore(dir)
        let first = try DataStore(directory: dir, options: .init(writer: true))
        let clock = ContinuousClock()
        let t0 = clock.now
        do {
            _ = try DataStore(directory: dir, options: .init(writer: true, lockTimeout: .milliseconds(300)))
            Issue.record("a second writer opened the store")
        } catch {
            guard case .busy = error else { Issue.record("\(error)"); return }
            #expect("\(error)".contains("busy") && "\(error)".contains("retry"))
        }
        #expect(clock.now - t0 < .seconds(3))
        // Readers are not held up by the writer.
        #expect(try DataStore(directory: dir, options: .init(lockTimeout: .milliseconds(300))).verify().ok)
        _ = first
    }

    @Test func creatingOneStoreFromSeveralWritersRacesCleanly() throws {
        let dir = tempPath("rec-create")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Lock files left by a creator killed before it wrote the marker are not "someone else's data".
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/lock", contents: nil))
        let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
        #expect(store.verify().ok)
        // A directory with anything else in it is refused, untouched.
        let other = tempPath("rec-other")
        defer { try? FileManager.default.removeItem(atPath: other) }
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: other + "/notes.txt", contents: Data("mine".utf8)))
        #expect(throws: DataStoreError.self) { try DataStore(directory: other, options: .init(create: true, writer: true)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["notes.txt"])
        // A reader never creates.
        #expect(throws: DataStoreError.self) { try DataStore(directory: tempPath("rec-none")) }
    }

    @Test func damagedDatabasesGiveWordsNotSQLiteMessages() throws {
        let dir = tempPath("rec-damaged")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.seededStore(dir)
        for f in ["hot.sqlite-wal", "hot.sqlite-shm"] { try? FileManager.default.removeItem(atPath: dir + "/" + f) }
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: dir + "/hot.sqlite"))
        do {
            _ = try DataStore(directory: dir)
            Issue.record("a damaged hot.sqlite opened")
        } catch {
            #expect("\(error)".contains("hot.sqlite is damaged or is not a SQLite database"), "\(error)")
            #expect(!"\(error)".contains("SQLite error"))
        }
    }

    /// Another connection holding hot.sqlite's write lock past the busy timeout: a clear "busy, retry".
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "needs the sqlite3 shell"))
    func aLockedDatabaseIsReportedAsBusy() throws {
        let dir = tempPath("rec-locked")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.seededStore(dir)
        let store = try DataStore(directory: dir, options: .init(writer: true, busyTimeout: .milliseconds(200)))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [dir + "/hot.sqlite"]
        let input = Pipe(), out = Pipe()
        shell.standardInput = input
        shell.standardOutput = out
        try shell.run()
        input.fileHandleForWriting.write(Data("BEGIN IMMEDIATE; CREATE TABLE hold(x); SELECT 'held';\n".utf8))
        // Wait until the shell holds the lock.
        var got = Data()
        while !String(decoding: got, as: UTF8.self).contains("held") { got += out.fileHandleForReading.availableData }
        let d = chainLikeData(2_000, seed: 5)
        do {
            _ = try store.put([(Self.ns, d)], time: 9, nowMillis: 0)
            Issue.record("put went through a held write lock")
        } catch {
            guard case .busy = error else { Issue.record("\(error)"); return }
            #expect(!"\(error)".contains("SQLite error") && "\(error)".contains("retry"))
        }
        try input.fileHandleForWriting.close() // the shell exits, rolling back
        shell.waitUntilExit()
        _ = try store.put([(Self.ns, d)], time: 9, nowMillis: 0)
        #expect(store.verify().ok)
    }
}
