// GuardianNode: one guardian as a process around the pure `GuardianCore`: the write-ahead record store
// (RecordStore), TCP between guardians (SwiftNIO: Frames, Transport), keys in the Metalayer's scheme
// (MetalayerKeys), the configuration files of a local testnet (GuardianConfig, Testnet), demo sequencers, and a
// fault-injecting TCP relay (Relay). The core decides; this module only persists, sends and keeps time.
import Consensus
import DurableIO
import Foundation
import Merkle
import NIOCore
import NIOPosix

/// A running guardian. One event loop (one thread) owns the core, the store and every connection, so each
/// input is one serial step: decoded messages, ticks (at the core's next deadline, at least every 50 ms) and
/// demo sequencers' reports. Each step's `Ready` is handled in order: records persisted (one fsync'd
/// transaction) → messages sent → committed snapshots reported. The clock is wall time, read here only.
public final class GuardianProcess: @unchecked Sendable {   // all mutable state is confined to `loop`
    public let setup: GuardianSetup
    let store: RecordStore
    let group: MultiThreadedEventLoopGroup
    let loop: EventLoop
    let clock: @Sendable () -> UInt64
    let logLine: @Sendable (String) -> Void
    var core: GuardianCore
    var links: [[UInt8]: PeerLink] = [:]
    var server: Channel?
    var timer: Scheduled<Void>?
    var timerAt: UInt64 = .max
    var demo: [DemoSequencer]
    var demoHeight: UInt64 = 0
    var stopping = false
    var inbound = 0
    /// Client connections (sequencers, relayers), and which of them subscribed to committed snapshots.
    var clients: [ObjectIdentifier: (channel: Channel, subscribed: Bool)] = [:]
    /// A test and devnet switch: this guardian equivocates (signs a conflicting vote for every vote it sends,
    /// to half of its peers, with the real one), so that the others' evidence and the ledger's slashing can be seen working.
    public var equivocate = false
    /// Inbound connections held at once: two per peer (a reconnect may overlap the old one) and some slack.
    var maxInbound: Int { 2 * setup.peers.count + 16 }
    var failure: (any Error)?
    let finished: EventLoopPromise<Void>
    public static let maxTickMillis: UInt64 = 50
    /// Committed snapshots a subscribing client gets from the store, at most.
    public static let maxCatchUp: UInt64 = 1024

    /// Loads the store's records into a new core. `clock` gives milliseconds since the Unix epoch.
    public init(setup: GuardianSetup, store: RecordStore, clock: @escaping @Sendable () -> UInt64 = GuardianProcess.wallClock,
                log: @escaping @Sendable (String) -> Void) throws(RecordStoreError) {
        self.setup = setup; self.store = store; self.clock = clock
        let name = "guardian \(setup.position + 1)"
        logLine = { log("\(name): \($0)") }
        let records = try store.load(retainedCommits: setup.consensus.retainedCommits)
        core = GuardianCore(config: setup.consensus, key: setup.key, verifier: setup.verifier, restoring: records, now: clock())
        demo = setup.demoSequencers.map { DemoSequencer(rollupId: $0.rollupId, key: $0.key) }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
        finished = loop.makePromise()
        for (i, p) in setup.peers.enumerated() {
            let pos = setup.committee.position(of: p.identity) ?? i
            links[p.identity] = PeerLink(identity: p.identity, address: p.address, name: "guardian \(pos + 1)")
        }
        if !records.isEmpty { logLine("restored \(records.count) records; resuming at height \(core.height)") }
    }

