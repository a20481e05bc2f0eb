import Foundation

extension SimulationResult {
    /// The result without its per-second timeline: what `caldera execution simulate --json` prints.
    public var summary: SimulationSummary { SimulationSummary(self) }
}

/// A simulation result without its per-second timeline (the JSON of `caldera execution simulate --json`).
public struct SimulationSummary: Codable, Equatable, Sendable {
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

    public init(_ r: SimulationResult) {
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
