import Foundation

/// The policies compared in every run.
public enum PolicyKind: String, Sendable, CaseIterable, Codable {
    case caldera, hpa, fixedMean = "fixed-mean", fixedPeak = "fixed-peak"
}

public enum ExecutionRunner {
    /// Fixed allocation sizes, from the workload (an oracle the fixed baselines are given):
    /// ⌈rate / (μ × 0.8)⌉ for the mean rate and for the busiest 1-second bin, clamped to [floor, ceiling].
    public static func fixedSize(rate: Double, config: SimulationConfig) -> Int {
        let n = Int((rate / (config.serviceRatePerNode * TraceScaling.referenceUtilization)).rounded(.up))
        return min(config.ceiling, max(config.floor, n))
    }

    /// Caldera's policy with `parameters` (tuning knobs), bounded by the simulation's floor, ceiling and activation delay.
    public static func calderaPolicy(config: SimulationConfig, parameters: CalderaPolicy.Configuration = .init()) -> CalderaPolicy {
        var c = parameters
        c.floor = config.floor; c.ceiling = config.ceiling; c.activationDelay = config.activationDelay
        return CalderaPolicy(configuration: c)
    }

    public static func hpaPolicy(config: SimulationConfig) -> HPAPolicy {
        var c = HPAPolicy.Configuration()
        c.minReplicas = config.floor; c.maxReplicas = config.ceiling
        c.targetUtilization = TraceScaling.referenceUtilization
        return HPAPolicy(configuration: c)
    }

    /// Warm start of the autoscalers: the fixed size for the mean rate of the first 60 s (or of the whole
    /// workload if shorter), so neither autoscaler is measured on a cold start from the core floor.
    public static func warmStart(workload: ArrivalWorkload, config: SimulationConfig) -> Int {
        let span = min(60, max(workload.duration, 1e-9))
        let n = workload.arrivals.prefix { $0 < span }.count
        return fixedSize(rate: Double(n) / span, config: config)
    }

    /// Runs one policy on a workload. Fixed policies start at their size; the autoscalers at `warmStart`.
    public static func run(_ kind: PolicyKind, workload: ArrivalWorkload, config: SimulationConfig,
                           caldera parameters: CalderaPolicy.Configuration = .init()) -> SimulationResult {
        let sim = Simulator(config: config)
        let warm = warmStart(workload: workload, config: config)
        let warmNote = "; warm start with \(warm) nodes (first 60 s mean rate at ρ=0.8)"
        switch kind {
        case .caldera:
            let policy = calderaPolicy(config: config, parameters: parameters)
            var r = sim.run(workload: workload, policy: policy, initialNodes: warm)
            r.conditions += warmNote + "; Caldera policy: " + policy.configuration.summary
            return r
        case .hpa:
            var r = sim.run(workload: workload, policy: hpaPolicy(config: config), initialNodes: warm)
            r.conditions += warmNote
            r.conditions += "; HPA: sync 15 s, tolerance 0.1, target \(fmt(config.serviceRatePerNode * TraceScaling.referenceUtilization)) tx/s per ready node, scale-down stabilization 300 s, scale-up ≤ max(+4, +100%) per 15 s"
            return r
        case .fixedMean:
            let n = fixedSize(rate: workload.meanRate, config: config)
            var r = sim.run(workload: workload, policy: FixedPolicy(nodes: n, label: kind.rawValue), initialNodes: n)
            r.conditions += "; fixed \(n) nodes (mean rate \(fmt(workload.meanRate, 1)) tx/s at ρ=0.8)"
            return r
        case .fixedPeak:
            let n = fixedSize(rate: workload.peakRatePerSecond, config: config)
            var r = sim.run(workload: workload, policy: FixedPolicy(nodes: n, label: kind.rawValue), initialNodes: n)
            r.conditions += "; fixed \(n) nodes (busiest 1-s bin \(fmt(workload.peakRatePerSecond)) tx/s at ρ=0.8)"
            return r
        }
    }

    /// The smallest fixed allocation that serves `workload` with p99 queueing delay ≤ `p99` and at most
    /// `dropped` dropped transactions: the cheapest fixed baseline that is as good as a policy under test.
    /// Bisection over [floor, ceiling] on the same seeded run (the simulator is deterministic); it assumes
    /// more nodes never worsen p99 or drops, which holds for a FIFO queue up to the service-time draws.
    /// Nil if even the ceiling misses. Returns the size and its run.
    public static func smallestFixed(meetingP99 p99: Double, dropped: Int, workload: ArrivalWorkload,
                                     config: SimulationConfig) -> (nodes: Int, result: SimulationResult)? {
        let sim = Simulator(config: config)
        func attempt(_ n: Int) -> SimulationResult {
            var r = sim.run(workload: workload, policy: FixedPolicy(nodes: n, label: "fixed-equal-p99"), initialNodes: n)
            r.conditions += "; fixed \(n) nodes (smallest fixed size with p99 ≤ \(fmt(p99)) s and ≤ \(dropped) dropped)"
            return r
        }
        func meets(_ r: SimulationResult) -> Bool { r.p99DelaySeconds <= p99 && r.droppedTx <= dropped }
        var hiResult = attempt(config.ceiling)
        guard meets(hiResult) else { return nil }
        var lo = config.floor - 1, hi = config.ceiling   // lo misses (or is below the floor), hi meets
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            let r = attempt(mid)
            if meets(r) { hi = mid; hiResult = r } else { lo = mid }
        }
        return (hi, hiResult)
    }

    public static func runAll(workload: ArrivalWorkload, config: SimulationConfig) -> [SimulationResult] {
        PolicyKind.allCases.map { run($0, workload: workload, config: config) }
    }

    /// A plain-text table of results.
    public static func table(_ results: [SimulationResult]) -> String {
        var lines = ["input                      policy       served  dropped  p50 s   p99 s   node-s     idle node-s  node-s/tx  max nodes  scale-up s"]
        for r in results {
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
            lines.append(pad(r.input, 27) + pad(r.policy, 13) + pad(String(r.servedTx), 8) + pad(String(r.droppedTx), 9)
                         + pad(fmt(r.p50DelaySeconds), 8) + pad(fmt(r.p99DelaySeconds), 8) + pad(fmt(r.nodeSeconds, 0), 11)
                         + pad(fmt(r.idleNodeSeconds, 0), 13) + pad(fmt(r.nodeSecondsPerServedTx, 4), 11)
                         + pad(String(r.maxServingNodes), 11) + (r.scaleUpSeconds.map { fmt($0, 2) } ?? "—"))
        }
        return lines.joined(separator: "\n")
    }
}
