// `caldera guardian`: guardians as processes. `testnet` writes the configuration files of a local testnet,
// `run` runs one guardian (GuardianNode's process around the consensus core) until SIGTERM or SIGINT, `log`
// prints what a guardian committed (read-only, also while it runs), `relay` injects latency, resets and
// partitions between processes. Formats: docs/consensus.md, "Running guardians".
import ArgumentParser
import Consensus
import DurableIO
import Dispatch
import Foundation
import GuardianNode
import Merkle

struct GuardianCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardian",
        abstract: "Metalayer guardians: consensus on one snapshot of every rollup per slot — simulate it, write a local testnet's configs, run one guardian, print its committed log, relay with faults.",
        subcommands: [GuardianSimulate.self, Testnet.self, Run.self, Log.self, Relay.self])
}

/// Where `run` keeps, and `log` reads, a guardian's store when --data-dir is not given: beside the config,
/// named after it (guardian-1.json → guardian-1.data/).
fileprivate func dataDirectory(config: String, given: String?) -> String {
    if let given { return given }
    let base = config.hasSuffix(".json") ? String(config.dropLast(5)) : config
    return base + ".data"
}

fileprivate func storePath(_ dir: String) -> String { dir + "/records.sqlite" }

fileprivate func loadSetup(_ path: String) throws(CLIError) -> GuardianSetup {
    do { return try GuardianSetup(GuardianConfig.decode(try readInput(path, limit: GuardianConfig.maxBytes))) } catch {
        throw failure("\(path): \(error)")
    }
}

/// Runs `body` once when this process's parent is gone (it is re-parented: getppid changes), checked twice a second.
func watchParent(_ body: @escaping @Sendable () -> Void) -> any DispatchSourceTimer {
    let parent = getppid()
    let timer = DispatchSource.makeTimerSource(queue: .global())
    timer.schedule(deadline: .now() + .milliseconds(500), repeating: .milliseconds(500))
    timer.setEventHandler {
        if getppid() != parent { timer.cancel(); body() }
    }
    timer.resume()
    return timer
}

/// Runs `body` on the first of `signals` (the default actions are turned off first). Shared with `node run`.
func onSignals(_ signals: [Int32], _ body: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
    signals.map { s in
        signal(s, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: s, queue: .global())
        source.setEventHandler { body(s) }
        source.resume()
        return source
    }
}

let logToStderr: @Sendable (String) -> Void = { line in try? StandardStreams.write(line + "\n", fd: 2) }

