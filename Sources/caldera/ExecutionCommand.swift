import ArgumentParser
import Claims
import Execution
import Foundation

/// `caldera execution …`: the execution layer's simulator.
public struct ExecutionCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "execution",
        abstract: "Execution layer: load-aware scaling of flexible nodes, simulated against baselines.",
        subcommands: [Simulate.self, Tune.self])
    public init() {}

    public struct Simulate: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Simulate the execution layer on a trace or a built-in scenario.",
            discussion: """
            Traces: ethereum-etl blocks CSV (timestamp, transaction_count) or Azure arrivals CSV (TIMESTAMP).
            Scenarios: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).
            Policies: caldera, hpa, fixed-mean, fixed-peak, or all (runs the four side by side).
            """)
        public init() {}

        @Option(name: .long, help: "Trace file (ethereum-etl blocks CSV or Azure arrivals CSV).")
        var trace: String?
        @Option(name: .long, help: "Built-in scenario.")
        var scenario: Scenario?
        @Option(name: .long, help: "Scaling policy, or all (the four side by side).")
        var policy: PolicyChoice = .caldera
        @Option(name: .long, parsing: .unconditional, help: "Seed: one seed reproduces a run exactly.")
        var seed: UInt64 = 1
        @OptionGroup var format: ReportFormat
        @Option(name: .long, help: "Write an SVG of load, serving nodes and p99 delay over time.")
        var plot: String?
        @Flag(help: "Replace the plot file if it exists.") var force = false
        @Option(name: .long, parsing: .unconditional, help: "Activation delay of a joining flexible node, seconds.")
        var activationDelay: Double = 1.0
        @Option(name: .long, parsing: .unconditional, help: "Mean service time per transaction per node, seconds.")
        var serviceTime: Double = 0.1
        @Option(name: .long, help: "Service-time model.")
        var serviceModel: ServiceTimeModel = .exponential
        @Option(name: .long, parsing: .unconditional, help: "Trace time compression (default: Ethereum 15, Azure 1).")
        var timeCompression: Double?
        @Option(name: .long, parsing: .unconditional, help: "Trace load factor (default: auto, busiest 1-s bin needs 100 nodes at ρ=0.8).")
        var loadFactor: Double?

        public mutating func run() throws {
            if let plot { try checkOutput(plot, force: force, inputs: trace.map { [$0] } ?? []) }
            let (results, workload) = try attempt { () throws(TraceError) in try simulate() }
            if let plot {
                let svg = SVGPlot.render(results: results, title: "execution: \(workload.name)",
                                         subtitle: "activation \(fmt1(activationDelay)) s, service \(serviceModel.rawValue) mean \(fmt1(serviceTime)) s, seed \(seed)")
                try writeOutput(Array(svg.utf8), to: plot, force: force, inputs: trace.map { [$0] } ?? [])
            }
            if format.json {
                let summaries = results.map(\.summary)
                if summaries.count == 1 { try printJSON(summaries[0]) } else { try printJSON(summaries) }
            } else {
                print(ExecutionRunner.table(results) + "\nconditions (\(results[0].policy)): " + results[0].conditions)
            }
        }

        /// Runs the simulation for every chosen policy. Throws `TraceError` on bad input.
        public func simulate() throws(TraceError) -> (results: [SimulationResult], workload: ArrivalWorkload) {
            var config = SimulationConfig()
            guard activationDelay >= 0, activationDelay.isFinite else { throw .invalidParameter("--activation-delay must be ≥ 0 seconds") }
            guard serviceTime > 0, serviceTime.isFinite else { throw .invalidParameter("--service-time must be > 0 seconds") }
            config.activationDelay = activationDelay
            config.serviceTimeMean = serviceTime
            config.serviceTimeModel = serviceModel
            config.seed = seed
            let workload: ArrivalWorkload
            switch (trace, scenario) {
            case (let path?, nil):
                let t = try TraceLoader.load(path: path)
                workload = try TraceLoader.workload(trace: t, scaling: TraceScaling(timeCompression: timeCompression, loadFactor: loadFactor), config: config, seed: seed)
            case (nil, let s?):
                workload = s.workload(config: config, seed: seed)
            default:
                throw .invalidParameter("pass exactly one of --trace FILE or --scenario NAME")
            }
            return (policy.kinds.map { ExecutionRunner.run($0, workload: workload, config: config) }, workload)
        }
    }
}

extension ExecutionCommand {
    /// `caldera execution tune`: the parameter search behind the Caldera policy's defaults, on the tune inputs only.
    public struct Tune: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Try the Caldera policy's parameter variants on the tune inputs (not the report-only ones).",
            discussion: """
            For each variant (headroom z, scale-down window) prints the node-seconds saved against the \
            smallest fixed allocation that meets the same p99 delay, on the tune inputs \
            (\(ExecutionClaims.tuneInputs.sorted().joined(separator: ", "))). The claims row execution.waste reports the \
            defaults on the other inputs. Shared traces: $CALDERA_SHARED or ../shared. Takes minutes.
            """)
        public init() {}

        public func run() throws {
            let (results, missing) = ExecutionClaims.tune(sharedDirectory: ClaimContext.fromEnvironment().sharedDirectory)
            let inputs = results.first?.figures.map(\.input) ?? []
            func pad(_ s: String) -> String { s.padding(toLength: 36, withPad: " ", startingAt: 0) }
            print("z     ρ max  window s  " + inputs.map(pad).joined() + "min saving")
            for r in results {
                let p = r.parameters
                var line = String(format: "%-5.2f %-6.2f %-9.0f ", p.headroomZ, p.maxUtilization, p.scaleDownStabilization)
                for fig in r.figures {
                    line += pad(String(format: "%.1f%% (p99 %.3f s, fixed ", fig.savingPercent, fig.calderaP99) + (fig.fixedNodes.map(String.init) ?? "none") + ")")
                }
                print(line + String(format: "%.1f%%", r.minSavingPercent))
            }
            if !missing.isEmpty { print("not found: " + missing.joined(separator: "; ")) }
        }
    }
}

/// `--policy`: one of the policies, or all of them side by side.
public enum PolicyChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
    case caldera, hpa, fixedMean = "fixed-mean", fixedPeak = "fixed-peak", all
    var kinds: [PolicyKind] { self == .all ? PolicyKind.allCases : [PolicyKind(rawValue: rawValue)!] }
}

extension Scenario: ExpressibleByArgument {}
extension ServiceTimeModel: ExpressibleByArgument {}

private func fmt1(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
