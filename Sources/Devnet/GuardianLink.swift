// The devnet's connections to the guardian processes, as a sequencer and a relayer: signed reports out,
// committed snapshots and evidence in (GuardianNode's client frames over loopback TCP). Reconnects with
// backoff; what arrives is queued for the devnet's loop, which verifies it (a guardian is not trusted).
import Consensus
import Foundation
import GuardianNode
import NIOCore
import NIOPosix

final class Inbox<T>: @unchecked Sendable {   // a lock around a queue
    private let lock = NSLock()
    private var items: [T] = []
    func push(_ x: T) { lock.lock(); items.append(x); lock.unlock() }
    func drain() -> [T] { lock.lock(); defer { lock.unlock() }; let out = items; items = []; return out }
}

public final class GuardianLink: @unchecked Sendable {   // mutable state confined to `loop`
    let addresses: [PeerAddress]
    let group: MultiThreadedEventLoopGroup
    let loop: EventLoop
    var channels: [Channel?]
    var connecting: [Bool]
    var backoff: [Int64]
    var stopped = false
    /// The next height to ask each guardian for (advanced as snapshots arrive), so a reconnect resumes.
    var nextHeight: UInt64
    let received = Inbox<(guardian: Int, frame: ClientFrame, atMillis: UInt64)>()
    let log: @Sendable (String) -> Void
    let clock: @Sendable () -> UInt64

    init(addresses: [PeerAddress], fromHeight: UInt64, clock: @escaping @Sendable () -> UInt64, log: @escaping @Sendable (String) -> Void) {
        self.addresses = addresses; self.log = log; self.clock = clock
        nextHeight = fromHeight
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        channels = Array(repeating: nil, count: addresses.count)
        connecting = Array(repeating: false, count: addresses.count)
        backoff = Array(repeating: 100, count: addresses.count)
    }

    func start() { loop.execute { [self] in for i in addresses.indices { connect(i) } } }

    func stop() {
        try? loop.submit { [self] in
            stopped = true
            for c in channels { c?.close(promise: nil) }
        }.wait()
        try? group.syncShutdownGracefully()
    }

    /// Sends a report to every guardian that is connected (a guardian that is down hears the next one).
    func send(_ report: RollupReport) {
        let bytes = Frames.frame(ClientFrame.report(report).encoded)
        loop.execute { [self] in
            for c in channels { if let c, c.isActive { c.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil) } }
        }
    }

    func connect(_ i: Int) {
        guard !stopped, channels[i] == nil, !connecting[i] else { return }
        connecting[i] = true
        let a = addresses[i]
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(), maximumBufferSize: Frames.maxPayload + 4))
                    try channel.pipeline.syncOperations.addHandler(ClientReader(link: self, guardian: i))
                }
            }
            .connect(host: a.host, port: a.port)
            .whenComplete { [self] result in
                connecting[i] = false
                switch result {
                case let .success(channel):
                    guard !stopped else { channel.close(promise: nil); return }
                    channels[i] = channel
                    backoff[i] = 100
                    channel.write(ByteBuffer(bytes: Frames.frame(ClientFrame.handshake)), promise: nil)
                    channel.writeAndFlush(ByteBuffer(bytes: Frames.frame(ClientFrame.subscribe(fromHeight: nextHeight).encoded)), promise: nil)
                    channel.closeFuture.whenComplete { [self] _ in
                        if channels[i] === channel { channels[i] = nil }
                        retry(i)
                    }
                case .failure: retry(i)
                }
            }
    }

    func retry(_ i: Int) {
        guard !stopped else { return }
        let d = backoff[i]
        backoff[i] = min(2 * d, 1000)
        loop.scheduleTask(in: .milliseconds(d)) { [self] in connect(i) }
    }

    func deliver(_ frame: ClientFrame, from guardian: Int) {
        // Unverified here (the relayer checks the certificate), so only a resubscription hint; never traps.
        if case let .committed(c) = frame, c.height >= nextHeight, c.height < .max { nextHeight = c.height + 1 }
        received.push((guardian, frame, clock()))
    }
}

final class ClientReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let link: GuardianLink
    let guardian: Int
    init(link: GuardianLink, guardian: Int) { self.link = link; self.guardian = guardian }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var b = unwrapInboundIn(data)
        let bytes = b.readBytes(length: b.readableBytes) ?? []
        do { link.deliver(try ClientFrame.decode(bytes), from: guardian) } catch {
            link.log("guardian \(guardian + 1) sent an undecodable frame (\(error)); reconnecting")
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        link.log("guardian \(guardian + 1): \(error); reconnecting")
        context.close(promise: nil)
    }
}
