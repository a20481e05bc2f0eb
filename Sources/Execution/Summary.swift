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
    @EncodedAsNull public var scaleUpSeconds: Double?
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
}

/// An optional that JSON always carries: `null` when absent, where synthesised `Codable` would leave the key
/// out (`scaleUpSeconds` is null without a step). Decoding accepts both.
@propertyWrapper
public struct EncodedAsNull<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        wrappedValue = c.decodeNil() ? nil : try c.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key is an absent value, as for a plain optional.
    func decode<Value>(_ type: EncodedAsNull<Value>.Type, forKey key: Key) throws -> EncodedAsNull<Value> {
        EncodedAsNull(wrappedValue: try decodeIfPresent(Value.self, forKey: key))
    }
}