    public static let wallClock: @Sendable () -> UInt64 = { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) }

    public var height: UInt64 { core.height }

    func log(_ s: String) { logLine(s) }

    /// Binds the listening port, connects to every peer and takes the first step.
    public func start() throws {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                // Bounded: a flood of connections is refused, each one holding at most one frame's bytes.
                guard inbound < maxInbound else {
                    log("refusing connection from \(addressText(channel.remoteAddress)): \(inbound) open already")
                    return channel.close()
                }
                inbound += 1
                channel.closeFuture.whenComplete { [self] _ in inbound -= 1 }
                return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addFrameReader(node: self, peer: nil) }
            }
        server = try bootstrap.bind(host: setup.listen.host, port: setup.listen.port).wait()
        log("listening on \(setup.listen), \(setup.peers.count) peers, slot \(setup.consensus.slotMillis) ms, \(demo.count) demo rollups")
        loop.execute { [self] in
            for link in links.values { connect(link) }
            tick()
        }
    }

    /// Stops from any thread: no further steps; connections closed; the store closed. Idempotent.
    public func stop() {
        loop.execute { [self] in shutDown(nil) }
    }

    /// Blocks until the guardian has stopped; throws the error that stopped it, if any.
    public func waitUntilStopped() throws {
        try finished.futureResult.wait()
        try? group.syncShutdownGracefully()
    }

    func shutDown(_ error: (any Error)?) {
        guard !stopping else { return }
        stopping = true
        failure = error
        timer?.cancel(); timer = nil
        let closes = ([server] + links.values.map(\.channel)).compactMap { $0 }.map { $0.close() }
        EventLoopFuture.whenAllComplete(closes, on: loop).whenComplete { [self] _ in
            do { try store.close() } catch { failure = failure ?? error }
            if let failure { finished.fail(failure) } else { finished.succeed(()) }
        }
    }

    // MARK: steps

    func receive(_ m: ConsensusMessage) { step(.message(m)) }

    func tick() {
        timer = nil; timerAt = .max
        guard !stopping else { return }
        let now = clock()
        let h = DemoSequencer.height(now: now, genesisMillis: setup.consensus.genesisMillis)
        if h > demoHeight {
            demoHeight = h
            for s in demo { step(.report(s.report(height: h))) }
        }
        step(.tick)
    }

    func step(_ input: ConsensusInput) {
        guard !stopping else { return }
        let ready = core.step(input, now: clock())
        do {
            try store.append(ready.records, currentHeight: core.height)
        } catch {
            // Sending what was not persisted could sign twice after a restart: stop instead.
            log("cannot persist records, stopping: \(error)")
            shutDown(error)
            return
        }
        for o in ready.messages {
            let frame = ByteBuffer(bytes: Frames.frame(Codec.encode(o.message)))
            if equivocate, case let .vote(v) = o.message {
                var w = v
                w.value = SHA256.hash((v.value?.bytes ?? []) + Array("conflict".utf8))
                w.signature = setup.key.sign(w.signingMessage)
                let other = ByteBuffer(bytes: Frames.frame(Codec.encode(.vote(w))))
                // Half of the peers get both votes: guardians relay no one else's votes, so this is how the
                // equivocation reaches someone who can prove it.
                for id in o.to {
                    if (setup.committee.position(of: id) ?? 0) % 2 == 1 { links[id]?.send(other) }
                    links[id]?.send(frame)
                }
                continue
            }
            for id in o.to { links[id]?.send(frame) }
        }
        let now = clock()
        for c in ready.committed {
            let slot = setup.consensus.slotStart(c.height)
            log("committed height \(c.height) root \(Hex.encode(c.value.header.root.bytes).prefix(16)) signer positions \(c.certificate.signers), "
                + "\(now >= slot ? "\(now - slot) ms after its slot start" : "before its slot start")")
        }
        for c in ready.committed { sendToSubscribers(.committed(c)) }
        for e in ready.evidence {
            log("evidence against \(Hex.encode(e.offender).prefix(16)): \(e)")
            if case let .doubleVote(a, b, _) = e { sendToSubscribers(.doubleVote(a, b)) }
        }
        schedule()
    }

    func schedule() {
        guard !stopping else { return }
        let now = clock()
        var at = now + GuardianProcess.maxTickMillis
        if let d = core.nextDeadline { at = min(at, max(d, now)) }
        if timer != nil, timerAt <= at { return }
        timer?.cancel()
        timerAt = at
        timer = loop.scheduleTask(in: .milliseconds(Int64(at - now))) { [self] in tick() }
    }

    // MARK: clients

    func clientConnected(_ channel: Channel) {
        let key = ObjectIdentifier(channel)
        clients[key] = (channel, false)
        channel.closeFuture.whenComplete { [self] _ in clients[key] = nil }
    }

    func receive(_ frame: ClientFrame, from channel: Channel) {
        switch frame {
        case let .report(r): step(.report(r))
        case let .subscribe(from):
            // One subscription per connection: each one starts a catch-up of up to `maxCatchUp` snapshots, so a
            // client repeating it could make this guardian buffer without bound.
            guard clients[ObjectIdentifier(channel)]?.subscribed == false else {
                log("closing connection from client \(addressText(channel.remoteAddress)): it subscribed twice")
                channel.close(promise: nil)
                return
            }
            // Catch up from the store, then live: both on this loop, so no snapshot falls between them. At most
            // the newest `maxCatchUp` are sent (bounded memory whatever height a client asks from); a relayer that
            // was away longer sees a gap, which costs it nothing: a later snapshot covers every earlier message.
            var next = max(from, core.height > GuardianProcess.maxCatchUp ? core.height - GuardianProcess.maxCatchUp : 0)
            while true {
                let batch: [CommittedSnapshot]
                do { batch = try store.committed(from: next, limit: 64) } catch { log("cannot read committed snapshots for a client: \(error)"); return }
                for c in batch { channel.writeAndFlush(ByteBuffer(bytes: Frames.frame(ClientFrame.committed(c).encoded)), promise: nil) }
                guard let last = batch.last, batch.count == 64 else { break }
                next = last.height + 1
            }
            clients[ObjectIdentifier(channel)]?.subscribed = true
        case .committed, .doubleVote:
            log("closing connection from client \(addressText(channel.remoteAddress)): it sent a guardian-to-client frame")
            channel.close(promise: nil)
        }
    }

    func send(_ frame: ClientFrame, to channel: Channel) {
        // A client that stops reading is cut off rather than buffered for without bound.
        guard channel.isActive else { return }
        guard channel.isWritable else { channel.close(promise: nil); return }
        channel.writeAndFlush(ByteBuffer(bytes: Frames.frame(frame.encoded)), promise: nil)
    }

    func sendToSubscribers(_ frame: ClientFrame) {
        for c in clients.values where c.subscribed { send(frame, to: c.channel) }
    }

    // MARK: connections

    func connect(_ link: PeerLink) {
        guard !stopping, link.channel == nil, !link.connecting else { return }
        link.connecting = true
        let handshake = ByteBuffer(bytes: Frames.frame(Frames.handshake(identity: setup.key.identity)))
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(1))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addFrameReader(node: self, peer: link.name) }
            }
            .connect(host: link.address.host, port: link.address.port)
            .whenComplete { [self] result in
                link.connecting = false
                switch result {
                case let .success(channel):
                    guard !stopping else { channel.close(promise: nil); return }
                    link.channel = channel
                    link.backoffMillis = 100
                    channel.writeAndFlush(handshake, promise: nil)
                    channel.closeFuture.whenComplete { [self] _ in
                        if link.channel === channel { link.channel = nil }
                        reconnectLater(link)
                    }
                case .failure:
                    reconnectLater(link)
                }
            }
    }

    func reconnectLater(_ link: PeerLink) {
        guard !stopping else { return }
        let d = link.backoffMillis
        link.backoffMillis = min(2 * d, 2000)
        loop.scheduleTask(in: .milliseconds(d)) { [self] in connect(link) }
    }
}
