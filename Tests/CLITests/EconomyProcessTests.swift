@testable import Economics
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A built executable beside the tests: `caldera` or `economy-crash-writer` (TestSupport finds the directory).
func tool(_ name: String) -> URL { productsDirectory.appendingPathComponent(name) }

/// The CLI executable, `caldera`.
func cliName() -> String {
    "caldera"
}

func era(_ value: UInt128) -> Amount { try! Amount(era: value) }

/// A fresh temporary directory (TestSupport's), removed by the caller.
func temporaryDirectory() throws -> String { try TempDir("economy").path }

struct RunResult { var status: Int32; var stdout: String; var stderr: String }

func runTool(_ name: String, _ arguments: [String]) throws -> RunResult {
    let process = Process()
    process.executableURL = tool(name)
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Both pipes drain concurrently so that a child filling one never blocks on the other.
    nonisolated(unsafe) var stderr = ""
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { stderr = readPipe(err) }
    let stdout = readPipe(out)
    group.wait()
    process.waitUntilExit()
    return RunResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

/// Reads a pipe with read(2), retrying on EINTR: Foundation's FileHandle traps on an interrupted read, and SIGCHLD
/// from other children interrupts reads here. Stops at end of file, or after the first chunk if `untilEnd` is false.
func readPipe(_ pipe: Pipe, untilEnd: Bool = true) -> String {
    let descriptor = pipe.fileHandleForReading.fileDescriptor
    var data = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 4096) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        data += buffer[0..<count]
        if !untilEnd { break }
    }
    return String(decoding: data, as: UTF8.self)
}

/// Starts `economy-crash-writer` on a ledger; its stdout is piped so the test can wait for "writing" or read "applied N".
func startWriter(_ path: String, seed: UInt64, _ options: [String] = []) throws -> (Process, Pipe, Pipe) {
    let process = Process()
    process.executableURL = tool("economy-crash-writer")
    process.arguments = [path, String(seed)] + options
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return (process, out, err)
}

/// Every check a ledger left by crashed or concurrent writers must pass: it opens (invariants, journal length), the
/// report accounts for every token, and replaying the journal (which also finds gaps) gives the stored state.
func checkLedgerAfterWriters(_ path: String, _ context: String) throws -> Ledger {
    let ledger = try Ledger.open(path: path)
    try ledger.state.checkInvariants()
    let report = ledger.state.report()
    #expect(report.accountedFor == report.totalSupply, "\(context): tokens unaccounted for")
    #expect(try ledger.replayJournal() == ledger.state, "\(context): journal replay differs from the stored state")
    #expect(try ledger.journalLength() == Int(ledger.state.operationCount) + 1, "\(context): journal length")
    return ledger
}

/// The sum of every place `report --json` puts a token: each account's balance, bonds, unbonding and pending rewards,
/// and every pool. Equal to `totalSupply` when the supply is conserved.
func accountedFor(_ json: [String: Any]) -> UInt128 {
    var total: UInt128 = 0
    for account in json["accounts"] as! [[String: Any]] {
        total += UInt128(account["balance"] as! String)! + UInt128(account["unbonding"] as! String)!
            + UInt128(account["pendingRewards"] as! String)!
        for (_, value) in account["bonded"] as! [String: String] { total += UInt128(value)! }
    }
    for (_, value) in json["pools"] as! [String: String] { total += UInt128(value)! }
    return total
}

/// Runs `caldera economy ARGUMENTS --ledger LEDGER` and expects a refusal: exit 2, an `error:` line, and neither the
/// journal nor the report changed.
func expectRefusedWithoutWrite(_ arguments: [String], ledger: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let length = try Ledger.open(path: ledger).journalLength()
    let before = try runTool(cliName(), ["economy", "report", "--ledger", ledger, "--json"]).stdout
    let result = try runTool(cliName(), ["economy"] + arguments + ["--ledger", ledger])
    #expect(result.status == 2, "\(arguments): \(result.stdout)", sourceLocation: sourceLocation)
    #expect(result.stderr.hasPrefix("error: "), sourceLocation: sourceLocation)
    #expect(try Ledger.open(path: ledger).journalLength() == length, sourceLocation: sourceLocation)
    #expect(try runTool(cliName(), ["economy", "report", "--ledger", ledger, "--json"]).stdout == before, sourceLocation: sourceLocation)
}

