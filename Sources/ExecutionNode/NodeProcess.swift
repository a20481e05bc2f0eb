import Dispatch
import Foundation
import NIOCore
import NIOPosix

/// Why a node could not run.
public enum NodeRunError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotConnect(String, seconds: Double)
    case dispatcherClosed
    public var description: String {
        switch self {
        case let .cannotConnect(address, seconds): "cannot connect to the dispatcher at \(address) within \(seconds) s"
        case .dispatcherClosed: "the dispatcher closed the connection without a drain"
        }
    }
}

/// One execution node as a process: dials the dispatcher, says hello, executes batches and answers them, until
/// a drain (finish what was received, answer, return) or `stop()`.
///
/// The one modelled part: `serviceMicros` is the minimum service time per transaction, so that many nodes on a
/// small machine behave like as many node-sized machines of capacity 10⁶/serviceMicros tx/s each. A batch
/// of n transactions does the real work (signature recovery, execution) and then waits out the rest of
/// n × serviceMicros from the moment its work began.
public final class NodeProcess: @unchecked Sendable { // mutable state is touched on `worker` or under `lock`
    public struct Summary: Sendable, Equatable {
        public var batches = 0
        public var transactions = 0
        public var drained = false
    }

    public let nodeId: UInt64
    public let serviceMicros: UInt64
    let host: String
    let port: Int
    let log: @Sendable (String) -> Void
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let worker = DispatchQueue(label: "caldera.node.worker")
    let lock = NSLock()
    var channel: Channel?
    var summary = Summary()
    var stopped = false
    var lastWrite: EventLoopFuture<Void>?

    public init(host: String, port: Int, nodeId: UInt64, serviceMicros: UInt64, log: @escaping @Sendable (String) -> Void) {
        self.host = host; self.port = port; self.nodeId = nodeId; self.serviceMicros = serviceMicros
        self.log = { log("node \(nodeId): \($0)") }
    }

    /// Connects (retrying for up to `connectTimeout` seconds: the dispatcher may still be starting), then serves
    /// until drained or stopped. Returns what it did; throws if it never connected or the dispatcher went away.
    public func run(connectTimeout: Double) throws(NodeRunError) -> Summary {
        defer { try? group.syncShutdownGracefully() }
        let deadline = Date().addingTimeInterval(connectTimeout)
        var connected: Channel?
        while connected == nil {
            if lock.withLock({ stopped }) { return lock.withLock { summary } }
            let reader = NodeFrameReader(onFrame: { [self] frame, channel in receive(frame, channel) },
                                         onGarbage: { [log] why, _ in log("closing the dispatcher connection: \(why)") })
            connected = try? ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(500))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addNodeFrameReader(reader) } }
                .connect(host: host, port: port).wait()
            if connected == nil {
                guard Date() < deadline else { throw .cannotConnect("\(host):\(port)", seconds: connectTimeout) }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        let channel = connected!
        let stopNow = lock.withLock { () -> Bool in self.channel = channel; return stopped }
        if stopNow { channel.close(promise: nil) }
        channel.send(.hello(nodeId: nodeId, pid: UInt32(truncatingIfNeeded: getpid())))
        try? channel.closeFuture.wait()
        // Work already handed to the worker finishes (or is abandoned on stop) before the summary is read.
        worker.sync {}
        let (s, wasStopped) = lock.withLock { (summary, stopped) }
        if !s.drained && !wasStopped { throw .dispatcherClosed }
        return s
    }

    /// Stops from any thread (a signal handler): the connection is closed, work in hand is abandoned (the
    /// dispatcher resubmits it elsewhere).
    public func stop() {
        let c = lock.withLock { () -> Channel? in stopped = true; return channel }
        c?.close(promise: nil)
    }

    func receive(_ frame: NodeFrame, _ channel: Channel) {
        switch frame {
        case let .batch(id, items):
            worker.async { [self] in
                guard !lock.withLock({ stopped }) else { return }
                let receipts = execute(items)
                lock.withLock { summary.batches += 1; summary.transactions += items.count }
                lastWrite = channel.send(.results(id: id, receipts: receipts))
            }
        case .drain:
            worker.async { [self] in
                lock.withLock { summary.drained = true }
                // Close only once the last answer is on the socket.
                (lastWrite ?? channel.eventLoop.makeSucceededVoidFuture()).whenComplete { _ in channel.close(promise: nil) }
            }
        case .hello, .results:
            log("closing the dispatcher connection: it sent a frame only a node sends")
            channel.close(promise: nil)
        }
    }

    /// The real work, then the wait that makes this process a node of the stated capacity.
    func execute(_ items: [WorkItem]) -> [Receipt] {
        let start = monotonicNanos()
        let receipts = items.map { Executor.execute($0) }
        let target = start &+ UInt64(items.count) &* serviceMicros &* 1000
        let now = monotonicNanos()
        if target > now { Thread.sleep(forTimeInterval: Double(target - now) / 1e9) }
        return receipts
    }
}
