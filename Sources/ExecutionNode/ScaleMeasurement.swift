import Execution
import Foundation

/// `caldera node scale`: real node processes on this machine, from `from` ready to `to` ready, timed.
public struct ScaleReport: Codable, Sendable, Equatable {
    public var from: Int
    public var to: Int
    /// desired = `to` → all `to` replicas ready.
    public var scaleUpSeconds: Double
    /// Start → hello of the replicas started by the scale-up (nearest rank).
    public var activationP50Seconds: Double
    public var activationP99Seconds: Double
    public var activationMaxSeconds: Double
    /// desired = 0 → every process exited.
    public var drainSeconds: Double
}

public enum ScaleMeasurementError: Error, CustomStringConvertible {
    case timeout(String)
    case nodesFailed(String)
    public var description: String {
        switch self {
        case let .timeout(what): "timed out: \(what)"
        case let .nodesFailed(what): what
        }
    }
}

public enum ScaleMeasurement {
    /// Brings up `from` nodes, waits until they are ready, sets desired = `to` and times until all are ready,
    /// then drains every node and times until all have exited.
    public static func run(executable: String, from: Int, to: Int, serviceMicros: UInt64, timeout: Double = 120,
                           log: @escaping @Sendable (String) -> Void) throws -> ScaleReport {
        let dispatcher = try Dispatcher(log: log)
        defer { dispatcher.shutdown() }
        let provisioner = LocalProcessProvisioner(executable: executable,
                                                  arguments: LocalProcessProvisioner.nodeArguments(dispatcherPort: dispatcher.port, serviceMicros: serviceMicros),
                                                  dispatcher: dispatcher, log: log)
        var finished = false
        defer { if !finished { provisioner.shutdown() } }
        provisioner.setDesired(from)
        try waitReady(provisioner, count: from, timeout: timeout)
        let first = Set(provisioner.status.replicas.map(\.nodeId))
        let t0 = monotonicNanos()
        provisioner.setDesired(to)
        log("scale: \(to - from) processes spawned in \(String(format: "%.3f", Double(monotonicNanos() - t0) / 1e9)) s")
        let status = try waitReady(provisioner, count: to, timeout: timeout)
        let up = Double(monotonicNanos() - t0) / 1e9
        var activations = status.replicas.filter { !first.contains($0.nodeId) }.compactMap(\.activationSeconds)
        let d0 = monotonicNanos()
        provisioner.shutdown()
        finished = true
        let down = Double(monotonicNanos() - d0) / 1e9
        let exits = provisioner.exits
        let bad = exits.filter { $0.signaled || $0.status != 0 }
        guard provisioner.status.replicas.isEmpty, bad.isEmpty else {
            throw ScaleMeasurementError.nodesFailed("\(bad.count) of \(exits.count) nodes did not exit 0 on drain; \(provisioner.status.replicas.count) still running")
        }
        return ScaleReport(from: from, to: to, scaleUpSeconds: up, activationP50Seconds: percentile(&activations, 0.50),
                           activationP99Seconds: percentile(&activations, 0.99), activationMaxSeconds: activations.max() ?? 0, drainSeconds: down)
    }

    @discardableResult
    static func waitReady(_ p: LocalProcessProvisioner, count: Int, timeout: Double) throws -> ProvisionerStatus {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let s = p.status
            if s.ready >= count { return s }
            guard Date() < deadline else { throw ScaleMeasurementError.timeout("\(s.ready) of \(count) nodes ready after \(timeout) s") }
            Thread.sleep(forTimeInterval: 0.002)
        }
    }
}
