import Foundation
import GRDB
import Testing
import TestSupport
@testable import Economics

func temporaryDirectory() throws -> String { try TempDir("economics").path }

@Suite struct LedgerTests {
    @Test func persistsEveryOperationAndReopensIdentically() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        let ledger = try Ledger.create(path: path, genesis: OperationWorkload.genesis(stakers: 8))
        var random = OperationWorkload.Random(seed: 11)
        var accounts = ledger.state.accounts.keys.sorted()
        var applied = 0
        for _ in 0..<300 {
            let operation = OperationWorkload.operation(from: random.next(), accounts: accounts)
            do {
                try ledger.apply(operation)
                applied += 1
                try ledger.state.checkInvariants()
                if case .transfer = operation { accounts = ledger.state.accounts.keys.sorted() }
            } catch is EconomyError {}
        }
        #expect(try ledger.journalLength() == applied + 1)
        let reopened = try Ledger.open(path: path)
        #expect(reopened.state == ledger.state)
        #expect(try reopened.replayJournal() == ledger.state)
    }

    @Test func refusedOperationWritesNothing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        let ledger = try Ledger.create(path: path, genesis: Genesis(accounts: ["a": era(10)]))
        #expect(throws: EconomyError.belowMinimum(role: .core, resulting: era(10), minimum: era(100_000))) {
            try ledger.apply(.stake(account: "a", role: .core, amount: era(10)))
        }
        #expect(try ledger.journalLength() == 1)
        #expect(try Ledger.open(path: path).state.operationCount == 0)
    }

    @Test func createRefusesAnExistingFileAndOpenAMissingOne() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        _ = try Ledger.create(path: path, genesis: Genesis(accounts: ["a": era(10)]))
        #expect(throws: LedgerError.alreadyExists(path)) { try Ledger.create(path: path, genesis: Genesis(accounts: [:])) }
        #expect(throws: LedgerError.notFound(directory + "/missing.db")) { try Ledger.open(path: directory + "/missing.db") }
        // No temporary files are left next to the ledger.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains("creating") }
        #expect(leftovers.isEmpty)
    }

    @Test func genesisRoundTripsThroughJSON() throws {
        let json = #"{"accounts": {"alice": "1000000 ERA", "fees": "0.5"}, "parameters": {"unbondingEpochs": 3, "minimumStake": {"core": "1 ERA"}}}"#
        let genesis = try JSONDecoder().decode(Genesis.self, from: Data(json.utf8))
        #expect(genesis.accounts["fees"] == Amount(baseUnits: 500_000_000_000_000_000))
        #expect(genesis.parameters.unbondingEpochs == 3)
        #expect(genesis.parameters.minimum(for: .core) == era(1))
        #expect(genesis.parameters.minimum(for: .guardian) == era(500_000))
        #expect(genesis.parameters.slashing == .default)
        let again = try JSONDecoder().decode(Genesis.self, from: JSONEncoder().encode(genesis))
        #expect(again == genesis)
    }

    /// Hostile-input finding: two processes that opened the ledger before either wrote both computed seq N
    /// ("UNIQUE constraint failed: journal.seq") or overwrote each other's rows. A writer now rebases on the file
    /// under the write lock, so the second writer's operation applies on top of the first's.
    @Test func aStaleWriterRebasesOnTheFileInsteadOfFailing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        _ = try Ledger.create(path: path, genesis: Genesis(accounts: ["a": era(200_000), "b": era(200_000)]))
        let first = try Ledger.open(path: path), second = try Ledger.open(path: path)
        try first.apply(.stake(account: "a", role: .core, amount: era(100_000)))
        try first.apply(.transfer(from: "a", to: "b", amount: era(1)))
        // `second` still holds the genesis state; it must not reuse seq 1 nor write back a's old record.
        try second.apply(.stake(account: "b", role: .core, amount: era(100_000)))
        #expect(second.state.operationCount == 3)
        let reopened = try Ledger.open(path: path)
        #expect(reopened.state == second.state)
        #expect(reopened.eligibleNodes(role: .core, atEpoch: 0).map(\.account) == ["a", "b"])
        #expect(reopened.state.accounts["a"]!.balance == era(99_999))
        #expect(reopened.state.accounts["b"]!.balance == era(100_001))
        #expect(try reopened.replayJournal() == reopened.state)
        // And a refused operation on a stale ledger still writes nothing (but refreshes the view).
        try first.apply(.claim(account: "a"))
        #expect(throws: EconomyError.self) { try second.apply(.stake(account: "a", role: .core, amount: era(1_000_000))) }
        #expect(second.state == (try Ledger.open(path: path)).state)
    }

    @Test func aWriterWaitsForTheLockThenReportsBusyInPlainWords() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        _ = try Ledger.create(path: path, genesis: Genesis(accounts: ["a": era(200_000)]))
        let ledger = try Ledger.open(path: path, readOnly: false, busyTimeout: 0.3)
        // Another connection (as another process would) holds the write lock.
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        configuration.allowsUnsafeTransactions = true  // the transaction stays open across accesses on purpose
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let clock = ContinuousClock()
        let start = clock.now
        #expect(throws: LedgerError.busy(path)) { try ledger.apply(.stake(account: "a", role: .core, amount: era(100_000))) }
        #expect(clock.now - start >= .milliseconds(250))  // it waited for the lock before giving up
        let message = LedgerError.busy(path).description
        #expect(message.hasPrefix("ledger busy, retry") && message.contains(path))
        try other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        // Once the lock is free the same ledger object writes normally.
        try ledger.apply(.stake(account: "a", role: .core, amount: era(100_000)))
        #expect(try Ledger.open(path: path).journalLength() == 2)
        try other.close()
    }

    /// GRDB's WAL set-up lowered the writer to synchronous=NORMAL after our FULL; the docs promise FULL.
    @Test func theWriterCommitsWithSynchronousFull() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = try Ledger.create(path: directory + "/ledger.db", genesis: Genesis(accounts: ["a": era(1)]))
        #expect(try ledger.database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
    }

    @Test func openRefusesATamperedLedger() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        _ = try Ledger.create(path: path, genesis: Genesis(accounts: ["a": era(10)]))
        // Mint one base unit behind the ledger's back: conservation no longer holds.
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in
            try db.execute(sql: """
                UPDATE accounts SET record = replace(record, '"balance":"10000000000000000000"', '"balance":"10000000000000000001"')
                """)
        }
        try raw.close()
        #expect {
            try Ledger.open(path: path)
        } throws: { error in
            guard case .corrupt(let message) = error as? LedgerError else { return false }
            return message.contains("conservation")
        }
    }
}

