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
    /// With a load after the scale-up: the signed transactions sent, the seconds until every receipt was back
    /// (each checked against the pure executor's), and how many of the `to` nodes answered some.
    public var transactions: Int?
    public var serveSeconds: Double?
    public var nodesServed: Int?
}

public enum ScaleMeasurementError: Error, CustomStringConvertible {
    case timeout(String)
    case nodesFailed(String)
    case wrongReceipts(Int)
    public var description: String {
        switch self {
        case let .timeout(what): "timed out: \(what)"
        case let .nodesFailed(what): what
        case let .wrongReceipts(n): "\(n) receipts differ from the executor's"
        }
    }
}

public enum ScaleMeasurement {
    /// Brings up `from` nodes, waits until they are ready, sets desired = `to` and times until all are ready,
    /// then drains every node and times until all have exited.
    /// With `transactions` > 0, that many signed transfers (a tenth refused on purpose) are then executed on the
    /// `to` nodes, in batches small enough to reach every node, before the drain.
    public static func run(executable: String, from: Int, to: Int, serviceMicros: UInt64, transactions: Int = 0, timeout: Double = 120,
                           log: @escaping @Sendable (String) -> Void) throws -> ScaleReport {
        let batch = transactions > 0 ? max(1, min(16, transactions / to)) : 16
        let dispatcher = try Dispatcher(batchItems: batch, log: log)
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
        var served: (seconds: Double, nodes: Int)?
        if transactions > 0 { served = try serve(transactions, on: dispatcher, timeout: timeout) }
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
                           activationP99Seconds: percentile(&activations, 0.99), activationMaxSeconds: activations.max() ?? 0, drainSeconds: down,
                           transactions: transactions > 0 ? transactions : nil, serveSeconds: served?.seconds, nodesServed: served?.nodes)
    }

    /// One round of transfers with witnesses from the genesis state (receipts are not applied back: a load, not
    /// a ledger), each receipt checked against the pure executor's.
    static func serve(_ n: Int, on dispatcher: Dispatcher, timeout: Double) throws -> (seconds: Double, nodes: Int) {
        var w = TransferWorkload(rollupId: 1, accounts: max(2, n), balance: 1_000_000, seed: 1)
        let items = (0..<n).map { i in w.next(fault: i % 10 == 9 ? .badSignature : nil) }
        let expected = items.map { Executor.execute($0) }
        let done = DispatchSemaphore(value: 0)
        let box = ConcurrentResults<[Receipt]>(count: 1)
        let t0 = monotonicNanos()
        dispatcher.submit(items) { box.set(0, $0); done.signal() }
        guard done.wait(timeout: .now() + timeout) == .success else { throw ScaleMeasurementError.timeout("\(n) transactions not answered after \(timeout) s") }
        let seconds = Double(monotonicNanos() - t0) / 1e9
        let got = box.values.first ?? []
        let wrong = zip(got, expected).filter { $0 != $1 }.count + abs(got.count - expected.count)
        guard wrong == 0 else { throw ScaleMeasurementError.wrongReceipts(wrong) }
        return (seconds, dispatcher.servedByNode.count)
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
