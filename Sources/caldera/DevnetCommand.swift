// `caldera devnet`: Caldera's main job — every layer live on this machine (docs/devnet.md).
import ArgumentParser
import Devnet
import Dispatch
import DurableIO
import Foundation
import Measure

struct DevnetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devnet",
        abstract: "Run a small rollup ecosystem with every layer live: guardian and node processes, sequencers, a relayer, the data layer, the ERA ledger.",
        discussion: """
            Rollup sequencers take transactions whose arrival times come from the real load traces and whose call data \
            comes from real transactions (../shared, or $CALDERA_SHARED; synthetic stand-ins, said so, without it). \
            Guardians (`caldera guardian run` processes) commit a snapshot of every rollup every 3 s over loopback TCP; a \
            relayer delivers cross-chain messages in meta-proofs, verified by each destination (and on py-evm when the \
            Python environment of `bash .ci/run` is there); the scheduler starts and drains `caldera node run` processes; \
            blocks go to the hot store and, at --speed, migrate to the cold archive; fees are split each epoch in the ledger. \
            A status line shows progress once a second. Ctrl-C stops cleanly; the same command on the same --data-dir \
            resumes. At the end: DIR/report.html (or --report) and the summary (--json for JSON).
            """)

    @Option(help: "Rollups (1-16).") var rollups: Int = 4
    @Option(help: "Guardians (1-16).") var guardians: Int = 4
    @Option(help: "How long to run, seconds (10-86400).") var duration: Double = 120
    @Option(help: "Data-layer time runs this many times faster than the wall clock (10080: the 7-day hot window passes in a minute).")
    var speed: Double = 10_080
    @Option(help: "Where everything is kept (created if missing; reused to resume).") var dataDir: String = "devnet-data"
    @Option(help: "Write the HTML report here (default: DATA-DIR/report.html; replaced each run).") var report: String?
    @Option(help: "Guardians that equivocate, to see evidence and slashing (fewer than a third of the guardians).") var byzantine: Int = 0
    @Option(help: "Seed of the workload (users, transactions, trace windows).") var seed: UInt64 = 1
    @Option(help: "Busiest second of each rollup's load, transactions.") var peak: Double = 200
    @Option(name: .customLong("service-us"), help: "A node's service time per transaction, µs (models a node-sized machine; see docs/execution.md).")
    var serviceMicros: Int = 40_000
    @Option(help: "Transactions each rollup's mempool holds (100-1000000); arrivals beyond are refused and counted.")
    var mempool: Int = Mempool.defaultCapacity
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard (1...16).contains(rollups) else { throw failure("--rollups must be 1 to 16, not \(rollups)") }
        guard (1...16).contains(guardians) else { throw failure("--guardians must be 1 to 16, not \(guardians)") }
        guard duration.isFinite, (10...86_400).contains(duration) else { throw failure("--duration must be 10 to 86400 seconds") }
        guard speed.isFinite, (1...1_000_000).contains(speed) else { throw failure("--speed must be 1 to 1000000") }
        guard byzantine >= 0, 3 * byzantine < guardians else {
            throw failure("--byzantine \(byzantine): fewer than a third of the \(guardians) guardians may equivocate (BFT's bound)")
        }
        guard peak.isFinite, (1...5000).contains(peak) else { throw failure("--peak must be 1 to 5000 transactions per second") }
        guard (1000...1_000_000).contains(serviceMicros) else { throw failure("--service-us must be 1000 to 1000000") }
        guard (100...1_000_000).contains(mempool) else { throw failure("--mempool must be 100 to 1000000 transactions") }
    }

    func run() throws {
        let reportPath = report ?? dataDir + "/report.html"
        var o = DevnetOptions(dataDir: dataDir, executable: Self.ownExecutable(), shared: SharedDirectory.resolve(),
                              packageRoot: FileManager.default.currentDirectoryPath)
        o.rollups = rollups; o.guardians = guardians; o.durationSeconds = duration; o.speed = speed; o.byzantine = byzantine
        o.seed = seed; o.peakPerRollup = peak; o.serviceMicros = serviceMicros
        o.mempoolCapacity = mempool

        let stop = StopFlag()
        let signals = onSignals([SIGINT, SIGTERM]) { _ in stop.set() }
        let tty = isatty(2) == 1
        let line = StatusLine(tty: tty)
        let log: @Sendable (String) -> Void = { m in line.log(m) }
        let devnet = try attempt { try Devnet(options: o, log: log, status: { line.status($0) }, stopRequested: { stop.isSet }) }
        let summary = try attempt("devnet failed") { try devnet.run() }
        line.finish()
        let page = try attempt("cannot build the report") { try devnet.report(summary: summary, command: CommandLine.arguments.dropFirst().joined(separator: " ")) }
        try writeOutput(Array(page.html().utf8), to: reportPath, force: true)
        withExtendedLifetime(signals) {}
        if json { try printJSON(summary) } else {
            print(Devnet.describe(summary))
            print("report: \(reportPath)")
        }
    }

    /// This binary, for the guardian and node processes.
    static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// One redrawn status line on a terminal (log lines print above it); without a terminal, a line every 10 s.
final class StatusLine: @unchecked Sendable {
    let tty: Bool
    private let lock = NSLock()
    private var last = ""
    private var count = 0
    init(tty: Bool) { self.tty = tty }

    func status(_ s: String) {
        lock.lock(); defer { lock.unlock() }
        last = s; count += 1
        if tty { try? StandardStreams.write("\r\u{1B}[2K" + s, fd: 2) } else if count % 10 == 1 { try? StandardStreams.write(s + "\n", fd: 2) }
    }

    func log(_ m: String) {
        lock.lock(); defer { lock.unlock() }
        if tty { try? StandardStreams.write("\r\u{1B}[2K" + m + "\n" + last, fd: 2) } else { try? StandardStreams.write(m + "\n", fd: 2) }
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if tty { try? StandardStreams.write("\n", fd: 2) } else if !last.isEmpty { try? StandardStreams.write(last + "\n", fd: 2) }
    }
}
