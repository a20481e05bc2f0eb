import Merkle
import NIOCore
import NIOPosix

/// A fault-injecting TCP relay for loopback tests between real processes, as Toxiproxy is (tc netem is not
/// available): it accepts connections on `listen`, opens one to `target` for each, and copies bytes both ways
/// with an added delay (order kept), a chance of resetting a connection per chunk, and a partition switch that
/// cuts every connection and refuses new ones until healed.
public final class Relay: @unchecked Sendable {   // all mutable state is confined to `loop`
    public struct Faults: Sendable {
        /// Added to every chunk in each direction.
        public var latencyMillis: UInt64 = 0
        /// Chance, in parts per million, that a chunk resets its connection (both sides closed).
        public var resetPPM: UInt64 = 0
        public init(latencyMillis: UInt64 = 0, resetPPM: UInt64 = 0) { self.latencyMillis = latencyMillis; self.resetPPM = resetPPM }
    }

    public let listen: PeerAddress
    public let target: PeerAddress
    let faults: Faults
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop: EventLoop
    var rng: SplitMix64
    var server: Channel?
    var open: [ObjectIdentifier: Channel] = [:]
    var partitioned = false
    let logLine: @Sendable (String) -> Void
    /// Connections accepted, and connections cut (resets and partitions).
    public private(set) var accepted = 0, cut = 0

    public init(listen: PeerAddress, target: PeerAddress, faults: Faults, seed: UInt64, log: @escaping @Sendable (String) -> Void) {
        self.listen = listen; self.target = target; self.faults = faults; rng = SplitMix64(seed: seed); logLine = log
        loop = group.next()
    }

    public func start() throws {
        server = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)   // nothing is read until the target side is connected
            .childChannelInitializer { [self] inbound in
                inbound.eventLoop.makeCompletedFuture { accept(inbound) }
            }
            .bind(host: listen.host, port: listen.port).wait()
        logLine("relay \(listen) → \(target): latency \(faults.latencyMillis) ms, reset \(faults.resetPPM) ppm")
    }

    /// Cuts every connection and refuses new ones (true), or lets connections through again (false). Any thread.
    public func setPartitioned(_ on: Bool) {
        loop.execute { [self] in
            partitioned = on
            logLine(on ? "relay \(listen): partitioned (\(open.count / 2) connections cut)" : "relay \(listen): healed")
            if on { for c in open.values { c.close(promise: nil) } }
        }
    }

    public func stop() {
        loop.execute { [self] in
            server?.close(promise: nil)
            for c in open.values { c.close(promise: nil) }
        }
    }

    public func waitUntilStopped() throws {
        try server?.closeFuture.wait()
        try? group.syncShutdownGracefully()
    }

    func track(_ c: Channel) {
        open[ObjectIdentifier(c)] = c
        c.closeFuture.whenComplete { [self] _ in open[ObjectIdentifier(c)] = nil }
    }

    func accept(_ inbound: Channel) {
        guard !partitioned else { inbound.close(promise: nil); return }
        accepted += 1
        track(inbound)
        let toTarget = RelayHalf(relay: self), toClient = RelayHalf(relay: self)
        try? inbound.pipeline.syncOperations.addHandler(toTarget)
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(1))
            .channelInitializer { outbound in
                outbound.eventLoop.makeCompletedFuture { try outbound.pipeline.syncOperations.addHandler(toClient) }
            }
            .connect(host: target.host, port: target.port)
            .whenComplete { [self] result in
                switch result {
                case let .success(outbound):
                    guard inbound.isActive, !partitioned else { outbound.close(promise: nil); inbound.close(promise: nil); return }
                    track(outbound)
                    toTarget.other = outbound; toClient.other = inbound
                    inbound.setOption(.autoRead, value: true).whenSuccess { inbound.read() }
                case .failure:
                    inbound.close(promise: nil)
                }
            }
    }

    /// True when this chunk resets its connection.
    func resetNow() -> Bool {
        guard faults.resetPPM > 0, rng.next() % 1_000_000 < faults.resetPPM else { return false }
        cut += 1
        return true
    }

    static func nowMillis() -> UInt64 { UInt64(NIODeadline.now().uptimeNanoseconds / 1_000_000) }
}

/// One direction of a relayed connection: bytes read from this channel are written to `other` after the delay.
final class RelayHalf: ChannelInboundHandler, @unchecked Sendable {   // confined to the relay's loop
    typealias InboundIn = ByteBuffer
    let relay: Relay
    var other: Channel?
    var queue: [(at: UInt64, bytes: ByteBuffer)] = []
    var head = 0
    var flushing = false

    init(relay: Relay) { self.relay = relay }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if relay.resetNow() {
            relay.logLine("relay \(relay.listen): reset a connection")
            context.close(promise: nil); other?.close(promise: nil)
            return
        }
        queue.append((Relay.nowMillis() + relay.faults.latencyMillis, bytes))
        flush(context.eventLoop)
    }

    func flush(_ loop: EventLoop) {
        let now = Relay.nowMillis()
        while head < queue.count, queue[head].at <= now {
            other?.writeAndFlush(queue[head].bytes, promise: nil)
            head += 1
        }
        if head == queue.count { queue.removeAll(keepingCapacity: true); head = 0 }
        guard head < queue.count, !flushing else { return }
        flushing = true
        loop.scheduleTask(in: .milliseconds(Int64(queue[head].at - now))) { [self] in flushing = false; flush(loop) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        other?.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
