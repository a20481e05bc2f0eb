import Execution
import Foundation

/// The glue between the dispatcher, the scheduler's policy and the provisioner: statistics in, `LoadSignals`
/// out, the decision applied as `setDesired`. Pure but for `tick`, which reads and applies; time is passed in.
public struct Autoscaler: Sendable {
    public var policy: CalderaPolicy
    /// The nodes' nominal rate (10⁶ / service µs), used until the dispatcher has observed one.
    public var nominalServiceRate: Double
    var last: (time: Double, submitted: UInt64)?

    public init(policy: CalderaPolicy = CalderaPolicy(), nominalServiceRate: Double) {
        self.policy = policy; self.nominalServiceRate = nominalServiceRate
    }

    /// The signals for the policy at `now` (seconds, any monotonic origin): the arrival rate is the submissions
    /// since the previous call over the time since then.
    public mutating func signals(stats: Dispatcher.Stats, provisioner: ProvisionerStatus, now: Double) -> LoadSignals {
        var rate = 0.0, window = 0.0
        if let l = last, now > l.time {
            window = now - l.time
            rate = Double(stats.submittedTransactions &- l.submitted) / window
        }
        last = (now, stats.submittedTransactions)
        let mu = stats.serviceRatePerNode.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? nominalServiceRate
        return LoadSignals(queueDepth: stats.queueDepth, arrivalRate: rate, serviceRatePerNode: mu,
                           servingNodes: provisioner.ready, activatingNodes: provisioner.activating, windowSeconds: window)
    }

    public mutating func decide(stats: Dispatcher.Stats, provisioner: ProvisionerStatus, now: Double) -> ScaleDecision {
        policy.decide(signals: signals(stats: stats, provisioner: provisioner, now: now), now: now)
    }

    /// One control step: read, decide, apply. Call it every `policy.controlInterval` seconds.
    @discardableResult
    public mutating func tick(dispatcher: Dispatcher, provisioner: any Provisioner, now: Double) -> ScaleDecision {
        let d = decide(stats: dispatcher.stats, provisioner: provisioner.status, now: now)
        provisioner.setDesired(d.targetNodes)
        return d
    }
}