extension GuardianCommand {
    struct Testnet: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write DIR/guardian-1.json … guardian-N.json: a local testnet on 127.0.0.1 that runs as written.",
            discussion: """
                Each file holds the guardian's private key, every guardian's public key, stake (the guardian minimum, \
                in base units of ERA) and address (127.0.0.1:PORT, ports P … P+N−1), the slot length, the genesis time \
                and the rollups' sequencer keys, with their private keys so that every guardian runs the same demo \
                sequencers. With --relay-base-port R, peers dial R+i (a `caldera guardian relay` each) and guardian i \
                listens on P+i. The files hold private keys: they are written with mode 600.
                """)
        @Option(help: "Number of guardians (1-1024).") var guardians: Int = 4
        @Option(help: "The first guardian's port; guardian i listens on base+i−1.") var basePort: Int
        @Option(help: "Output directory (created if missing).") var out: String
        @Option(help: "Demo rollups, each with a sequencer key (1-4096).") var rollups: Int = 4
        @Option(name: .customLong("slot-ms"), help: "Slot length in milliseconds (at least 1000).") var slotMillis: UInt64 = 3000
        @Option(name: .customLong("genesis-ms"), help: "Start of height 1, ms since the Unix epoch (default: 5 s from now).")
        var genesisMillis: UInt64?
        @Option(help: "Put a relay in front of every guardian: peers dial this port + i−1.") var relayBasePort: Int?
        @Flag(help: "Replace existing files.") var force = false

        func validate() throws {
            guard (1...1024).contains(guardians) else { throw failure("--guardians must be 1 to 1024, not \(guardians)") }
            guard (1...4096).contains(rollups) else { throw failure("--rollups must be 1 to 4096, not \(rollups)") }
            guard slotMillis >= ConsensusConfig.minimumSlotMillis, slotMillis <= 3_600_000 else {
                throw failure("--slot-ms must be 1000 to 3600000, not \(slotMillis)")
            }
            for (name, base) in [("--base-port", basePort), ("--relay-base-port", relayBasePort ?? 1)] {
                guard base >= 1, base + guardians - 1 <= 65535 else { throw failure("\(name) \(base): ports \(base)…\(base + guardians - 1) do not fit in 1…65535") }
            }
            if let r = relayBasePort, r < basePort + guardians, basePort < r + guardians {
                throw failure("--relay-base-port \(r): the relay ports overlap the guardians' \(basePort)…\(basePort + guardians - 1)")
            }
        }

        func run() throws {
            let paths = (1...guardians).map { "\(out)/guardian-\($0).json" }
            try attempt("cannot create \(out)") { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
            for p in paths { try checkOutput(p, force: force) }
            var plan = GuardianNode.Testnet.Plan(guardians: guardians, basePort: basePort,
                                                 genesisMillis: genesisMillis ?? GuardianProcess.wallClock() + 5000)
            plan.rollups = rollups; plan.slotMillis = slotMillis; plan.relayBasePort = relayBasePort
            let configs = GuardianNode.Testnet.configs(plan)
            for (p, c) in zip(paths, configs) { try writeOutput(c.encoded(), to: p, force: force, mode: 0o600) }
            print("wrote \(paths.first!) … \(paths.last!): \(guardians) guardians on 127.0.0.1:\(basePort)…\(basePort + guardians - 1), "
                  + "\(rollups) demo rollups, slot \(slotMillis) ms, genesis \(plan.genesisMillis) ms")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one guardian until SIGTERM or SIGINT, then stop cleanly.",
            discussion: """
                The guardian listens on its address, connects to every peer (reconnecting with backoff), persists \
                what it signs to DATA-DIR/records.sqlite before sending it, and logs to standard error. Killed and \
                started again with the same data directory, it resumes from its records and catches up from its peers.
                """)
        @Option(help: "The guardian's configuration (from `caldera guardian testnet`).") var config: String
        @Option(help: "Where the guardian keeps its records (default: beside the config, NAME.data).") var dataDir: String?
        @Flag(help: "Stop when the process that started this one exits (`caldera devnet` starts guardians so: none outlives a devnet killed with -9).")
        var exitWithParent = false
        @Flag(help: "Misbehave on purpose (tests, `caldera devnet --byzantine`): sign a conflicting vote for every vote and send both to half of the peers.")
        var equivocate = false

        func run() throws {
            let setup = try loadSetup(config)
            let dir = dataDirectory(config: config, given: dataDir)
            try attempt("cannot create \(dir)") { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let store = try attempt { try RecordStore.open(path: storePath(dir), identity: setup.key.identity) }
            let process = try attempt { try GuardianProcess(setup: setup, store: store, log: logToStderr) }
            process.equivocate = equivocate
            let signals = onSignals([SIGTERM, SIGINT]) { s in
                logToStderr("guardian \(setup.position + 1): signal \(s), stopping")
                process.stop()
            }
            let parentWatch = exitWithParent ? watchParent { logToStderr("guardian \(setup.position + 1): parent exited, stopping"); process.stop() } : nil
            do { try process.start() } catch {
                process.stop()
                try? process.waitUntilStopped()
                throw failure("cannot listen on \(setup.listen): \(error)")
            }
            try attempt("guardian stopped") { try process.waitUntilStopped() }
            withExtendedLifetime((signals, parentWatch)) {}
            logToStderr("guardian \(setup.position + 1): stopped at height \(process.height)")
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the snapshots a guardian has committed (read-only; works while it runs).",
            discussion: """
                JSON: [{"height", "root", "timestampMillis", "entries": [{"rollupId", "height", "stateRoot", "outboxRoot", \
                "outboxSize"}], "certificateSigners": [positions]}], oldest first; roots in hex.
                """)
        @Option(help: "The guardian's configuration.") var config: String
        @Option(help: "Its data directory (default: beside the config, NAME.data).") var dataDir: String?
        @Option(help: "Only heights from this one on.") var from: UInt64 = 0
        @OptionGroup var format: ReportFormat

        struct Entry: Encodable { var rollupId: UInt64; var height: UInt64; var stateRoot: String; var outboxRoot: String; var outboxSize: UInt64 }
        struct Committed: Encodable {
            var height: UInt64; var root: String; var timestampMillis: UInt64; var entries: [Entry]; var certificateSigners: [Int]
        }

        func run() throws {
            _ = try loadSetup(config)
            let dir = dataDirectory(config: config, given: dataDir)
            let list = try attempt {
                let store = try RecordStore.openReadOnly(path: storePath(dir))
                defer { try? store.close() }
                return try store.committed(from: from)
            }
            let rows = list.map { c in
                Committed(height: c.height, root: Hex.encode(c.value.header.root.bytes), timestampMillis: c.value.header.timestampMillis,
                          entries: c.value.snapshot.entries.map {
                              Entry(rollupId: $0.rollupId, height: $0.height, stateRoot: Hex.encode($0.stateRoot.bytes),
                                    outboxRoot: Hex.encode($0.outboxRoot.bytes), outboxSize: $0.outboxSize)
                          }, certificateSigners: c.certificate.signers)
            }
            try format.emit(rows) { rows in
                for r in rows { print("height \(r.height) root \(r.root) time \(r.timestampMillis) entries \(r.entries.count) signers \(r.certificateSigners)") }
                if rows.isEmpty { print("no committed snapshots yet") }
            }
        }
    }

    struct Relay: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Relay TCP from one loopback address to another with latency, resets and partitions (as Toxiproxy does).",
            discussion: """
                Runs until SIGTERM or SIGINT. SIGUSR1 partitions (cuts every connection and refuses new ones), \
                SIGUSR2 heals. Use with `caldera guardian testnet --relay-base-port`.
                """)
        @Option(help: "Address to accept connections on (HOST:PORT).") var listen: String
        @Option(help: "Address to connect each one to (HOST:PORT).") var to: String
        @Option(name: .customLong("latency-ms"), help: "Delay added to every chunk, each way.") var latencyMillis: UInt64 = 0
        @Option(help: "Chance per chunk, in parts per million, of resetting the connection.") var resetPpm: UInt64 = 0
        @Option(help: "Seed of the reset draws.") var seed: UInt64 = 1

        func run() throws {
            guard latencyMillis <= 60_000 else { throw failure("--latency-ms must be at most 60000") }
            guard resetPpm <= 1_000_000 else { throw failure("--reset-ppm must be at most 1000000") }
            let l = try attempt { try PeerAddress(parsing: listen) }, t = try attempt { try PeerAddress(parsing: to) }
            let relay = GuardianNode.Relay(listen: l, target: t, faults: .init(latencyMillis: latencyMillis, resetPPM: resetPpm), seed: seed, log: logToStderr)
            try attempt("cannot listen on \(l)") { try relay.start() }
            let signals = onSignals([SIGTERM, SIGINT, SIGUSR1, SIGUSR2]) { s in
                switch s {
                case SIGUSR1: relay.setPartitioned(true)
                case SIGUSR2: relay.setPartitioned(false)
                default: relay.stop()
                }
            }
            try attempt { try relay.waitUntilStopped() }
            withExtendedLifetime(signals) {}
        }
    }
}
