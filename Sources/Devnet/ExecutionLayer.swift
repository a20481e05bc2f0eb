// The execution layer as the devnet runs it: ExecutionNode's dispatcher (nodes dial it over loopback TCP) and
// the local-process provisioner that starts and drains `caldera node run` children. The devnet's loop decides
// the desired count with the scheduler's policy; this only carries it out and reports back.
import ExecutionNode
import Foundation

final class ExecutionLayer: @unchecked Sendable {
    let dispatcher: Dispatcher
    let provisioner: LocalProcessProvisioner
    var seenActivations = Set<UInt64>()

    init(executable: String, serviceMicros: Int, logs: String, log: @escaping @Sendable (String) -> Void) throws(DevnetError) {
        // Small batches: a batch takes batchItems × the service time on one node, and a block waits for its slowest batch.
        do { dispatcher = try Dispatcher(batchItems: 4, log: log) } catch { throw .failed("cannot start the node dispatcher: \(error)") }
        provisioner = LocalProcessProvisioner(executable: executable,
                                              arguments: LocalProcessProvisioner.nodeArguments(dispatcherPort: dispatcher.port, serviceMicros: UInt64(serviceMicros)),
                                              dispatcher: dispatcher, errorLog: logs + "/nodes.log", log: log)
    }

    func submit(_ items: [WorkItem], completion: @escaping @Sendable ([Receipt]) -> Void) { dispatcher.submit(items, completion: completion) }

    func setDesired(_ n: Int) { provisioner.setDesired(n) }

    var status: (serving: Int, activating: Int, queued: Int) {
        let p = provisioner.status, s = dispatcher.stats
        return (p.ready, p.activating, s.queueDepth)
    }

    /// Activation times (spawn → the node's hello) of replicas that became ready since the last call.
    func takeActivations() -> [Double] {
        var out = [Double]()
        for r in provisioner.status.replicas {
            if let a = r.activationSeconds, seenActivations.insert(r.nodeId).inserted { out.append(a) }
        }
        return out
    }

    func stop() {
        provisioner.shutdown()
        dispatcher.shutdown()
    }
}
