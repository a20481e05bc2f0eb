import Wire

/// One message of the node protocol (docs/execution.md, "Transactions and the node protocol"). On the wire:
/// u32 big-endian length (1 … `maxFrameBytes`, counting the tag and the body), a tag byte, the body.
public enum NodeFrame: Hashable, Sendable {
    /// node → dispatcher, first frame of a connection.
    case hello(nodeId: UInt64, pid: UInt32)
    /// dispatcher → node: work to execute, answered by `results` with the same id.
    case batch(id: UInt64, items: [WorkItem])
    /// node → dispatcher: one receipt per item, in the batch's order.
    case results(id: UInt64, receipts: [Receipt])
    /// dispatcher → node: finish the batches already received, answer them, then exit 0.
    case drain

    /// Items (or receipts) in one frame.
    public static let maxBatchItems = 256
    /// Bounds what one connection buffers: the tag, a batch id, a count and `maxBatchItems` largest items.
    public static let maxFrameBytes = 1 + 8 + 4 + maxBatchItems * WorkItem.maxEncodedBytes

    enum Tag: UInt8 { case hello = 1, batch = 2, results = 3, drain = 4 }

    /// The frame's payload: tag ‖ body (without the length prefix).
    public func payload() -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        switch self {
        case let .hello(nodeId, pid):
            w.u8(Tag.hello.rawValue); w.u64(nodeId); w.u32(pid)
        case let .batch(id, items):
            precondition(items.count <= NodeFrame.maxBatchItems, "batch above \(NodeFrame.maxBatchItems) items")
            w.u8(Tag.batch.rawValue); w.u64(id); w.u32(UInt32(items.count))
            for item in items { item.write(&w) }
        case let .results(id, receipts):
            precondition(receipts.count <= NodeFrame.maxBatchItems, "results above \(NodeFrame.maxBatchItems) receipts")
            w.u8(Tag.results.rawValue); w.u64(id); w.u32(UInt32(receipts.count))
            for r in receipts { r.write(&w) }
        case .drain:
            w.u8(Tag.drain.rawValue)
        }
        return w.bytes
    }

    /// Length prefix and payload: the bytes to send.
    public func framed() -> [UInt8] {
        let p = payload()
        var w = ByteWriter(endianness: .big)
        w.u32(UInt32(p.count)); w.raw(p)
        return w.bytes
    }

    /// A length prefix a peer may send; anything else closes the connection before its bytes are buffered.
    public static func lengthAllowed(_ n: UInt32) -> Bool { n >= 1 && Int(n) <= maxFrameBytes }

    /// Strict: one frame's payload (tag ‖ body), nothing after it.
    public static func decode(payload bytes: [UInt8]) throws(NodeWireError) -> NodeFrame {
        guard lengthAllowed(UInt32(clamping: bytes.count)) else { throw NodeWireError("frame of \(bytes.count) bytes is outside 1…\(maxFrameBytes)") }
        var r = NodeReader(bytes, endianness: .big, context: "frame")
        let code = try r.u8("tag")
        guard let tag = Tag(rawValue: code) else { throw NodeWireError("frame tag \(code) is not 1…4") }
        let frame: NodeFrame
        switch tag {
        case .hello:
            frame = .hello(nodeId: try r.u64("nodeId"), pid: try r.u32("pid"))
        case .batch:
            let id = try r.u64("batch id")
            let n = try count(&r)
            var items: [WorkItem] = []
            for _ in 0..<n { items.append(try WorkItem.read(&r)) }
            frame = .batch(id: id, items: items)
        case .results:
            let id = try r.u64("results id")
            let n = try count(&r)
            // Receipts have a fixed size: a count the frame cannot hold is refused before anything is allocated.
            guard r.remaining >= n * Receipt.encodedBytes else { throw NodeWireError("results count \(n) needs more bytes than the frame's \(r.remaining)") }
            var receipts: [Receipt] = []
            receipts.reserveCapacity(n)
            for _ in 0..<n { receipts.append(try Receipt.read(&r)) }
            frame = .results(id: id, receipts: receipts)
        case .drain:
            frame = .drain
        }
        try r.finish()
        return frame
    }

    private static func count(_ r: inout NodeReader) throws(NodeWireError) -> Int {
        let n = try r.u32("count")
        guard n <= UInt32(maxBatchItems) else { throw NodeWireError("count \(n) exceeds the limit \(maxBatchItems)") }
        return Int(n)
    }
}
