import CCaldera

/// A bad line in line-per-leaf hex input.
public struct HexLineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number.
    public let line: Int
    public let reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// Line-per-leaf hex input, as `caldera merkle` reads it: one leaf per line in hex (either case),
/// an empty line is an empty leaf, the final newline ends the last line, CRLF is accepted.
/// Decoded in the C core in one pass, so that reading is not the bottleneck of hashing.
public struct HexLines: Sendable {
    /// All decoded bytes, back to back.
    public let data: [UInt8]
    /// `count + 1` offsets: line i is `data[offsets[i] ..< offsets[i+1]]`.
    public let offsets: [UInt64]
    public var count: Int { offsets.count - 1 }

    public init(text: [UInt8]) throws(HexLineError) {
        let result = text.withUnsafeBytes { t in Result { () throws(HexLineError) in try HexLines(text: t) } }
        self = try result.get()
    }

    /// Parses text in place (e.g. a memory-mapped file), without copying it first.
    public init(text: UnsafeRawBufferPointer) throws(HexLineError) {
        let newlines = Int(cal_count_newlines(text.baseAddress, text.count))
        var rc = 0
        var badLine: UInt64 = 0
        // Uninitialised buffers: the C decoder writes every byte and offset it reports.
        var offsets = [UInt64](unsafeUninitializedCapacity: newlines + 2) { buf, count in
            count = newlines + 2
            buf.initialize(repeating: 0)
        }
        let data = [UInt8](unsafeUninitializedCapacity: text.count / 2) { buf, count in
            rc = offsets.withUnsafeMutableBufferPointer { o in
                cal_hex_decode_lines(text.baseAddress, text.count, buf.baseAddress, buf.count, o.baseAddress, o.count, &badLine)
            }
            count = cal_is_error(rc) == 0 && rc < offsets.count ? Int(min(offsets[rc], UInt64(buf.count))) : 0
        }
        if cal_is_error(rc) != 0 {
            guard rc == CAL_ERR_BAD_HEX else { throw HexLineError(line: 0, reason: "the input changed while it was being read") }
            let line = Int(badLine) + 1 // 0-based in C, 1-based here
            throw HexLineError(line: line, reason: HexLines.diagnose(text: Array(text), line: line))
        }
        let n = rc
        offsets.removeLast(offsets.count - n - 1)
        self.data = data
        self.offsets = offsets
    }

    /// Digests, one per line: each line must be exactly 32 bytes of hex (for `--leaf-hashes`).
    public func digests() throws(HexLineError) -> [Digest] {
        var out = [Digest]()
        out.reserveCapacity(count)
        for i in 0..<count {
            let a = Int(offsets[i]), b = Int(offsets[i + 1])
            guard b - a == 32 else {
                throw HexLineError(line: i + 1, reason: "a leaf hash is 32 bytes (64 hex digits), this line has \(b - a) bytes")
            }
            out.append(data.withUnsafeBytes { Digest(unsafeBytesAt: $0.baseAddress! + a) })
        }
        return out
    }

    /// Leaf hashes SHA-256(0x00 ‖ line) of every line, in one batch call.
    public func leafHashes(backend: SHA256.Backend = .auto) -> [Digest] {
        MerkleHash.leaves(data: data, offsets: offsets, backend: backend)
    }

    static func diagnose(text: [UInt8], line: Int) -> String {
        var current = 1
        var start = 0
        for (i, c) in text.enumerated() where c == UInt8(ascii: "\n") {
            if current == line { break }
            current += 1
            start = i + 1
        }
        var content = text[start...].prefix { $0 != UInt8(ascii: "\n") }
        if content.last == UInt8(ascii: "\r") { content = content.dropLast() }
        if content.count % 2 == 1 { return "odd number of hex digits (\(content.count))" }
        if let bad = content.firstIndex(where: { Hex.nibble($0) == nil }) {
            return "not a hex digit at column \(bad - content.startIndex + 1)"
        }
        return "not hex"
    }
}

/// Line-per-leaf hex input consumed as a stream of chunks: the same rules as `HexLines`, with memory
/// bounded by the longest line instead of the whole input (a file of ten million empty lines costs one
/// chunk, not gigabytes). Each call returns the leaf hashes of the lines it completed.
public struct LeafStream {
    /// No line may be longer: a line is buffered until its newline arrives.
    public static let maxLineBytes = 64 << 20
    /// Lines completed so far.
    public private(set) var lines = 0
    /// Lines are 64-hex-digit leaf hashes already, not leaf data.
    public let linesAreLeafHashes: Bool
    var pending: [UInt8] = []

    public init(linesAreLeafHashes: Bool = false) { self.linesAreLeafHashes = linesAreLeafHashes }

    public mutating func consume(_ chunk: UnsafeRawBufferPointer) throws(HexLineError) -> [Digest] {
        guard let last = chunk.lastIndex(of: UInt8(ascii: "\n")) else {
            pending.append(contentsOf: chunk)
            // A line that is not hex fails now, not after it has been buffered to the limit (/dev/zero).
            if chunk.contains(where: { Hex.nibble($0) == nil && $0 != UInt8(ascii: "\r") }) { _ = try parse(pending) }
            guard pending.count <= Self.maxLineBytes else {
                throw HexLineError(line: lines + 1, reason: "longer than \(Self.maxLineBytes) bytes")
            }
            return []
        }
        var text = pending
        text.append(contentsOf: chunk[...last])
        pending = Array(chunk[(last + 1)...])
        return try parse(text)
    }

    /// The last line, if the input did not end with a newline.
    public mutating func finish() throws(HexLineError) -> [Digest] {
        guard !pending.isEmpty else { return [] }
        defer { pending = [] }
        return try parse(pending)
    }

    mutating func parse(_ text: [UInt8]) throws(HexLineError) -> [Digest] {
        let parsed: HexLines
        do { parsed = try HexLines(text: text) } catch { throw HexLineError(line: lines + error.line, reason: error.reason) }
        let hashes: [Digest]
        if linesAreLeafHashes {
            do { hashes = try parsed.digests() } catch { throw HexLineError(line: lines + error.line, reason: error.reason) }
        } else {
            hashes = parsed.leafHashes()
        }
        lines += parsed.count
        return hashes
    }
}
