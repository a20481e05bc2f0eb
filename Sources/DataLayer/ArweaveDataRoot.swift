import Merkle

/// Arweave's data_root (arweave-js `src/common/lib/merkle.ts`, `generateTransactionChunks`): data is cut
/// into chunks of at most 256 KiB (the last two balanced so that none is below 32 KiB), each leaf is
/// SHA-256(SHA-256(chunk hash) ‖ SHA-256(note(end offset))), each branch is
/// SHA-256(SHA-256(left) ‖ SHA-256(right) ‖ SHA-256(note(left's end offset))), notes being 32-byte
/// big-endian integers; odd nodes are promoted. Each chunk also gets its `data_path` proof.
public struct ArweaveDataRoot: Sendable, Equatable {
    public static let maxChunkSize = 256 * 1024
    public static let minChunkSize = 32 * 1024
    public static let noteSize = 32

    public struct Chunk: Sendable, Equatable {
        public var dataHash: Digest
        public var minByteRange: Int
        public var maxByteRange: Int
    }

    public struct Proof: Sendable, Equatable {
        /// The byte offset the proof is for (the chunk's last byte).
        public var offset: Int
        public var dataPath: [UInt8]
    }

    public let root: Digest
    public let chunks: [Chunk]
    public let proofs: [Proof]

    /// base64url without padding, as Arweave prints ids.
    public var rootBase64URL: String { Base64URL.encode(root.bytes) }

    public init(data: [UInt8]) {
        // chunkData
        var chunks = [Chunk]()
        var cursor = 0
        var rest = data.count
        while rest >= Self.maxChunkSize {
            var size = Self.maxChunkSize
            let next = rest - Self.maxChunkSize
            if next > 0 && next < Self.minChunkSize { size = (rest + 1) / 2 } // Math.ceil(rest / 2)
            chunks.append(Chunk(dataHash: SHA256.hash(Array(data[cursor ..< cursor + size])), minByteRange: cursor, maxByteRange: cursor + size))
            cursor += size
            rest -= size
        }
        chunks.append(Chunk(dataHash: SHA256.hash(Array(data[cursor...])), minByteRange: cursor, maxByteRange: cursor + rest))

        // generateLeaves, buildLayers
        indirect enum Node {
            case leaf(id: Digest, chunk: Chunk)
            case branch(id: Digest, byteRange: Int, maxByteRange: Int, left: Node, right: Node)
            var id: Digest { switch self { case let .leaf(id, _): id; case let .branch(id, _, _, _, _): id } }
            var maxByteRange: Int { switch self { case let .leaf(_, c): c.maxByteRange; case let .branch(_, _, m, _, _): m } }
        }
        func h(_ parts: [[UInt8]]) -> Digest { SHA256.hash(parts.flatMap { $0 }) }
        var layer: [Node] = chunks.map { c in
            .leaf(id: h([SHA256.hash(c.dataHash.bytes).bytes, SHA256.hash(Self.note(c.maxByteRange)).bytes]), chunk: c)
        }
        while layer.count > 1 {
            var next = [Node]()
            var i = 0
            while i < layer.count {
                if i + 1 < layer.count {
                    let l = layer[i], r = layer[i + 1]
                    let id = h([SHA256.hash(l.id.bytes).bytes, SHA256.hash(r.id.bytes).bytes, SHA256.hash(Self.note(l.maxByteRange)).bytes])
                    next.append(.branch(id: id, byteRange: l.maxByteRange, maxByteRange: r.maxByteRange, left: l, right: r))
                } else {
                    next.append(layer[i])
                }
                i += 2
            }
            layer = next
        }
        let top = layer[0]

        // generateProofs: for each leaf, the path of (left id, right id, note) from the root, then (hash, note).
        var proofs = [Proof]()
        func walk(_ n: Node, _ path: [UInt8]) {
            switch n {
            case let .leaf(_, c):
                proofs.append(Proof(offset: c.maxByteRange - 1, dataPath: path + c.dataHash.bytes + Self.note(c.maxByteRange)))
            case let .branch(_, byteRange, _, l, r):
                let prefix = path + l.id.bytes + r.id.bytes + Self.note(byteRange)
                walk(l, prefix)
                walk(r, prefix)
            }
        }
        walk(top, [])
        // Arweave drops a trailing zero-length chunk (and its proof) after computing the root.
        if let last = chunks.last, last.maxByteRange == last.minByteRange {
            chunks.removeLast()
            proofs.removeLast()
        }
        self.root = top.id
        self.chunks = chunks
        self.proofs = proofs
    }

    /// A 32-byte big-endian integer (arweave-js `intToBuffer`).
    static func note(_ v: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: noteSize)
        var x = UInt64(v)
        for i in stride(from: noteSize - 1, through: noteSize - 8, by: -1) { out[i] = UInt8(x & 0xff); x >>= 8 }
        return out
    }
}

/// base64url without padding (RFC 4648 §5), as Arweave uses for ids and proofs.
public enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)]]
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)]]
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ s: String) -> [UInt8]? {
        var table = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = i }
        var out = [UInt8](), acc: UInt32 = 0, bits = 0
        for c in s.utf8 where c != UInt8(ascii: "=") {
            let v = table[Int(c)]
            guard v >= 0 else { return nil }
            acc = acc << 6 | UInt32(v); bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8(acc >> UInt32(bits) & 0xff)) }
        }
        return out
    }
}
