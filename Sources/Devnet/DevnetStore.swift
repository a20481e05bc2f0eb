// What the devnet itself keeps between runs (DIR/devnet.sqlite; SQLite through GRDB, WAL, synchronous FULL):
// each rollup's state and outbox, what the relayer delivered, and the measurements the report draws. A block's
// commit is one transaction, so a run stopped at any point resumes from a consistent state. Blocks themselves
// live in the data layer's store, snapshots in the guardians' stores, money in the ERA ledger.
import Foundation
import GRDB
import Merkle
import Metalayer
import Report
import Wire

public struct DevnetStoreError: Error, CustomStringConvertible {
    public var description: String
}

public final class DevnetStore: @unchecked Sendable {   // GRDB's queue serialises access
    let db: DatabaseQueue

    public init(path: String) throws(DevnetStoreError) {
        do {
            var config = Configuration()
            config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            config.busyMode = .timeout(5)
            db = try DatabaseQueue(path: path, configuration: config)
            try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA journal_mode = WAL") }
            var m = DatabaseMigrator()
            m.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE rollup (id INTEGER PRIMARY KEY, state BLOB NOT NULL);
                    CREATE TABLE outbox (rollup INTEGER NOT NULL, idx INTEGER NOT NULL, message BLOB NOT NULL, sent_ms INTEGER NOT NULL,
                                         delivered_ms INTEGER, PRIMARY KEY (rollup, idx));
                    CREATE TABLE counter (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    CREATE TABLE snapshot (height INTEGER PRIMARY KEY, slot_ms INTEGER NOT NULL, received_ms INTEGER NOT NULL, entries INTEGER NOT NULL);
                    CREATE TABLE batch (idx INTEGER PRIMARY KEY AUTOINCREMENT, height INTEGER NOT NULL, messages INTEGER NOT NULL,
                                        meta_bytes INTEGER NOT NULL, separate_bytes INTEGER NOT NULL, gas INTEGER, separate_gas INTEGER);
                    CREATE TABLE sample (t REAL NOT NULL, load REAL NOT NULL, serving INTEGER NOT NULL, activating INTEGER NOT NULL,
                                         hot INTEGER NOT NULL, cold INTEGER NOT NULL, migrated_raw INTEGER NOT NULL);
                    CREATE TABLE scale_up (t REAL NOT NULL, from_nodes INTEGER NOT NULL, to_nodes INTEGER NOT NULL);
                    CREATE TABLE epoch (epoch INTEGER PRIMARY KEY, classes TEXT NOT NULL);
                    CREATE TABLE slash (t REAL NOT NULL, offender TEXT NOT NULL, amount TEXT NOT NULL, reason TEXT NOT NULL);
                    CREATE TABLE activation (t REAL NOT NULL, seconds REAL NOT NULL);
                    """)
            }
            try m.migrate(db)
        } catch { throw DevnetStoreError(description: "\(path): \(error)") }
    }

    func write<T>(_ body: (Database) throws -> T) throws(DevnetStoreError) -> T {
        do { return try db.write(body) } catch { throw DevnetStoreError(description: "devnet.sqlite: \(error)") }
    }

    func read<T>(_ body: (Database) throws -> T) throws(DevnetStoreError) -> T {
        do { return try db.read(body) } catch { throw DevnetStoreError(description: "devnet.sqlite: \(error)") }
    }

    /// A stored id, height or count: SQLite holds it as a signed integer; a negative one means a damaged file.
    static func unsigned(_ v: Int64, _ what: String) throws -> UInt64 {
        guard let u = UInt64(exactly: v) else { throw DevnetStoreError(description: "\(what) is \(v), not a count (damaged file)") }
        return u
    }

    // MARK: rollups

    /// Every rollup saved, with its outbox and each message's send time.
    func loadRollups() throws(DevnetStoreError) -> [UInt64: (state: [UInt8], outbox: [(CrossChainMessage, sentMillis: Int64)])] {
        try read { db in
            var out = [UInt64: (state: [UInt8], outbox: [(CrossChainMessage, sentMillis: Int64)])]()
            for row in try Row.fetchAll(db, sql: "SELECT id, state FROM rollup") {
                out[try Self.unsigned(row["id"], "rollup id")] = ([UInt8](row["state"] as Data), [])
            }
            for row in try Row.fetchAll(db, sql: "SELECT rollup, message, sent_ms FROM outbox ORDER BY rollup, idx") {
                let id = try Self.unsigned(row["rollup"], "outbox rollup")
                let m = try CrossChainMessage(encoded: [UInt8](row["message"] as Data))
                out[id]?.outbox.append((m, row["sent_ms"]))
            }
            return out
        }
    }

    /// One block's commit: the rollup's new state, its new outbox messages, counters.
    func commitBlock(rollup: UInt64, state: [UInt8], messages: [(CrossChainMessage, sentMillis: Int64)], counters: [String: Int64]) throws(DevnetStoreError) {
        try write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO rollup (id, state) VALUES (?, ?)", arguments: [Int64(rollup), Data(state)])
            for (m, sent) in messages {
                try db.execute(sql: "INSERT INTO outbox (rollup, idx, message, sent_ms) VALUES (?, ?, ?, ?)",
                               arguments: [Int64(rollup), Int64(m.nonce), Data(m.encoded), sent])
            }
            for (k, v) in counters { try Self.add(db, k, v) }
        }
    }

    static func add(_ db: Database, _ key: String, _ v: Int64) throws {
        try db.execute(sql: "INSERT INTO counter (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value", arguments: [key, v])
    }

    func counter(_ key: String) throws(DevnetStoreError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT value FROM counter WHERE key = ?", arguments: [key]) ?? 0 }
    }

    func addCounter(_ key: String, _ v: Int64) throws(DevnetStoreError) {
        try write { db in try Self.add(db, key, v) }
    }

    // MARK: relaying

    /// A delivered batch: destinations' states, the messages' delivery times, the relayer's progress.
    func commitDelivery(batch: RelayBatch, states: [UInt64: [UInt8]], deliveredMillis: Int64, relayed: [UInt64: UInt64]) throws(DevnetStoreError) -> Int64 {
        try write { db in
            for (id, s) in states { try db.execute(sql: "INSERT OR REPLACE INTO rollup (id, state) VALUES (?, ?)", arguments: [Int64(id), Data(s)]) }
            for m in batch.messages {
                try db.execute(sql: "UPDATE outbox SET delivered_ms = ? WHERE rollup = ? AND idx = ?", arguments: [deliveredMillis, Int64(m.source), Int64(m.nonce)])
            }
            for (r, n) in relayed { try db.execute(sql: "INSERT OR REPLACE INTO counter (key, value) VALUES (?, ?)", arguments: ["relayed.\(r)", Int64(n)]) }
            try db.execute(sql: "INSERT OR REPLACE INTO counter (key, value) VALUES ('relayer.height', ?)", arguments: [Int64(batch.height)])
            try db.execute(sql: "INSERT INTO batch (height, messages, meta_bytes, separate_bytes) VALUES (?, ?, ?, ?)",
                           arguments: [Int64(batch.height), batch.messages.count, batch.encoded.count, batch.separateBytes])
            return db.lastInsertedRowID
        }
    }

    func relayerProgress() throws(DevnetStoreError) -> (height: UInt64, relayed: [UInt64: UInt64]) {
        try read { db in
            var relayed = [UInt64: UInt64]()
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM counter WHERE key LIKE 'relayed.%'") {
                let k: String = row["key"]
                if let r = UInt64(k.dropFirst("relayed.".count)) { relayed[r] = try Self.unsigned(row["value"], k) }
            }
            let h = try Int64.fetchOne(db, sql: "SELECT value FROM counter WHERE key = 'relayer.height'") ?? 0
            return (try Self.unsigned(h, "relayer.height"), relayed)
        }
    }

    func recordGas(batch: Int64, gas: Int64, separateGas: Int64?) throws(DevnetStoreError) {
        try write { db in try db.execute(sql: "UPDATE batch SET gas = ?, separate_gas = ? WHERE idx = ?", arguments: [gas, separateGas, batch]) }
    }

    // MARK: measurements

    func recordSnapshot(height: UInt64, slotMillis: UInt64, receivedMillis: UInt64, entries: Int) throws(DevnetStoreError) {
        try write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO snapshot (height, slot_ms, received_ms, entries) VALUES (?, ?, ?, ?)",
                           arguments: [Int64(height), Int64(slotMillis), Int64(receivedMillis), entries])
        }
    }

    func recordSample(_ s: DevnetReport.StoragePoint, load: Double, serving: Int, activating: Int) throws(DevnetStoreError) {
        try write { db in
            try db.execute(sql: "INSERT INTO sample (t, load, serving, activating, hot, cold, migrated_raw) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [s.t, load, serving, activating, s.hotBytes, s.coldBytes, s.migratedRawBytes])
        }
    }

    func recordScaleUp(t: Double, from: Int, to: Int) throws(DevnetStoreError) {
        try write { db in try db.execute(sql: "INSERT INTO scale_up (t, from_nodes, to_nodes) VALUES (?, ?, ?)", arguments: [t, from, to]) }
    }

    func recordActivation(t: Double, seconds: Double) throws(DevnetStoreError) {
        try write { db in try db.execute(sql: "INSERT INTO activation (t, seconds) VALUES (?, ?)", arguments: [t, seconds]) }
    }

    func recordEpoch(_ epoch: UInt64, classes: [String: String]) throws(DevnetStoreError) {
        let json = String(decoding: try! JSONEncoder.sorted.encode(classes), as: UTF8.self)
        try write { db in try db.execute(sql: "INSERT OR REPLACE INTO epoch (epoch, classes) VALUES (?, ?)", arguments: [Int64(epoch), json]) }
    }

    func recordSlash(_ s: DevnetReport.Slash) throws(DevnetStoreError) {
        try write { db in try db.execute(sql: "INSERT INTO slash (t, offender, amount, reason) VALUES (?, ?, ?, ?)", arguments: [s.t, s.offender, s.amount, s.reason]) }
    }

    func slashedOffenders() throws(DevnetStoreError) -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT offender FROM slash")) }
    }

    /// Everything the report draws, from every run on this data directory.
    func fill(_ r: inout DevnetReport) throws(DevnetStoreError) {
        try read { db in
            for row in try Row.fetchAll(db, sql: "SELECT t, load, serving, hot, cold, migrated_raw FROM sample ORDER BY t") {
                let t: Double = row["t"]
                r.load.append(.init(t: t, value: row["load"]))
                r.servingNodes.append(.init(t: t, value: Double(row["serving"] as Int64)))
                r.storage.append(.init(t: t, hotBytes: row["hot"], coldBytes: row["cold"], migratedRawBytes: row["migrated_raw"]))
            }
            r.scaleUps = try Double.fetchAll(db, sql: "SELECT t FROM scale_up ORDER BY t")
            r.commitLatencies = try Row.fetchAll(db, sql: "SELECT slot_ms, received_ms FROM snapshot ORDER BY height").map {
                Double(($0["received_ms"] as Int64) - ($0["slot_ms"] as Int64)) / 1000
            }
            r.verifyLatencies = try Row.fetchAll(db, sql: "SELECT sent_ms, delivered_ms FROM outbox WHERE delivered_ms IS NOT NULL").map {
                Double(($0["delivered_ms"] as Int64) - ($0["sent_ms"] as Int64)) / 1000
            }
            r.batches = try Row.fetchAll(db, sql: "SELECT idx, messages, meta_bytes, separate_bytes, gas, separate_gas FROM batch ORDER BY idx").map {
                .init(index: Int($0["idx"] as Int64), messages: $0["messages"], metaProofBytes: $0["meta_bytes"], separateProofBytes: $0["separate_bytes"],
                      gas: $0["gas"], separateGas: $0["separate_gas"])
            }
            r.epochs = try Row.fetchAll(db, sql: "SELECT epoch, classes FROM epoch ORDER BY epoch").map {
                let text: String = $0["classes"]
                let classes = (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
                return .init(epoch: UInt64($0["epoch"] as Int64), classes: classes)
            }
            r.slashes = try Row.fetchAll(db, sql: "SELECT t, offender, amount, reason FROM slash ORDER BY t").map {
                .init(t: $0["t"], offender: $0["offender"], amount: $0["amount"], reason: $0["reason"])
            }
        }
    }

    func snapshotIntervalsMillis() throws(DevnetStoreError) -> [Int64] {
        try read { db in
            let slots = try Int64.fetchAll(db, sql: "SELECT slot_ms FROM snapshot ORDER BY height")
            return zip(slots, slots.dropFirst()).map { $1 - $0 }
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
