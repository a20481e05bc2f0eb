import ArgumentParser
import Execution
import Foundation

/// `caldera execution …`: the execution layer's simulator.
public struct ExecutionCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "execution",
        abstract: "Execution layer: load-aware scaling of flexible nodes, simulated against baselines.",
        subcommands: [Simulate.self])
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
        @Option(name: .long, help: "Built-in scenario: \(Scenario.allCases.map(\.rawValue).joined(separator: ", ")).")
        var scenario: String?
        @Option(name: .long, help: "caldera | hpa | fixed-mean | fixed-peak | all")
        var policy: String = "caldera"
        @Option(name: .long, help: "Seed: one seed reproduces a run exactly.")
        var seed: UInt64 = 1
        @Flag(name: .long, help: "Print the result as JSON.")
        var json = false
        @Option(name: .long, help: "Write an SVG of load, serving nodes and p99 delay over time.")
        var plot: String?
        @Option(name: .long, help: "Activation delay of a joining flexible node, seconds.")
        var activationDelay: Double = 1.0
        @Option(name: .long, help: "Mean service time per transaction per node, seconds.")
        var serviceTime: Double = 0.1
        @Option(name: .long, help: "Service-time model: exponential | deterministic.")
        var serviceModel: String = "exponential"
        @Option(name: .long, help: "Trace time compression (default: Ethereum 15, Azure 1).")
        var timeCompression: Double?
        @Option(name: .long, help: "Trace load factor (default: auto, busiest 1-s bin needs 100 nodes at ρ=0.8).")
        var loadFactor: Double?

        public mutating func run() throws {
            do {
                let output = try execute()
                print(output)
            } catch {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
        }

        /// Runs the simulation and returns what `run` prints. Throws `TraceError` on bad input.
        public func execute() throws(TraceError) -> String {
            var config = SimulationConfig()
            guard activationDelay >= 0, activationDelay.isFinite else { throw .invalidParameter("--activation-delay must be ≥ 0 seconds") }
            guard serviceTime > 0, serviceTime.isFinite else { throw .invalidParameter("--service-time must be > 0 seconds") }
            guard let model = ServiceTimeModel(rawValue: serviceModel) else {
                throw .invalidParameter("unknown --service-model '\(serviceModel)'; use exponential or deterministic")
            }
            config.activationDelay = activationDelay
            config.serviceTimeMean = serviceTime
            config.serviceTimeModel = model
            config.seed = seed
            let kinds: [PolicyKind]
            if policy == "all" { kinds = PolicyKind.allCases } else {
                guard let k = PolicyKind(rawValue: policy) else {
                    throw .invalidParameter("unknown policy '\(policy)'; use caldera, hpa, fixed-mean, fixed-peak or all")
                }
                kinds = [k]
            }
            let workload: Workload
            switch (trace, scenario) {
            case (let path?, nil):
                let t = try TraceLoader.load(path: path)
                workload = try TraceLoader.workload(trace: t, scaling: TraceScaling(timeCompression: timeCompression, loadFactor: loadFactor), config: config, seed: seed)
            case (nil, let name?):
                guard let s = Scenario(rawValue: name) else { throw .unknownScenario(name) }
                workload = s.workload(config: config, seed: seed)
            default:
                throw .invalidParameter("pass exactly one of --trace FILE or --scenario NAME")
            }
            let results = kinds.map { ExecutionRunner.run($0, workload: workload, config: config) }
            if let plot {
                let svg = SVGPlot.render(results: results, title: "execution: \(workload.name)",
                                         subtitle: "activation \(fmt1(activationDelay)) s, service \(model.rawValue) mean \(fmt1(serviceTime)) s, seed \(seed)")
                do { try svg.write(toFile: plot, atomically: true, encoding: .utf8) } catch {
                    throw .invalidParameter("cannot write plot to \(plot): \(error.localizedDescription)")
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                let summaries = results.map(Summary.init)
                let data: Data
                if summaries.count == 1 { data = (try? encoder.encode(summaries[0])) ?? Data() } else { data = (try? encoder.encode(summaries)) ?? Data() }
                return String(decoding: data, as: UTF8.self)
            }
            return ExecutionRunner.table(results) + "\nconditions (\(results[0].policy)): " + results[0].conditions
        }
    }

    /// The JSON printed by `simulate --json` (no per-second timeline).
    public struct Summary: Codable, Equatable {
        public var policy: String
        public var input: String
        public var servedTx: Int
        public var droppedTx: Int
        public var p50DelaySeconds: Double
        public var p99DelaySeconds: Double
        public var nodeSeconds: Double
        public var maxServingNodes: Int
        public var scaleUpSeconds: Double?
        public var activationDelaySeconds: Double
        public var idleNodeSeconds: Double
        public var nodeSecondsPerServedTx: Double
        public var arrivedTx: Int
        public var queuedAtEnd: Int
        public var seed: UInt64
        public var conditions: String

        init(_ r: SimulationResult) {
            policy = r.policy; input = r.input; servedTx = r.servedTx; droppedTx = r.droppedTx
            p50DelaySeconds = r.p50DelaySeconds; p99DelaySeconds = r.p99DelaySeconds; nodeSeconds = r.nodeSeconds
            maxServingNodes = r.maxServingNodes; scaleUpSeconds = r.scaleUpSeconds; activationDelaySeconds = r.activationDelaySeconds
            idleNodeSeconds = r.idleNodeSeconds; nodeSecondsPerServedTx = r.nodeSecondsPerServedTx; arrivedTx = r.arrivedTx
            queuedAtEnd = r.queuedAtEnd; seed = r.seed; conditions = r.conditions
        }

        enum CodingKeys: String, CodingKey {
            case policy, input, servedTx, droppedTx, p50DelaySeconds, p99DelaySeconds, nodeSeconds, maxServingNodes, scaleUpSeconds,
                 activationDelaySeconds, idleNodeSeconds, nodeSecondsPerServedTx, arrivedTx, queuedAtEnd, seed, conditions
        }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(policy, forKey: .policy); try c.encode(input, forKey: .input)
            try c.encode(servedTx, forKey: .servedTx); try c.encode(droppedTx, forKey: .droppedTx)
            try c.encode(p50DelaySeconds, forKey: .p50DelaySeconds); try c.encode(p99DelaySeconds, forKey: .p99DelaySeconds)
            try c.encode(nodeSeconds, forKey: .nodeSeconds); try c.encode(maxServingNodes, forKey: .maxServingNodes)
            try c.encode(scaleUpSeconds, forKey: .scaleUpSeconds)   // null without a step
            try c.encode(activationDelaySeconds, forKey: .activationDelaySeconds)
            try c.encode(idleNodeSeconds, forKey: .idleNodeSeconds); try c.encode(nodeSecondsPerServedTx, forKey: .nodeSecondsPerServedTx)
            try c.encode(arrivedTx, forKey: .arrivedTx); try c.encode(queuedAtEnd, forKey: .queuedAtEnd)
            try c.encode(seed, forKey: .seed); try c.encode(conditions, forKey: .conditions)
        }
    }
}

private func fmt1(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(x) }
