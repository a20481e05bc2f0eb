import Dispatch
import NIOCore
import NIOPosix

/// Splits a node-protocol byte stream into frame payloads. A length a peer may not send is an error (the
/// connection is then closed) before its bytes are buffered, so a connection holds at most one frame.
final class NodeFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let n = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else { return .needMoreData }
        guard NodeFrame.lengthAllowed(n) else { throw NodeWireError("frame length \(n) is outside 1…\(NodeFrame.maxFrameBytes)") }
        guard buffer.readableBytes >= 4 + Int(n) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        context.fireChannelRead(wrapInboundOut(buffer.readBytes(length: Int(n))!))
        return .continue
    }

    func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.clear() // a partial frame at the end of a stream goes with the connection
        return .needMoreData
    }
}

/// Decoded frames of one connection, handed to `onFrame`; undecodable bytes close the connection with one
/// log line (`onGarbage`), never a crash.
final class NodeFrameReader: ChannelInboundHandler, @unchecked Sendable { // used on its channel's event loop only
    typealias InboundIn = [UInt8]
    let onFrame: (NodeFrame, Channel) -> Void
    let onGarbage: (String, Channel) -> Void

    init(onFrame: @escaping (NodeFrame, Channel) -> Void, onGarbage: @escaping (String, Channel) -> Void) {
        self.onFrame = onFrame; self.onGarbage = onGarbage
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard context.channel.isActive else { return }
        do { onFrame(try NodeFrame.decode(payload: unwrapInboundIn(data)), context.channel) } catch {
            drop(context, "undecodable frame: \(error)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { drop(context, "\(error)") }

    private func drop(_ context: ChannelHandlerContext, _ why: String) {
        guard context.channel.isActive else { return }
        onGarbage(why, context.channel)
        context.close(promise: nil)
    }
}

extension ChannelPipeline.SynchronousOperations {
    func addNodeFrameReader(_ reader: NodeFrameReader) throws {
        try addHandler(ByteToMessageHandler(NodeFrameDecoder(), maximumBufferSize: NodeFrame.maxFrameBytes + 4))
        try addHandler(reader)
    }
}

extension Channel {
    /// Writes one frame; the future completes when it is flushed to the socket (or failed).
    @discardableResult
    func send(_ frame: NodeFrame) -> EventLoopFuture<Void> { writeAndFlush(ByteBuffer(bytes: frame.framed())) }
}

/// Monotonic nanoseconds (the one clock of activation times: spawn and hello are read on the same one).
public func monotonicNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
