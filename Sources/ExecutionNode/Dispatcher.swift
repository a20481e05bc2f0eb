import Foundation
import Merkle
import NIOCore
import NIOPosix

/// The sequencer's side of the node protocol: listens on loopback, nodes dial in (no port per node), and
/// submitted work is cut into batches sent to ready nodes, least outstanding work first, at most `window`
/// batches outstanding per node. A node that disconnects has its outstanding batches resubmitted to the
/// others; a batch is completed by the first valid answer only, so every submission completes exactly once
/// with one receipt per item, in order.
public final class Dispatcher: @unchecked Sendable { // all mutable state is under `lock`
    /// What the scheduler reads.
    public struct Stats: Sendable, Equatable {
        /// Transactions waiting for a node (not sent yet).
        public var queueDepth: Int
        /// Transactions sent to nodes and not answered yet.
        public var inFlight: Int
        /// Nodes that said hello and are not draining.
        public var servingNodes: Int
        public var drainingNodes: Int
        public var submittedTransactions: UInt64
        public var completedTransactions: UInt64
        /// Batches sent again because their node went away.
        public var resubmittedBatches: UInt64
        /// Observed per-node service rate (transactions per second), from the time nodes spend on batches;
        /// nil before the first answer.
        public var serviceRatePerNode: Double?
    }

    /// A connected node, as the provisioner and the devnet see it.
    public struct ConnectedNode: Sendable, Equatable {
        public var nodeId: UInt64
        public var pid: UInt32
        public var draining: Bool
        public var outstandingTransactions: Int
    }

    final class Submission: @unchecked Sendable { // under the dispatcher's lock
        var receipts: [Receipt?]
        var remaining: Int
        let completion: @Sendable ([Receipt]) -> Void
        init(count: Int, completion: @escaping @Sendable ([Receipt]) -> Void) {
            receipts = Array(repeating: nil, count: count); remaining = count; self.completion = completion
        }
    }

    final class Chunk: @unchecked Sendable { // under the dispatcher's lock
        let submission: Submission
        let offset: Int
        let items: [WorkItem]
        let hashes: [Digest]
        var sentAt: UInt64 = 0
        init(submission: Submission, offset: Int, items: [WorkItem]) {
            self.submission = submission; self.offset = offset; self.items = items; hashes = items.map(\.tx.hash)
        }
    }

    final class Link: @unchecked Sendable { // under the dispatcher's lock
        let channel: Channel
        var nodeId: UInt64?
        var pid: UInt32 = 0
        var draining = false
        var outstanding: [UInt64: Chunk] = [:]
        var outstandingTransactions = 0
        var lastAnswer: UInt64 = 0
        init(channel: Channel) { self.channel = channel }
    }

    public let port: Int
    public let batchItems: Int
    public let window: Int
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let log: @Sendable (String) -> Void
    let lock = NSLock()
    var server: Channel?
    var links: [ObjectIdentifier: Link] = [:]
    var queue: [Chunk] = []
    var queueHead = 0
    var queuedTransactions = 0
    var nextBatchId: UInt64 = 1
    var helloTimes: [UInt64: UInt64] = [:]
    var servedBy: [UInt64: UInt64] = [:]
    var submitted: UInt64 = 0
    var completed: UInt64 = 0
    var resubmitted: UInt64 = 0
    var perTransactionNanos: Double?
    /// Connections held at once (a flood beyond it is refused; each holds at most one frame).
    static let maxConnections = 1024
    static let helloTimeout: TimeAmount = .seconds(10)

    /// Binds `host:port` (port 0: any free port, read back from `port`).
    public init(host: String = "127.0.0.1", port: Int = 0, batchItems: Int = 16, window: Int = 2, log: @escaping @Sendable (String) -> Void) throws {
        precondition((1...NodeFrame.maxBatchItems).contains(batchItems) && window >= 1)
        self.batchItems = batchItems; self.window = window
        self.log = { log("dispatcher: \($0)") }
        // The server's initializer needs `self`, which exists only after every stored property is set.
        var bound: Channel?
        let box = WeakBox()
        do {
            bound = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    guard let d = box.dispatcher else { return channel.close() }
                    return d.accept(channel)
                }
                .bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.server = bound
        self.port = bound!.localAddress?.port ?? port
        box.dispatcher = self
    }

