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
        let pid: pid_t
        let started: UInt64
        var activation: Double?
        var drainRequested: UInt64?
        init(nodeId: UInt64, pid: pid_t, started: UInt64) { self.nodeId = nodeId; self.pid = pid; self.started = started }
    }

    public let executable: String
    let arguments: @Sendable (UInt64) -> [String]
    let dispatcher: Dispatcher
    let drainGrace: Double
    /// Where the nodes' standard error goes (appended), or nil to share this process's.
    let errorLog: String?
    let log: @Sendable (String) -> Void
    let lock = NSLock()
    var desired = 0
    var nextNodeId: UInt64 = 1
    var replicas: [Replica] = []
    var exitLog: [ReplicaExit] = []
    var reaper: DispatchSourceTimer?
    /// Replicas being started outside the lock (counted as live by a concurrent `setDesired`).
    var spawning = 0

    /// `arguments(nodeId)`: the command line of replica `nodeId` (see `nodeArguments`).
    public init(executable: String, arguments: @escaping @Sendable (UInt64) -> [String], dispatcher: Dispatcher,
                drainGrace: Double = 10, errorLog: String? = nil, log: @escaping @Sendable (String) -> Void) {
        self.executable = executable; self.arguments = arguments; self.dispatcher = dispatcher; self.drainGrace = drainGrace
        self.errorLog = errorLog
        self.log = { log("provisioner: \($0)") }
        // Children are reaped by polling their own pids (WNOHANG), never waitpid(-1): other children of this
        // process (a test's, Foundation's) stay theirs. 5 ms bounds the error of a measured drain time.
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "caldera.provisioner.reaper"))
        timer.schedule(deadline: .now(), repeating: .milliseconds(5))
        timer.setEventHandler { [weak self] in self?.reap() }
        timer.resume()
        reaper = timer
    }

    deinit { reaper?.cancel() }

    /// `node run` arguments for a dispatcher on this machine.
    public static func nodeArguments(dispatcherPort: Int, serviceMicros: UInt64) -> @Sendable (UInt64) -> [String] {
        { id in ["node", "run", "--dispatcher", "127.0.0.1:\(dispatcherPort)", "--id", "\(id)", "--service-us", "\(serviceMicros)"] }
    }

    public func setDesired(_ replicas: Int) {
        let n = max(0, replicas)
        var drains: [Replica] = []
        var ids: [UInt64] = []
        lock.withLock {
            desired = n
            let live = self.replicas.filter { $0.drainRequested == nil }.count + spawning
            if live < n {
                ids = (0..<UInt64(n - live)).map { nextNodeId + $0 }
                nextNodeId += UInt64(ids.count)
                spawning += ids.count
            } else if live > n {
                drains = Array(self.replicas.filter { $0.drainRequested == nil }.sorted { $0.nodeId > $1.nodeId }.prefix(live - n))
                let now = monotonicNanos()
                for r in drains { r.drainRequested = now }
            }
        }
        // posix_spawn blocks its caller until the child has exec'd (tens of milliseconds for this binary on a busy
        // machine), so the children are started from a few threads at once, outside the lock.
        let started = ConcurrentResults<Replica?>(count: ids.count), toStart = ids
        DispatchQueue.concurrentPerform(iterations: min(ids.count, LocalProcessProvisioner.spawnThreads)) { t in
            for i in stride(from: t, to: toStart.count, by: LocalProcessProvisioner.spawnThreads) { started.set(i, spawn(toStart[i])) }
        }
        lock.withLock {
            spawning -= ids.count
            self.replicas.append(contentsOf: started.values.compactMap { $0 })
        }
        for r in drains { requestExit(r) }
    }

    static let spawnThreads = 4

    /// glibc's posix_spawn_file_actions_addclosefrom_np (2.34+; Swift's Glibc module does not expose it), else a
    /// close action for every descriptor above 2 open now.
    static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let sym = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(sym, to: CloseFrom.self)(&actions, 3)
            return
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap(Int32.init) ?? []
        for fd in fds where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
    }

    /// posix_spawn (Foundation's Process took about 20 ms more per child here); standard input and output are
    /// /dev/null, standard error is shared (so a node's errors reach the caller's log) or `errorLog`.
    private func spawn(_ id: UInt64) -> Replica? {
        let argv = [executable] + arguments(id)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        if let errorLog { posix_spawn_file_actions_addopen(&actions, 2, errorLog, O_WRONLY | O_APPEND | O_CREAT, 0o644) }
        // Nothing else crosses over: a node holding copies of the caller's sockets (the dispatcher's, a guardian
        // link's) would keep them open after the caller died, and never see its dispatcher go.
        Self.closeFrom3(&actions)
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for a in cArgs { free(a) } }
        var pid: pid_t = 0
        let started = monotonicNanos()
        let rc = posix_spawn(&pid, executable, &actions, nil, &cArgs, environ)
        guard rc == 0 else {
            log("cannot start node \(id) (\(executable)): \(String(cString: strerror(rc)))")
            return nil
        }
        return Replica(nodeId: id, pid: pid, started: started)
    }

    private func requestExit(_ r: Replica) {
        if !dispatcher.drain(nodeId: r.nodeId) { kill(r.pid, SIGTERM) }
        DispatchQueue.global().asyncAfter(deadline: .now() + drainGrace) { [weak self] in
            guard let self, lock.withLock({ replicas.contains { $0 === r } }) else { return }
            log("node \(r.nodeId) (pid \(r.pid)) still running \(drainGrace) s after the drain request: SIGKILL")
            kill(r.pid, SIGKILL)
        }
    }

    private func reap() {
        let now = monotonicNanos()
        let ended = lock.withLock { () -> [ReplicaExit] in
            var ended: [ReplicaExit] = []
            replicas.removeAll { r in
                var status: Int32 = 0
                guard waitpid(r.pid, &status, WNOHANG) == r.pid else { return false }
                // The wait status's layout (Linux): low 7 bits the signal, or 0 and the exit code in bits 8-15.
                let signal = status & 0x7f
                let e = ReplicaExit(nodeId: r.nodeId, pid: r.pid, status: signal != 0 ? signal : (status >> 8) & 0xff, signaled: signal != 0,
                                    requested: r.drainRequested != nil, drainSeconds: r.drainRequested.map { Double(now - min($0, now)) / 1e9 })
                ended.append(e)
                return true
            }
            exitLog.append(contentsOf: ended)
            return ended
        }
        for e in ended where !e.requested || e.signaled || e.status != 0 {
            log("node \(e.nodeId) (pid \(e.pid)) ended \(e.signaled ? "by signal \(e.status)" : "with status \(e.status)")\(e.requested ? "" : " unasked")")
        }
    }

    public var status: ProvisionerStatus {
        lock.withLock {
            ProvisionerStatus(desired: desired, replicas: replicas.map { r in
                if r.activation == nil, let hello = dispatcher.helloTime(nodeId: r.nodeId) {
                    r.activation = Double(hello - min(hello, r.started)) / 1e9
                }
                let phase: ReplicaPhase = r.drainRequested != nil ? .draining : (r.activation != nil ? .ready : .activating)
                return ReplicaStatus(nodeId: r.nodeId, pid: r.pid, phase: phase, activationSeconds: r.activation)
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

/// Slots filled from concurrent threads (spawns, completions), read from any thread.
public final class ConcurrentResults<T>: @unchecked Sendable { // every access is under `lock`
    private let lock = NSLock()
    private var slots: [T?]
    public init(count: Int) { slots = Array(repeating: nil, count: count) }
    public func set(_ i: Int, _ v: T) { lock.withLock { slots[i] = v } }
    public var values: [T] { lock.withLock { slots.compactMap { $0 } } }
}
