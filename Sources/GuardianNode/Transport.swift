import Consensus
import Merkle
import NIOCore
import NIOPosix

/// Why a peer's connection was closed.
public enum FrameError: Error, CustomStringConvertible {
    case badLength(UInt32)
    public var description: String {
        switch self {
        case let .badLength(n): "frame length \(n) is outside 1…\(Frames.maxPayload)"
        }
    }
}

/// Splits a byte stream into frames; a length out of bounds is an error (the connection is then closed),
/// so at most one frame's bytes are ever buffered per connection.
public final class FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer
    public init() {}

    public func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let n = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else { return .needMoreData }
        guard Frames.lengthAllowed(n) else { throw FrameError.badLength(n) }
        guard buffer.readableBytes >= 4 + Int(n) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(n))!))
        return .continue
    }

    public func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.clear()   // a partial frame at the end of a stream is dropped with the connection
        return .needMoreData
    }
}

/// Reads the frames of one connection. Inbound connections must start with a handshake naming a guardian of
/// the set; every frame after it must decode as a consensus message. Anything else is logged once and the
/// connection closed: a peer's garbage never reaches the core, and never stops the process.
final class PeerReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let node: GuardianProcess
    var peer: String?
    /// A sequencer or relayer (client handshake) rather than a guardian.
    var client = false

    /// `peer`: the identity already known (outbound connections, to a configured address), else nil.
    init(node: GuardianProcess, peer: String?) { self.node = node; self.peer = peer }

    /// How long an inbound connection may stay without its handshake (a peer that connects and says nothing).
    static let handshakeTimeout: TimeAmount = .seconds(5)

    func handlerAdded(context: ChannelHandlerContext) {
        guard peer == nil else { return }
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: PeerReader.handshakeTimeout) { [node] in
            guard channel.isActive else { return }
            // Still unnamed after the timeout: `peer` is only read on the loop, through the pipeline.
            channel.pipeline.handler(type: PeerReader.self).whenSuccess { reader in
                if reader.peer == nil { node.log("closing connection from \(addressText(channel.remoteAddress)): no handshake within 5 s"); channel.close(promise: nil) }
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        guard let peer else {
            if let id = Frames.identity(inHandshake: bytes), node.setup.committee.position(of: id) != nil {
                self.peer = "guardian \(node.setup.committee.position(of: id)! + 1)"
            } else if bytes == ClientFrame.handshake {
                self.peer = "client \(addressText(context.remoteAddress))"
                client = true
                node.clientConnected(context.channel)
            } else {
                drop(context, "its first frame is not a handshake naming a guardian of the set or a client")
            }
            return
        }
        if client {
            do { node.receive(try ClientFrame.decode(bytes), from: context.channel) } catch { drop(context, "\(peer) sent an undecodable frame (\(error))") }
            return
        }
        do { node.receive(try Codec.decode(bytes)) } catch { drop(context, "\(peer) sent an undecodable frame (\(error))") }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        drop(context, "\(peer ?? "an unnamed peer") sent \(error)")
    }

    func drop(_ context: ChannelHandlerContext, _ why: String) {
        guard context.channel.isActive else { return }
        node.log("closing connection from \(addressText(context.remoteAddress)): \(why)")
        context.close(promise: nil)
    }
}

func addressText(_ a: SocketAddress?) -> String {
    guard let a else { return "?" }
    return "\(a.ipAddress ?? "?"):\(a.port.map(String.init) ?? "?")"
}

/// The outbound connection to one peer: messages to it go here; reconnected with backoff when lost.
final class PeerLink: @unchecked Sendable {   // confined to the guardian's event loop
    let identity: [UInt8]
    let address: PeerAddress
    let name: String
    var channel: Channel?
    var connecting = false
    var backoffMillis: Int64 = 100
    /// Messages dropped because the peer was unreachable or not reading (the core sends again).
    var dropped = 0

    init(identity: [UInt8], address: PeerAddress, name: String) { self.identity = identity; self.address = address; self.name = name }

    /// Writes one frame unless the connection is down or its buffer is full (a stopped peer): bounded memory.
    func send(_ frame: ByteBuffer) {
        guard let channel, channel.isActive, channel.isWritable else { dropped += 1; return }
        channel.writeAndFlush(frame, promise: nil)
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// The inbound side every guardian connection has: framing, then the reader.
    func addFrameReader(node: GuardianProcess, peer: String?) throws {
        try addHandler(ByteToMessageHandler(FrameDecoder(), maximumBufferSize: Frames.maxPayload + 4))
        try addHandler(PeerReader(node: node, peer: peer))
    }
}
