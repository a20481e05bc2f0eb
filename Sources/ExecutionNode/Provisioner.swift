import Foundation

/// Where a replica is in its life.
public enum ReplicaPhase: String, Sendable, Equatable {
    /// Started, not yet connected to the dispatcher.
    case activating
    /// Connected (said hello): serving.
    case ready
    /// Asked to finish its work and exit.
    case draining
}

public struct ReplicaStatus: Sendable, Equatable {
    public var nodeId: UInt64
    public var pid: Int32
    public var phase: ReplicaPhase
    /// Start → hello, measured; nil until the replica said hello.
    public var activationSeconds: Double?
}

/// How a replica ended.
public struct ReplicaExit: Sendable, Equatable {
    public var nodeId: UInt64
    public var pid: Int32
    /// Exit status, or the signal number when `signaled`.
    public var status: Int32
    public var signaled: Bool
    /// The provisioner had asked it to drain (or stop) before it ended.
    public var requested: Bool
    /// Drain request → exit, seconds; nil if it was never asked.
    public var drainSeconds: Double?
}

public struct ProvisionerStatus: Sendable, Equatable {
    public var desired: Int
    public var replicas: [ReplicaStatus]
    public var ready: Int { replicas.filter { $0.phase == .ready }.count }
    public var activating: Int { replicas.filter { $0.phase == .activating }.count }
    public var draining: Int { replicas.filter { $0.phase == .draining }.count }
}

/// The seam between the scheduler's decision and whatever runs nodes: desired replicas in, replica states out.
/// `LocalProcessProvisioner` runs processes on this machine; a Kubernetes implementation would set a
/// StatefulSet's `spec.replicas` and read `status.readyReplicas` (docs/execution.md, "Provisioning").
public protocol Provisioner: AnyObject, Sendable {
    /// Brings the number of non-draining replicas to `replicas`: starts new ones, or drains the newest.
    func setDesired(_ replicas: Int)
    var status: ProvisionerStatus { get }
}

/// Runs `caldera node run` child processes on this machine. Replica ids count up from 1; scaling down drains the
/// newest first (through the dispatcher; a replica not yet connected gets SIGTERM) and SIGKILLs a replica still
/// alive `drainGrace` seconds later. A replica that dies is only reaped: it is replaced by the next `setDesired`
/// (the autoscaler calls it every tick), never behind the caller's back.
public final class LocalProcessProvisioner: Provisioner, @unchecked Sendable { // all mutable state is under `lock`
    final class Replica: @unchecked Sendable { // fields are read and written under the provisioner's lock
        let nodeId: UInt64
        let process: Process
        let started: UInt64
        var activation: Double?
        var drainRequested: UInt64?
        init(nodeId: UInt64, process: Process, started: UInt64) { self.nodeId = nodeId; self.process = process; self.started = started }
    }

    public let executable: String
    let arguments: @Sendable (UInt64) -> [String]
    let dispatcher: Dispatcher
    let drainGrace: Double
    let log: @Sendable (String) -> Void
    let lock = NSLock()
    var desired = 0
    var nextNodeId: UInt64 = 1
    var replicas: [Replica] = []
    var exitLog: [ReplicaExit] = []

    /// `arguments(nodeId)`: the command line of replica `nodeId` (see `nodeArguments`).
    public init(executable: String, arguments: @escaping @Sendable (UInt64) -> [String], dispatcher: Dispatcher,
                drainGrace: Double = 10, log: @escaping @Sendable (String) -> Void) {
        self.executable = executable; self.arguments = arguments; self.dispatcher = dispatcher; self.drainGrace = drainGrace
        self.log = { log("provisioner: \($0)") }
    }

    /// `node run` arguments for a dispatcher on this machine.
    public static func nodeArguments(dispatcherPort: Int, serviceMicros: UInt64) -> @Sendable (UInt64) -> [String] {
        { id in ["node", "run", "--dispatcher", "127.0.0.1:\(dispatcherPort)", "--id", "\(id)", "--service-us", "\(serviceMicros)"] }
    }

    public func setDesired(_ replicas: Int) {
        let n = max(0, replicas)
        var drains: [Replica] = []
        lock.withLock {
            desired = n
            let live = self.replicas.filter { $0.drainRequested == nil }
            if live.count < n {
                for _ in live.count..<n { spawn() }
            } else if live.count > n {
                drains = Array(live.sorted { $0.nodeId > $1.nodeId }.prefix(live.count - n))
                let now = monotonicNanos()
                for r in drains { r.drainRequested = now }
            }
        }
        for r in drains { requestExit(r) }
    }

    /// Under `lock`.
    private func spawn() {
        let id = nextNodeId
        nextNodeId += 1
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments(id)
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.terminationHandler = { [weak self] p in self?.reap(nodeId: id, p) }
        let started = monotonicNanos()
        do {
            try p.run()
        } catch {
            log("cannot start node \(id) (\(executable)): \(error)")
            return
        }
        replicas.append(Replica(nodeId: id, process: p, started: started))
    }

    private func requestExit(_ r: Replica) {
        if !dispatcher.drain(nodeId: r.nodeId) { kill(r.process.processIdentifier, SIGTERM) }
        let pid = r.process.processIdentifier, id = r.nodeId, process = r.process
        DispatchQueue.global().asyncAfter(deadline: .now() + drainGrace) { [weak self] in
            guard let self, process.isRunning else { return }
            log("node \(id) (pid \(pid)) still running \(drainGrace) s after the drain request: SIGKILL")
            kill(pid, SIGKILL)
        }
    }

    private func reap(nodeId: UInt64, _ p: Process) {
        let signaled = p.terminationReason == .uncaughtSignal
        let status = p.terminationStatus
        let now = monotonicNanos()
        let exit = lock.withLock { () -> ReplicaExit? in
            guard let i = replicas.firstIndex(where: { $0.nodeId == nodeId }) else { return nil }
            let r = replicas.remove(at: i)
            let e = ReplicaExit(nodeId: nodeId, pid: p.processIdentifier, status: status, signaled: signaled, requested: r.drainRequested != nil,
                                drainSeconds: r.drainRequested.map { Double(now - $0) / 1e9 })
            exitLog.append(e)
            return e
        }
        if let e = exit, !e.requested || e.signaled || e.status != 0 {
            log("node \(nodeId) (pid \(e.pid)) ended \(e.signaled ? "by signal \(status)" : "with status \(status)")\(e.requested ? "" : " unasked")")
        }
    }

    public var status: ProvisionerStatus {
        lock.withLock {
            ProvisionerStatus(desired: desired, replicas: replicas.map { r in
                if r.activation == nil, let hello = dispatcher.helloTime(nodeId: r.nodeId) {
                    r.activation = Double(hello - min(hello, r.started)) / 1e9
                }
                let phase: ReplicaPhase = r.drainRequested != nil ? .draining : (r.activation != nil ? .ready : .activating)
                return ReplicaStatus(nodeId: r.nodeId, pid: r.process.processIdentifier, phase: phase, activationSeconds: r.activation)
            })
        }
    }

    /// Every replica that has ended, in the order they ended.
    public var exits: [ReplicaExit] { lock.withLock { exitLog } }

    /// Drains every replica and waits until all have exited (at most `drainGrace` plus a second: stragglers are killed).
    public func shutdown() {
        setDesired(0)
        let deadline = Date().addingTimeInterval(drainGrace + 1)
        while lock.withLock({ !replicas.isEmpty }) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }
}
