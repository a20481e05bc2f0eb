/// Many seeded simulations and what they add up to: the figures `caldera guardian simulate` prints and the
/// `metalayer.*` claims report. Pure: seeds in, a summary out (callers may split seed ranges across threads
/// and `merge` the parts).
public struct CampaignSummary: Sendable {
    public var runs = 0
    public var safetyViolations = 0
    public var livenessViolations = 0
    public var snapshotsCommitted: UInt64 = 0
    public var simulatedMillis: UInt64 = 0
    public var commitLatencies: [UInt64] = []
    public var verifyLatencies: [UInt64] = []
    public var evidenceVerified = 0
    /// Seeds with a violation, with the first violation of each.
    public var failures: [(seed: UInt64, violation: String)] = []

    public init() {}

    public mutating func add(_ o: SimulationOutcome) {
        runs += 1
        let liveness = o.violations.filter { $0.contains("liveness:") }.count
        livenessViolations += liveness
        safetyViolations += o.violations.count - liveness
        snapshotsCommitted += o.committedHeight
        simulatedMillis += o.simulatedMillis
        commitLatencies += o.commitLatencies
        verifyLatencies += o.verifyLatencies
        evidenceVerified += o.evidenceVerified
        if let v = o.violations.first, failures.count < 20 { failures.append((o.seed, v)) }
    }

    public mutating func merge(_ other: CampaignSummary) {
        runs += other.runs; safetyViolations += other.safetyViolations; livenessViolations += other.livenessViolations
        snapshotsCommitted += other.snapshotsCommitted; simulatedMillis += other.simulatedMillis
        commitLatencies += other.commitLatencies; verifyLatencies += other.verifyLatencies
        evidenceVerified += other.evidenceVerified
        failures = Array((failures + other.failures).sorted { $0.seed < $1.seed }.prefix(20))
    }

    /// Nearest-rank percentile (`p` in per mille), in milliseconds.
    public static func percentile(_ xs: [UInt64], perMille p: Int) -> UInt64? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        let rank = max(1, (p * s.count + 999) / 1000)
        return s[min(s.count, rank) - 1]
    }
}

public enum Campaign {
    /// Runs `seeds` (each with `configure(seed)`), calling `progress` after each run.
    public static func run(seeds: Range<UInt64>, configure: (UInt64) -> SimulationConfig, progress: (Int) -> Void = { _ in }) -> CampaignSummary {
        var s = CampaignSummary()
        for seed in seeds {
            var sim = NetworkSimulation(configure(seed))
            s.add(sim.run())
            progress(s.runs)
        }
        return s
    }

    /// The good case measured in message delays: every link exactly 100 ms one way, no faults. Returns the
    /// median delays from slot start to decision and to certificate.
    public static func goodCaseDelays(guardians: Int, slotMillis: UInt64 = 3000) -> (decide: Double, certify: Double) {
        var c = SimulationConfig(guardians: guardians, seed: 1)
        c.latency = .uniform(oneWayMillis: 100)
        c.slotMillis = slotMillis
        c.slots = 6
        var sim = NetworkSimulation(c)
        let o = sim.run()
        let d = CampaignSummary.percentile(o.decisionLatencies, perMille: 500) ?? 0
        let k = CampaignSummary.percentile(o.commitLatencies, perMille: 500) ?? 0
        return (Double(d) / 100, Double(k) / 100)
    }
}
