import ArgumentParser
import Consensus
import Dispatch
import Foundation
import DurableIO
import Measure
import Synchronization

/// `caldera guardian simulate`: seeded whole-network simulations of guardian consensus.
struct GuardianSimulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run seeded simulations of guardian consensus and check safety and liveness.",
        discussion: """
        Every run checks agreement, validity and that no honest guardian signs twice after every step, and
        liveness over its stable second half. Faults: \(Fault.allCases.map(\.rawValue).joined(separator: ", ")).
        --latency wan places guardians round-robin in the 21 AWS regions of
        ../shared/traces/wan-latency/aws-rtt-ms.csv (or $CALDERA_SHARED). A failing seed prints the command
        that replays it.
        """)

    @Option(help: "Guardians (1 to 1024).") var guardians = 4
    @Option(name: .customLong("byzantine-stake"), help: "Byzantine share of stake, a decimal below 1/3 (e.g. 0.33).") var byzantineStake = "0"
    @Option(help: "Comma-separated faults, or all.") var faults = ""
    @Option(help: "lan or wan.") var latency: LatencyChoice = .lan
    @Option(help: "Slot length in seconds (1 or more, up to 3 decimals).") var slot = "3"
    @Option(help: "Simulated slots per run.") var slots = 24
    @Option(help: "Rollups reporting roots.") var rollups = 4
    @Option(help: "How many seeds to run.") var seeds: UInt64 = 1
    @Option(help: "The first seed.") var seed: UInt64 = 0
    @OptionGroup var format: ReportFormat

    enum LatencyChoice: String, ExpressibleByArgument, CaseIterable { case lan, wan }

    struct Report: Encodable {
        var runs: Int
        var safetyViolations: Int
        var livenessViolations: Int
        var snapshotsCommitted: UInt64
        var commitLatencyP50Seconds: Double?
        var commitLatencyP99Seconds: Double?
        var verifyLatencyP50Seconds: Double?
        var verifyLatencyP99Seconds: Double?
        var messageDelaysGoodCase: Double
        var certificateDelaysGoodCase: Double
        var simulatedSecondsPerWallSecond: Double
        var evidenceVerified: Int
        var failingSeeds: [UInt64]
        var conditions: String
    }

    func run() throws {
        let base = try settings()
        let start = DispatchTime.now()
        let total = Int(seeds)
        let state = Mutex((done: 0, parts: [CampaignSummary](repeating: CampaignSummary(), count: 2)))
        let showProgress = total >= 20 && isatty(2) != 0
        let first = seed, count = seeds
        // Two threads, each a strided share of the seeds; each run is deterministic on its own.
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            var part = CampaignSummary()
            var s = first + UInt64(t)
            while s < first + count {
                var c = base; c.seed = s
                var sim = NetworkSimulation(c)
                part.add(sim.run())
                s += 2
                let done = state.withLock { $0.done += 1; return $0.done }
                if showProgress && done % 10 == 0 { try? StandardStreams.write("\r\(done)/\(total) runs", fd: 2) }
            }
            let finished = part
            state.withLock { $0.parts[t] = finished }
        }
        if showProgress { try? StandardStreams.write("\r", fd: 2) }
        let parts = state.withLock { $0.parts }
        var sum = parts[0]; sum.merge(parts[1])
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        // With every link equally long the count of delays does not depend on the number of guardians.
        let delays = Campaign.goodCaseDelays(guardians: min(guardians, 7), slotMillis: base.slotMillis)
        func sec(_ v: UInt64?) -> Double? { v.map { Double($0) / 1000 } }
        let report = Report(
            runs: sum.runs, safetyViolations: sum.safetyViolations, livenessViolations: sum.livenessViolations,
            snapshotsCommitted: sum.snapshotsCommitted,
            commitLatencyP50Seconds: sec(CampaignSummary.percentile(sum.commitLatencies, perMille: 500)),
            commitLatencyP99Seconds: sec(CampaignSummary.percentile(sum.commitLatencies, perMille: 990)),
            verifyLatencyP50Seconds: sec(CampaignSummary.percentile(sum.verifyLatencies, perMille: 500)),
            verifyLatencyP99Seconds: sec(CampaignSummary.percentile(sum.verifyLatencies, perMille: 990)),
            messageDelaysGoodCase: delays.decide, certificateDelaysGoodCase: delays.certify,
            simulatedSecondsPerWallSecond: wall > 0 ? (Double(sum.simulatedMillis) / 1000 / wall).rounded() : 0,
            evidenceVerified: sum.evidenceVerified, failingSeeds: sum.failures.map(\.seed),
            conditions: "\(guardians) guardians, \(latency.rawValue) latency, slot \(base.slotMillis) ms, \(slots) slots per run, faults [\(base.faults.sorted().map(\.rawValue).joined(separator: ","))], byzantine stake < \(byzantineStake) of total")
        try format.emit(report) { r in
            print("runs \(r.runs), safety violations \(r.safetyViolations), liveness violations \(r.livenessViolations), snapshots committed \(r.snapshotsCommitted)")
            print("commit latency p50 \(fmt(r.commitLatencyP50Seconds)) s, p99 \(fmt(r.commitLatencyP99Seconds)) s; verify latency p50 \(fmt(r.verifyLatencyP50Seconds)) s, p99 \(fmt(r.verifyLatencyP99Seconds)) s")
            print("good case: decided after \(r.messageDelaysGoodCase) message delays, certified after \(r.certificateDelaysGoodCase)")
            print("\(r.simulatedSecondsPerWallSecond) simulated seconds per wall second; \(r.evidenceVerified) pieces of evidence verified")
            print("conditions: \(r.conditions)")
        }
        for f in sum.failures {
            try? StandardStreams.write("seed \(f.seed): \(f.violation)\n  replay: \(replay(seed: f.seed))\n", fd: 2)
        }
        if sum.safetyViolations + sum.livenessViolations > 0 { throw ExitCode(1) }
    }

    func fmt(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }

    func replay(seed s: UInt64) -> String {
        "caldera guardian simulate --guardians \(guardians) --byzantine-stake \(byzantineStake) --faults \(faults.isEmpty ? "none" : faults) --latency \(latency.rawValue) --slot \(slot) --slots \(slots) --rollups \(rollups) --seed \(s)"
    }

    /// Checks every option and builds the base configuration (the seed is set per run).
    func settings() throws(CLIError) -> SimulationConfig {
        guard (1...1024).contains(guardians) else { throw failure("--guardians must be 1 to 1024, not \(guardians)") }
        guard (1...4096).contains(rollups) else { throw failure("--rollups must be 1 to 4096, not \(rollups)") }
        guard (4...100_000).contains(slots) else { throw failure("--slots must be 4 to 100000, not \(slots)") }
        guard seeds >= 1, seeds <= 10_000_000, seed <= UInt64.max - seeds else { throw failure("--seeds must be 1 to 10000000 and --seed + --seeds must fit in 64 bits") }
        guard let ppm = Decimal6.parse(byzantineStake), ppm < 333_334 else {
            throw failure("--byzantine-stake must be a decimal from 0 to 0.333333 (below one third), not \"\(byzantineStake)\"")
        }
        guard let slotMicros = Decimal6.parse(slot), slotMicros % 1000 == 0, slotMicros >= 1_000_000, slotMicros <= 600_000_000 else {
            throw failure("--slot must be 1 to 600 seconds with at most 3 decimals, not \"\(slot)\"")
        }
        var fs = Set<Fault>()
        let names = faults == "all" ? Fault.allCases.map(\.rawValue) : faults.split(separator: ",").map(String.init)
        for n in names where n != "none" && !n.isEmpty {
            guard let f = Fault(rawValue: n) else { throw failure("unknown fault \"\(n)\"; faults: \(Fault.allCases.map(\.rawValue).joined(separator: ", ")), all, none") }
            fs.insert(f)
        }
        var c = SimulationConfig(guardians: guardians, seed: seed)
        c.faults = fs
        c.byzantineStakePPM = ppm
        c.slotMillis = slotMicros / 1000
        c.slots = slots
        c.rollups = rollups
        if latency == .wan { c.latency = try GuardianSimulate.wanLatency() }
        return c
    }

    static func wanLatency() throws(CLIError) -> LatencyModel {
        guard let dir = SharedDirectory.resolve() else {
            throw failure("--latency wan needs ../shared/traces/wan-latency/aws-rtt-ms.csv (or $CALDERA_SHARED); it is absent")
        }
        let path = dir.appendingPathComponent("traces/wan-latency/aws-rtt-ms.csv").path
        let text = try attempt(path) { try String(contentsOfFile: path, encoding: .utf8) }
        return try attempt(path) { try LatencyModel(csv: text) }
    }
}

/// Non-negative decimals with up to six places, exactly, as millionths ("0.33" → 330000).
enum Decimal6 {
    static func parse(_ s: String) -> UInt64? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 9, whole.allSatisfy(\.isASCII), let w = UInt64(whole) else { return nil }
        var frac: UInt64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard !f.isEmpty, f.count <= 6, f.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            frac = UInt64(f + String(repeating: "0", count: 6 - f.count))!
        }
        return w * 1_000_000 + frac
    }
}