    final class WeakBox: @unchecked Sendable { weak var dispatcher: Dispatcher? } // set once, before any connection is served

    func accept(_ channel: Channel) -> EventLoopFuture<Void> {
        let link = Link(channel: channel)
        let admitted = lock.withLock { () -> Bool in
            guard links.count < Dispatcher.maxConnections else { return false }
            links[ObjectIdentifier(channel)] = link
            return true
        }
        guard admitted else {
            log("refusing a connection: \(Dispatcher.maxConnections) open already")
            return channel.close()
        }
        channel.closeFuture.whenComplete { [self] _ in disconnected(link) }
        // A connection that never says hello would hold a slot forever.
        channel.eventLoop.scheduleTask(in: Dispatcher.helloTimeout) { [self] in
            if lock.withLock({ link.nodeId == nil }) && channel.isActive { close(link, "no hello within \(Dispatcher.helloTimeout.nanoseconds / 1_000_000_000) s") }
        }
        let reader = NodeFrameReader(onFrame: { [self] frame, _ in receive(frame, from: link) },
                                     onGarbage: { [self] why, _ in log("closing \(name(link)): \(why)") })
        return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addNodeFrameReader(reader) }
    }

    func name(_ link: Link) -> String { lock.withLock { link.nodeId.map { "node \($0)" } ?? "an unnamed connection" } }

    // MARK: work

    /// Executes `items` on the nodes; `completion` runs once, on the dispatcher's thread (it must not block),
    /// with one receipt per item in order (at once, on the caller's thread, for no items). Waits (queued) while no
    /// node is serving.
    public func submit(_ items: [WorkItem], completion: @escaping @Sendable ([Receipt]) -> Void) {
        guard !items.isEmpty else { completion([]); return }
        let s = Submission(count: items.count, completion: completion)
        let chunks = stride(from: 0, to: items.count, by: batchItems).map { Chunk(submission: s, offset: $0, items: Array(items[$0..<min($0 + batchItems, items.count)])) }
        lock.withLock {
            queue.append(contentsOf: chunks)
            queuedTransactions += items.count
            submitted += UInt64(items.count)
        }
        pump()
    }

    /// `submit` for async callers.
    public func submit(_ items: [WorkItem]) async -> [Receipt] {
        await withCheckedContinuation { c in submit(items) { c.resume(returning: $0) } }
    }

    /// Sends queued batches to nodes with room, least outstanding work first.
    func pump() {
        var sends: [(Channel, NodeFrame)] = []
        lock.withLock {
            while queueHead < queue.count {
                let ready = links.values.filter { $0.nodeId != nil && !$0.draining && $0.outstanding.count < window && $0.channel.isActive }
                guard let link = ready.min(by: { ($0.outstandingTransactions, $0.nodeId!) < ($1.outstandingTransactions, $1.nodeId!) }) else { break }
                let chunk = queue[queueHead]
                queueHead += 1
                queuedTransactions -= chunk.items.count
                let id = nextBatchId
                nextBatchId += 1
                chunk.sentAt = monotonicNanos()
                link.outstanding[id] = chunk
                link.outstandingTransactions += chunk.items.count
                sends.append((link.channel, .batch(id: id, items: chunk.items)))
            }
            if queueHead > 1024 && queueHead * 2 > queue.count { queue.removeFirst(queueHead); queueHead = 0 }
        }
        for (channel, frame) in sends { channel.send(frame) }
    }

    func receive(_ frame: NodeFrame, from link: Link) {
        switch frame {
        case let .hello(nodeId, pid):
            let problem = lock.withLock { () -> String? in
                guard link.nodeId == nil else { return "a second hello" }
                guard !links.values.contains(where: { $0.nodeId == nodeId }) else { return "hello as node \(nodeId), which is connected already" }
                link.nodeId = nodeId; link.pid = pid
                helloTimes[nodeId] = monotonicNanos()
                return nil
            }
            if let problem { return close(link, problem) }
            pump()
        case let .results(id, receipts):
            var finished: [Submission] = []
            let problem = lock.withLock { () -> String? in
                guard link.nodeId != nil else { return "results before hello" }
                guard let chunk = link.outstanding[id] else { return "results for batch \(id), which it does not hold" }
                guard receipts.count == chunk.items.count, zip(receipts, chunk.hashes).allSatisfy({ $0.txHash == $1 }) else {
                    return "results for batch \(id) that do not match its transactions"
                }
                link.outstanding[id] = nil
                link.outstandingTransactions -= receipts.count
                let now = monotonicNanos()
                // FIFO per node: a batch's service began when it was sent or when the node answered the one before.
                let began = max(chunk.sentAt, link.lastAnswer)
                link.lastAnswer = now
                let sample = Double(now - min(began, now)) / Double(receipts.count)
                perTransactionNanos = perTransactionNanos.map { 0.9 * $0 + 0.1 * sample } ?? sample
                let s = chunk.submission
                for (i, r) in receipts.enumerated() where s.receipts[chunk.offset + i] == nil {
                    s.receipts[chunk.offset + i] = r
                    s.remaining -= 1
                }
                completed += UInt64(receipts.count)
                servedBy[link.nodeId!, default: 0] += UInt64(receipts.count)
                if s.remaining == 0 { finished.append(s) }
                return nil
            }
            if let problem { return close(link, problem) }
            for s in finished { s.completion(s.receipts.map { $0! }) }
            pump()
        case .batch, .drain:
            close(link, "it sent a frame only the dispatcher sends")
        }
    }

    func close(_ link: Link, _ why: String) {
        log("closing \(name(link)): \(why)")
        link.channel.close(promise: nil)
    }

    /// A connection ended: its outstanding batches go back to the front of the queue, oldest first.
    func disconnected(_ link: Link) {
        let (back, wasDraining) = lock.withLock { () -> (Int, Bool) in
            links[ObjectIdentifier(link.channel)] = nil
            let chunks = link.outstanding.sorted { $0.key < $1.key }.map(\.value)
            link.outstanding = [:]
            link.outstandingTransactions = 0
            queue.replaceSubrange(queueHead..<queueHead, with: chunks)
            queuedTransactions += chunks.reduce(0) { $0 + $1.items.count }
            resubmitted += UInt64(chunks.count)
            return (chunks.count, link.draining)
        }
        if link.nodeId != nil && (back > 0 || !wasDraining) {
            log("\(name(link)) disconnected\(wasDraining ? " while draining" : ""); \(back) batches resubmitted")
        }
        pump()
    }

    // MARK: nodes

    /// Asks a node to finish its batches and exit; it gets no more work. False if no such node is connected.
    @discardableResult
    public func drain(nodeId: UInt64) -> Bool {
        let channel = lock.withLock { () -> Channel? in
            guard let link = links.values.first(where: { $0.nodeId == nodeId }) else { return nil }
            link.draining = true
            return link.channel
        }
        channel?.send(.drain)
        return channel != nil
    }

    /// When node `nodeId` said hello (monotonic nanoseconds), if it has.
    public func helloTime(nodeId: UInt64) -> UInt64? { lock.withLock { helloTimes[nodeId] } }

    /// Transactions answered by each node id, over the dispatcher's life.
    public var servedByNode: [UInt64: UInt64] { lock.withLock { servedBy } }

    public var nodes: [ConnectedNode] {
        lock.withLock {
            links.values.compactMap { l in
                l.nodeId.map { ConnectedNode(nodeId: $0, pid: l.pid, draining: l.draining, outstandingTransactions: l.outstandingTransactions) }
            }.sorted { $0.nodeId < $1.nodeId }
        }
    }

    public var stats: Stats {
        lock.withLock {
            let named = links.values.filter { $0.nodeId != nil }
            return Stats(queueDepth: queuedTransactions, inFlight: named.reduce(0) { $0 + $1.outstandingTransactions },
                         servingNodes: named.filter { !$0.draining }.count, drainingNodes: named.filter(\.draining).count,
                         submittedTransactions: submitted, completedTransactions: completed, resubmittedBatches: resubmitted,
                         serviceRatePerNode: perTransactionNanos.map { $0 > 0 ? 1e9 / $0 : .infinity })
        }
    }

    /// Closes the listener and every connection (nodes then exit with an error: drain them first). Work still
    /// queued or in flight is dropped: its completions are never called (an awaiting `submit` never returns), so
    /// wait for submissions before shutting down. Not from the dispatcher's own thread (it waits for the closes).
    public func shutdown() {
        let channels = lock.withLock { [server] + links.values.map(\.channel) }
        for c in channels.compactMap({ $0 }) { try? c.close().wait() }
        try? group.syncShutdownGracefully()
    }
}
