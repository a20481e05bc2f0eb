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

    public static func calderaPolicy(config: SimulationConfig) -> CalderaPolicy {
        var c = CalderaPolicy.Configuration()
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
    public static func run(_ kind: PolicyKind, workload: ArrivalWorkload, config: SimulationConfig) -> SimulationResult {
        let sim = Simulator(config: config)
        let warm = warmStart(workload: workload, config: config)
        let warmNote = "; warm start with \(warm) nodes (first 60 s mean rate at ρ=0.8)"
        switch kind {
        case .caldera:
            var r = sim.run(workload: workload, policy: calderaPolicy(config: config), initialNodes: warm)
            r.conditions += warmNote + "; Caldera policy: control every 0.25 s, Holt level τ 1 s / trend β 0.2, look-ahead activation + 0.25 s, n = ⌈R/0.85 + 2.5·√R⌉ + ⌈Q/(μ·2 s)⌉, scale-down to the max of 30 s of slow-level (τ 5 s) recommendations"
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
