// `caldera node`: the execution layer's real node processes. `run` runs one node against a dispatcher until
// drained or signalled; `scale` starts a dispatcher and a local-process provisioner and times a scale-up of real
// processes (docs/execution.md, "Node processes").
import ArgumentParser
import ExecutionNode
import Foundation
import GuardianNode

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Execution nodes as processes: run one against a dispatcher, or time scaling real processes on this machine.",
        subcommands: [Run.self, Scale.self])
}

extension NodeCommand {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one execution node until the dispatcher drains it, or until SIGTERM/SIGINT (both exit 0).",
            discussion: """
                The node dials the dispatcher (retrying for --connect-timeout seconds), says hello, and executes the \
                batches it receives: each transaction's signature is recovered and the transaction applied to the \
                witnessed accounts. --service-us is the minimum service time per transaction (the one modelled part: \
                it makes this process a node of capacity 10^6/N tx/s). Exit 2: bad arguments, or no dispatcher reached; \
                exit 1: the dispatcher closed the connection without draining.
                """)
        @Option(help: "The dispatcher's address, IPv4:PORT.") var dispatcher: String
        @Option(help: "This node's id (what the dispatcher and the provisioner call it).") var id: UInt64
        @Option(name: .customLong("service-us"), help: "Minimum service time per transaction, microseconds (0-10000000).") var serviceMicros: UInt64 = 20_000
        @Option(help: "Seconds to keep trying to reach the dispatcher (0.1-600).") var connectTimeout: Double = 10

        func validate() throws {
            guard serviceMicros <= 10_000_000 else { throw failure("--service-us must be 0 to 10000000, not \(serviceMicros)") }
            guard connectTimeout >= 0.1, connectTimeout <= 600 else { throw failure("--connect-timeout must be 0.1 to 600 seconds, not \(connectTimeout)") }
        }

        func run() throws {
            let address = try attempt("--dispatcher") { try PeerAddress(parsing: dispatcher) }
            let node = NodeProcess(host: address.host, port: address.port, nodeId: id, serviceMicros: serviceMicros, log: logToStderr)
            let signals = onSignals([SIGTERM, SIGINT]) { s in
                logToStderr("node \(id): signal \(s), stopping")
                node.stop()
            }
            let summary: NodeProcess.Summary
            do { summary = try node.run(connectTimeout: connectTimeout) } catch {
                throw failure(error.description, code: error == .dispatcherClosed ? 1 : ExitStatus.badInput)
            }
            withExtendedLifetime(signals) {}
            logToStderr("node \(id): \(summary.drained ? "drained" : "stopped") after \(summary.batches) batches, \(summary.transactions) transactions")
        }
    }

    struct Scale: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a scale-up of real `caldera node run` processes on this machine: FROM ready, then TO ready.",
            discussion: """
                Starts a dispatcher on a free loopback port and the local-process provisioner, brings up --from nodes \
                and waits until every one has said hello, sets the desired count to --to and measures the wall time until \
                all are ready, with each new node's activation time (process start → hello), then drains them all and \
                times until every process has exited. JSON keys: from, to, scaleUpSeconds, activationP50Seconds, \
                activationP99Seconds, activationMaxSeconds, drainSeconds; with --transactions also transactions, \
                serveSeconds, nodesServed.
                """)
        @Option(help: "Nodes ready before the scale-up (1-1000).") var from: Int = 10
        @Option(help: "Nodes after the scale-up (from-1000).") var to: Int = 100
        @Option(name: .customLong("service-us"), help: "The nodes' minimum service time per transaction, microseconds.") var serviceMicros: UInt64 = 20_000
        @Option(help: "Then execute this many signed transactions on the TO nodes, every receipt checked (0-100000).") var transactions: Int = 0
        @Option(help: "Seconds to wait for each step before failing.") var timeout: Double = 120
        @OptionGroup var format: ReportFormat

        func validate() throws {
            guard (1...1000).contains(from) else { throw failure("--from must be 1 to 1000, not \(from)") }
            guard (from...1000).contains(to) else { throw failure("--to must be \(from) to 1000, not \(to)") }
            guard (0...100_000).contains(transactions) else { throw failure("--transactions must be 0 to 100000, not \(transactions)") }
            guard timeout > 0, timeout <= 3600 else { throw failure("--timeout must be 0 to 3600 seconds, not \(timeout)") }
        }

        func run() throws {
            let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
            let report = try attempt("node scale", code: 1) {
                try ScaleMeasurement.run(executable: executable, from: from, to: to, serviceMicros: serviceMicros, transactions: transactions, timeout: timeout, log: logToStderr)
            }
            try format.emit(report) { r in
                print("\(r.from) → \(r.to) node processes: all ready \(String(format: "%.3f", r.scaleUpSeconds)) s after the scale-up")
                print("activation (start → hello) of the \(r.to - r.from) new nodes: p50 \(String(format: "%.3f", r.activationP50Seconds)) s, "
                    + "p99 \(String(format: "%.3f", r.activationP99Seconds)) s, max \(String(format: "%.3f", r.activationMaxSeconds)) s")
                if let n = r.transactions, let t = r.serveSeconds, let k = r.nodesServed {
                    print("\(n) signed transactions executed in \(String(format: "%.3f", t)) s by \(k) of the \(r.to) nodes, every receipt as the executor's")
                }
                print("drain of all \(r.to): \(String(format: "%.3f", r.drainSeconds)) s")
            }
        }
    }
}
