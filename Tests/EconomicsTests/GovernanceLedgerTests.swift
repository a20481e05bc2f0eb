import Foundation
import GRDB
import Testing
@testable import Economics

@Suite struct GovernanceLedgerTests {
    /// Random governed operations through the ledger: every proposal row is written with its operation, and a reopened
    /// ledger and a journal replay both equal the state in memory.
    @Test func proposalsPersistAndReplay() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        let ledger = try Ledger.create(path: path, genesis: OperationWorkload.genesis(stakers: 8, parameters: GovernancePropertyTests.fastGovernance))
        var random = OperationWorkload.Random(seed: 17)
        var accounts = ledger.state.accounts.keys.sorted()
        for _ in 0..<400 {
            let operation = OperationWorkload.governedOperation(from: random.next(), accounts: accounts,
                                                                proposals: ledger.state.governance.nextProposalID - 1,
                                                                parameters: ledger.state.parameters)
            do {
                try ledger.apply(operation)
                if case .transfer = operation { accounts = ledger.state.accounts.keys.sorted() }
            } catch is EconomyError {}
        }
        #expect(ledger.state.governance.proposals.count > 5)
        let reopened = try Ledger.open(path: path)
        #expect(reopened.state == ledger.state)
        #expect(try reopened.replayJournal() == ledger.state)
        #expect(try Ledger.open(path: path, readOnly: true).state == ledger.state)
    }

    /// A ledger at `path` where guardian "g" has bonded 500,000 ERA and "p" holds 10,000 ERA to propose with.
    private func guardianAndProposer(_ path: String) throws -> Ledger {
        let ledger = try Ledger.create(path: path, genesis: Genesis(accounts: ["g": era(1_000_000), "p": era(10_000)]))
        try ledger.apply(.stake(account: "g", role: .guardian, amount: era(500_000)))
        return ledger
    }

    /// Passed and executed changes are in the journal: the advance's row holds the tally, the pass and the execution.
    @Test func theJournalRecordsPassingAndExecution() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db", ledger = try guardianAndProposer(path)
        let content = ProposalContent(changes: [try ParameterChange(parsing: "snapshotSlotMillis=6000")])
        try ledger.apply(.propose(account: "p", content: content, deposit: era(1_000), expedited: false))
        try ledger.apply(.vote(account: "g", proposal: 1, option: .yes))
        try ledger.apply(.advance(epochs: 2))
        try ledger.apply(.advance(epochs: 2))
        let rows = try ledger.database.read { db in try String.fetchAll(db, sql: "SELECT events FROM journal WHERE kind = 'operation' ORDER BY seq") }
        #expect(rows[3].contains("proposalPassed") && rows[3].contains("proposalTallied"))
        #expect(rows[4].contains("proposalExecuted") && rows[4].contains("snapshotSlotMillis"))
        #expect(try Ledger.open(path: path, readOnly: true).state.parameters.snapshotSlotMillis == 6_000)
    }

    /// A ledger of schema version 1 (before governance: no proposals table, no governance in the global record) is
    /// read as is by a read-only open, and upgraded by the versioned migration when opened for writing.
    @Test func aVersionOneLedgerOpensAndUpgrades() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db", ledger = try guardianAndProposer(path)
        try ledger.database.close()
        // Turn it into what a version-1 binary wrote.
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in
            try db.execute(sql: "DROP TABLE proposals")
            let globals = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'globals'")!
            var object = try JSONSerialization.jsonObject(with: Data(globals.utf8)) as! [String: Any]
            object["governance"] = nil
            var parameters = object["parameters"] as! [String: Any]
            parameters["governance"] = nil
            parameters["snapshotSlotMillis"] = nil
            object["parameters"] = parameters
            let text = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'globals'", arguments: [text])
            try db.execute(sql: "PRAGMA user_version = 1")
        }
        try raw.close()

        let old = try Ledger.open(path: path, readOnly: true)
        #expect(old.state.governance.proposals.isEmpty && old.state.parameters.governance == .default)
        #expect(try old.database.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == 1)  // untouched
        let upgraded = try Ledger.open(path: path)
        #expect(try upgraded.database.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == Ledger.schemaVersion)
        try upgraded.apply(.propose(account: "p", content: ProposalContent(text: "first after the upgrade"), deposit: era(1_000), expedited: false))
        let reopened = try Ledger.open(path: path)
        #expect(reopened.state.governance.proposals[1]?.content.text == "first after the upgrade")
        #expect(try reopened.replayJournal() == reopened.state)
    }

    @Test func aNewerSchemaIsRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        try Ledger.create(path: path, genesis: Genesis(accounts: ["a": era(1)])).database.close()
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in try db.execute(sql: "PRAGMA user_version = 3") }
        try raw.close()
        #expect(throws: LedgerError.unsupportedVersion(path: path, version: 3)) { try Ledger.open(path: path) }
    }

    /// The read API guardian consensus uses: the set in force per epoch, from a read-only ledger.
    @Test func guardianSetIsReadableFromTheLedger() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        let ledger = try Ledger.create(path: path, genesis: Genesis(accounts: ["g1": era(1_000_000), "g2": era(1_000_000), "p": era(10_000)]))
        for g in ["g1", "g2"] { try ledger.apply(.stake(account: g, role: .guardian, amount: era(500_000))) }
        let content = ProposalContent(guardianRemovals: ["g2"])
        try ledger.apply(.propose(account: "p", content: content, deposit: era(1_000), expedited: false))
        try ledger.apply(.vote(account: "g1", proposal: 1, option: .yes))
        try ledger.apply(.vote(account: "g2", proposal: 1, option: .abstain))
        try ledger.apply(.advance(epochs: 2))
        let before = try Ledger.open(path: path, readOnly: true)
        #expect(before.guardianSet(atEpoch: 2).members.map(\.account) == ["g1", "g2"])  // passed, not yet executed
        try ledger.apply(.advance(epochs: 2))
        let reader = try Ledger.open(path: path, readOnly: true)
        let now = reader.guardianSet(atEpoch: 4)
        #expect(now.members == [EligibleNode(account: "g1", stake: era(500_000))] && now.membershipVersion == 1)
        #expect(reader.guardianSet(atEpoch: 3).members.map(\.account) == ["g1", "g2"])
        #expect(reader.state.parameters.snapshotSlotMillis == 12_000)
        #expect(reader.guardianSchedule().map { [$0.epoch, $0.membershipVersion, UInt64($0.members.count)] } == [[0, 0, 2], [4, 1, 1]])
    }
}
