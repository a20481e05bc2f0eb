import Foundation
import Testing
@testable import Economics
#if canImport(Glibc)
import Glibc
#endif

/// The directory holding the built executables: the test binary's own directory.
func productsDirectory() -> String {
    #if os(Linux)
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    #else
    let me = Bundle.main.bundlePath
    #endif
    var url = URL(fileURLWithPath: me).deletingLastPathComponent()
    // On macOS the tests run inside a .xctest bundle; walk up to the products directory.
    while url.path.contains(".xctest") { url = url.deletingLastPathComponent() }
    return url.path
}

/// The CLI executable, `caldera`.
func cliName() -> String {
    "caldera"
}

struct RunResult { var status: Int32; var stdout: String; var stderr: String }

func runTool(_ name: String, _ arguments: [String]) throws -> RunResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: productsDirectory() + "/" + name)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
}

@Suite(.serialized) struct ProcessTests {
    /// Kills a process writing the ledger at random moments (SIGKILL: no clean-up runs) and checks on every reopen
    /// that the state satisfies every invariant, the journal replays to exactly that state, and work was kept.
    @Test func killedWriterLeavesAConsistentLedger() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        _ = try Ledger.create(path: path, genesis: Workload.genesis(stakers: 16))
        let seed = UInt64(Date().timeIntervalSince1970)  // a new schedule of kills every run; reported on failure
        var random = Workload.Random(seed: seed)
        var lastLength = 1
        for round in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: productsDirectory() + "/economy-crash-writer")
            process.arguments = [path, String(random.next() >> 1)]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
            _ = out.fileHandleForReading.availableData  // blocks until the writer has committed its first operation
            usleep(useconds_t(50_000 + random.below(450_000)))  // then dies somewhere in the next 0.05–0.5 s
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal, "seed \(seed) round \(round): the writer ended on its own")

            let ledger = try Ledger.open(path: path)  // checks invariants and journal length
            try ledger.state.checkInvariants()
            let report = ledger.state.report()
            #expect(report.accountedFor == report.totalSupply)
            #expect(try ledger.replayJournal() == ledger.state, "seed \(seed) round \(round): journal replay differs from the stored state")
            let length = try ledger.journalLength()
            #expect(length > lastLength, "seed \(seed) round \(round): no operation survived")
            lastLength = length
        }
    }

    /// The whole cycle from the command line: init → stake → distribute → slash → claim → advance → report.
    @Test func cliRunsAWholeCycle() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = directory + "/l.db", genesis = directory + "/genesis.json"
        try #"{"accounts": {"alice": "1000000 ERA", "bob": "300000 ERA", "carol": "100000 ERA", "fees": "5000 ERA"}}"#
            .write(toFile: genesis, atomically: true, encoding: .utf8)
        func economy(_ arguments: String...) throws -> RunResult {
            try runTool(cliName(), ["economy"] + arguments)
        }
        #expect(try economy("init", "--ledger", ledger, "--genesis", genesis).status == 0)
        #expect(try economy("stake", "--ledger", ledger, "--account", "alice", "--role", "guardian", "--amount", "500000 ERA").status == 0)
        #expect(try economy("stake", "--ledger", ledger, "--account", "bob", "--role", "core", "--amount", "200000 ERA").status == 0)
        #expect(try economy("stake", "--ledger", ledger, "--account", "carol", "--role", "flexible", "--amount", "50000").status == 0)
        #expect(try economy("distribute", "--ledger", ledger, "--revenue", "1000 ERA").status == 0)
        #expect(try economy("slash", "--ledger", ledger, "--account", "bob", "--offence", "downtime").status == 0)
        #expect(try economy("claim", "--ledger", ledger, "--account", "alice").status == 0)
        #expect(try economy("unstake", "--ledger", ledger, "--account", "carol", "--role", "flexible", "--amount", "50000 ERA").status == 0)
        #expect(try economy("advance", "--ledger", ledger, "--epochs", "7").status == 0)
        let report = try economy("report", "--ledger", ledger, "--json")
        #expect(report.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as! [String: Any]
        let supply = UInt128(json["totalSupply"] as! String)!
        #expect(supply == era(1_405_000).baseUnits)
        var total: UInt128 = 0
        for account in json["accounts"] as! [[String: Any]] {
            total += UInt128(account["balance"] as! String)! + UInt128(account["unbonding"] as! String)!
                + UInt128(account["pendingRewards"] as! String)!
            for (_, value) in account["bonded"] as! [String: String] { total += UInt128(value)! }
        }
        let pools = json["pools"] as! [String: String]
        for (_, value) in pools { total += UInt128(value)! }
        #expect(total == supply)
        #expect(pools["developers"] == era(100).baseUnitsString)
        #expect(pools["userSupport"] == era(100).baseUnitsString)
        #expect(pools["burned"] == era(20).baseUnitsString)  // 0.01% of 200,000
        let alice = (json["accounts"] as! [[String: Any]]).first { $0["id"] as? String == "alice" }!
        #expect(alice["balance"] as? String == era(500_250).baseUnitsString)  // 25% of 1000 claimed
        let table = try economy("report", "--ledger", ledger)
        #expect(table.status == 0 && table.stdout.contains("(conserved)"))
    }

    @Test(arguments: [
        ["stake", "--account", "alice", "--role", "core", "--amount", "99999 ERA"],
        ["stake", "--account", "nobody", "--role", "core", "--amount", "100000 ERA"],
        ["stake", "--account", "alice", "--role", "core", "--amount", "1.5.0 ERA"],
        ["stake", "--account", "alice", "--role", "admiral", "--amount", "100000 ERA"],
        ["stake", "--account", "alice", "--role", "core", "--amount", "-100000 ERA"],
        ["unstake", "--account", "alice", "--role", "core", "--amount", "1 ERA"],
        ["distribute", "--revenue", "1 ERA"],
        ["slash", "--account", "alice", "--offence", "rudeness"],
        ["slash", "--account", "alice", "--offence", "downtime"],
        ["advance", "--epochs", "0"],
        ["advance", "--epochs", "-3"],
        ["distribute", "--revenue", "-5 ERA", "--from", "alice"],
        ["claim", "--account", "nobody"],
    ])
    func badInputExitsTwoAndWritesNothing(arguments: [String]) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ledger = directory + "/l.db", genesis = directory + "/genesis.json"
        try #"{"accounts": {"alice": "1000000 ERA"}}"#.write(toFile: genesis, atomically: true, encoding: .utf8)
        #expect(try runTool(cliName(), ["economy", "init", "--ledger", ledger, "--genesis", genesis]).status == 0)
        let before = try runTool(cliName(), ["economy", "report", "--ledger", ledger, "--json"]).stdout
        let result = try runTool(cliName(), ["economy"] + arguments + ["--ledger", ledger])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(try Ledger.open(path: ledger).journalLength() == 1)
        #expect(try runTool(cliName(), ["economy", "report", "--ledger", ledger, "--json"]).stdout == before)
    }

    @Test func initRefusesBadGenesisWithoutCreatingAFile() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let genesis = directory + "/genesis.json"
        for bad in [#"{"accounts": {"alice": "lots"}}"#, #"{"accounts": {"a b": "1 ERA"}}"#, "not json",
                    #"{"accounts": {"a": "1 ERA"}, "parameters": {"revenueSplit": {"core": 1, "guardian": 1, "flexible": 1, "developers": 1, "userSupport": 1}}}"#] {
            try bad.write(toFile: genesis, atomically: true, encoding: .utf8)
            let result = try runTool(cliName(), ["economy", "init", "--ledger", directory + "/l.db", "--genesis", genesis])
            #expect(result.status == 2, "\(bad)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/l.db"))
        }
        let missing = try runTool(cliName(), ["economy", "report", "--ledger", directory + "/none.db"])
        #expect(missing.status == 2 && missing.stderr.contains("no ledger"))
    }
}