/// Command lines as typed, one per line, split at spaces (no argument in a refusal table needs one).
func commandLines(_ text: String) -> [[String]] {
    text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
}

/// Runs `body` on a fresh ledger (in a temporary directory, removed afterwards) whose genesis gives `accounts`
/// (JSON members, e.g. `"alice": "1000000 ERA"`), after `setup` (command lines without `--ledger`) has run.
func withLedger(_ accounts: String = #""alice": "1000000 ERA""#, setup: [[String]] = [], _ body: (String) throws -> Void) throws {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let ledger = directory + "/l.db", genesis = directory + "/genesis.json"
    try #"{"accounts": {\#(accounts)}}"#.write(toFile: genesis, atomically: true, encoding: .utf8)
    #expect(try runTool(cliName(), ["economy", "init", "--ledger", ledger, "--genesis", genesis]).status == 0)
    for line in setup { #expect(try runTool(cliName(), ["economy"] + line + ["--ledger", ledger]).status == 0, "\(line)") }
    try body(ledger)
}

@Suite(.serialized) struct EconomyProcessTests {
    static let killRounds = longTests ? 50 : 10

    /// Kills processes writing the ledger at random moments (SIGKILL: no clean-up runs), two at a time so that a
    /// kill can land while the other holds the lock or rebases on the file, sometimes before either has committed
    /// (during open), and checks on every reopen that the state satisfies every invariant, the journal replays to
    /// exactly that state, and work was kept. 10 rounds; 50 with CALDERA_LONG_TESTS=1.
    @Test func killedWritersLeaveAConsistentLedger() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        _ = try Ledger.create(path: path, genesis: OperationWorkload.genesis(stakers: 16))
        let seed = UInt64(Date().timeIntervalSince1970)  // a new schedule of kills every run; reported on failure
        var random = OperationWorkload.Random(seed: seed)
        var lastLength = 1
        for round in 0..<EconomyProcessTests.killRounds {
            let first = try startWriter(path, seed: random.next() >> 1)
            let second = try startWriter(path, seed: random.next() >> 1, ["--reopen"])
            let writers = [first.0, second.0]
            defer { for writer in writers where writer.isRunning { kill(writer.processIdentifier, SIGKILL) } }
            if random.below(4) != 0 {
                _ = readPipe(first.1, untilEnd: false)  // blocks until the writer has committed its first operation
            }
            for writer in writers {
                usleep(useconds_t(random.below(300_000)))  // each dies somewhere in the next 0–0.3 s
                kill(writer.processIdentifier, SIGKILL)
            }
            for writer in writers {
                writer.waitUntilExit()
                #expect(writer.terminationReason == .uncaughtSignal,
                        "seed \(seed) round \(round): a writer ended on its own: \(readPipe(writer === first.0 ? first.2 : second.2))")
            }
            let ledger = try checkLedgerAfterWriters(path, "seed \(seed) round \(round)")
            let length = try ledger.journalLength()
            #expect(length >= lastLength, "seed \(seed) round \(round): committed operations were lost")
            lastLength = length
        }
        #expect(lastLength > 1, "seed \(seed): no operation survived any round")
    }

    /// Hostile-input finding: concurrent writers failed with "UNIQUE constraint failed: journal.seq" or "database is
    /// locked". Four processes (two keeping one open ledger, two reopening it per operation as the CLI does) each
    /// attempt a few hundred random operations on one ledger. Each must end normally or with "ledger busy, retry",
    /// and the journal must hold exactly the operations they report, with no gap and every token accounted for.
    @Test func concurrentWriterProcessesSerialise() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        _ = try Ledger.create(path: path, genesis: OperationWorkload.genesis(stakers: 12))
        let operations = longTests ? 1_000 : 250
        let writers = try (0..<4).map { i in
            try startWriter(path, seed: 1_000 + UInt64(i), ["--operations", String(operations)] + (i % 2 == 1 ? ["--reopen"] : []))
        }
        var applied = 0
        for (i, (process, out, err)) in writers.enumerated() {
            let output = readPipe(out)
            let errors = readPipe(err)
            process.waitUntilExit()
            let busy = process.terminationStatus == 3 && errors.contains("ledger busy, retry")
            #expect(process.terminationStatus == 0 || busy, "writer \(i): status \(process.terminationStatus): \(errors)")
            guard let line = output.split(separator: "\n").last, line.hasPrefix("applied "), let count = Int(line.dropFirst(8)) else {
                Issue.record("writer \(i) printed no count: \(output)")
                continue
            }
            applied += count
        }
        let ledger = try checkLedgerAfterWriters(path, "concurrent writers")
        #expect(try ledger.journalLength() == applied + 1, "every reported operation is in the journal, and nothing else")
        #expect(applied > operations / 2)  // the workload is not all refusals
    }

    /// The CLI scenario of the finding: 32 concurrent `caldera economy stake` processes on one ledger, each staking
    /// a different account. Each succeeds or says "ledger busy, retry"; every success is in the ledger.
    @Test func concurrentCLIStakesAllLand() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ledger.db"
        let count = 32
        _ = try Ledger.create(path: path, genesis: Genesis(accounts: Dictionary(uniqueKeysWithValues: (0..<count).map { ("n\($0)", era(200_000)) })))
        let processes = try (0..<count).map { i -> (Process, Pipe) in
            let process = Process()
            process.executableURL = tool(cliName())
            process.arguments = ["economy", "stake", "--ledger", path, "--account", "n\(i)", "--role", "core", "--amount", "100000 ERA"]
            let err = Pipe()
            process.standardOutput = FileHandle.nullDevice
            process.standardError = err
            try process.run()
            return (process, err)
        }
        var succeeded: Set<String> = []
        for (i, (process, err)) in processes.enumerated() {
            let errors = readPipe(err)
            process.waitUntilExit()
            if process.terminationStatus == 0 { succeeded.insert("n\(i)") } else {
                #expect(errors.contains("ledger busy, retry"), "stake n\(i): status \(process.terminationStatus): \(errors)")
            }
        }
        let ledger = try checkLedgerAfterWriters(path, "concurrent CLI stakes")
        #expect(Set(ledger.eligibleNodes(role: .core, atEpoch: 0).map(\.account)) == succeeded)
        #expect(try ledger.journalLength() == succeeded.count + 1)
        #expect(succeeded.count > count / 2)
    }

    /// The whole cycle from the command line: init → stake → distribute → slash → claim → advance → report.
    @Test func cliRunsAWholeCycle() throws {
        let stakes = commandLines("""
            stake --account alice --role guardian --amount 500000
            stake --account bob --role core --amount 200000
            stake --account carol --role flexible --amount 50000
            """)
        try withLedger(#""alice": "1000000 ERA", "bob": "300000 ERA", "carol": "100000 ERA", "fees": "5000 ERA""#, setup: stakes) { ledger in
            func economy(_ arguments: String...) throws -> RunResult { try runTool(cliName(), ["economy"] + arguments) }
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
            #expect(accountedFor(json) == supply)
            let pools = json["pools"] as! [String: String]
            #expect(pools["developers"] == era(100).baseUnitsString)
            #expect(pools["userSupport"] == era(100).baseUnitsString)
            #expect(pools["burned"] == era(20).baseUnitsString)  // 0.01% of 200,000
            let alice = (json["accounts"] as! [[String: Any]]).first { $0["id"] as? String == "alice" }!
            #expect(alice["balance"] as? String == era(500_250).baseUnitsString)  // 25% of 1000 claimed
            let table = try economy("report", "--ledger", ledger)
            #expect(table.status == 0 && table.stdout.contains("(conserved)"))
        }
    }

    /// A bad amount, role, offence, account or epoch count exits 2 and writes nothing.
    @Test(arguments: commandLines("""
        stake --account alice --role core --amount 99999
        stake --account nobody --role core --amount 100000
        stake --account alice --role core --amount 1.5.0
        stake --account alice --role admiral --amount 100000
        stake --account alice --role core --amount -100000
        unstake --account alice --role core --amount 1
        distribute --revenue 1
        slash --account alice --offence rudeness
        slash --account alice --offence downtime
        advance --epochs 0
        advance --epochs -3
        distribute --revenue -5 --from alice
        claim --account nobody
        """))
    func badInputExitsTwoAndWritesNothing(arguments: [String]) throws {
        try withLedger { ledger in
            try expectRefusedWithoutWrite(arguments, ledger: ledger)
            #expect(try Ledger.open(path: ledger).journalLength() == 1)
        }
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
