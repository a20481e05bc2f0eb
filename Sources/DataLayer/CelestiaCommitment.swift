import Merkle

/// The share commitment Celestia computes for a blob (celestiaorg/go-square `inclusion.CreateCommitment`):
/// the blob is split into 512-byte sparse shares, the shares into a Merkle mountain range of subtrees
/// whose width is set by the subtree-root threshold (64), each subtree hashed as a namespaced Merkle
/// tree (NMT, SHA-256, leaves namespace-prefixed), and the subtree roots combined by a binary Merkle
/// tree (RFC 6962, CometBFT's `merkle.HashFromByteSlices`, in production).
public enum CelestiaCommitment {
    public static let shareSize = 512
    public static let signerSize = 20
    public static let defaultSubtreeRootThreshold = 64
    /// Bytes of blob data in the first share (namespace 29, info 1, sequence length 4).
    public static let firstShareContent = shareSize - Namespace.size - 1 - 4
    /// Bytes of blob data in each later share (namespace 29, info 1).
    public static let continuationShareContent = shareSize - Namespace.size - 1

    public enum Error: Swift.Error, Equatable, Sendable, CustomStringConvertible {
        case unsupportedShareVersion(Int)
        case signerRequired(shareVersion: Int)
        case badSignerLength(Int)
        case badFibreBlob(length: Int)
        public var description: String {
            switch self {
            case let .unsupportedShareVersion(v): "share version \(v) is not supported (0, 1 and 2 are)"
            case let .signerRequired(v): "share version \(v) needs a 20-byte signer"
            case let .badSignerLength(n): "signer is \(n) bytes, Celestia signers are 20"
            case let .badFibreBlob(n): "a share-version-2 (fibre) blob is a 4-byte row version and a 32-byte commitment (36 bytes), not \(n)"
            }
        }
    }

    /// How the subtree roots are combined into the commitment.
    public enum RootFunction: Sendable {
        /// RFC 6962 Merkle root (CometBFT `merkle.HashFromByteSlices`): what the chain uses.
        case rfc6962
        /// A custom function (go-square's tests use helpers such as sha256(sha256(r0) ‖ sha256(r1))).
        case custom(@Sendable ([[UInt8]]) -> Digest)
    }

    /// The sparse shares of one blob, 512 bytes each.
    public static func shares(namespace: Namespace, data: [UInt8], shareVersion: Int = 0, signer: [UInt8]? = nil) throws(Error) -> [[UInt8]] {
        guard (0...2).contains(shareVersion) else { throw .unsupportedShareVersion(shareVersion) }
        if shareVersion >= 1 {
            guard let signer else { throw .signerRequired(shareVersion: shareVersion) }
            guard signer.count == signerSize else { throw .badSignerLength(signer.count) }
        }
        var shares = [[UInt8]]()
        func header(first: Bool) -> [UInt8] {
            namespace.bytes + [UInt8(shareVersion << 1) | (first ? 1 : 0)]
        }
        func padded(_ s: [UInt8]) -> [UInt8] { s + [UInt8](repeating: 0, count: shareSize - s.count) }
        if shareVersion == 2 {
            guard data.count == 36 else { throw .badFibreBlob(length: data.count) }
            var s = header(first: true)
            s += bigEndian32(UInt32(data.count))
            s += signer!
            s += data // row version (4, big-endian) then the 32-byte commitment
            return [padded(s)]
        }
        var first = header(first: true) + bigEndian32(UInt32(data.count))
        if shareVersion == 1 { first += signer! }
        var cursor = min(data.count, shareSize - first.count)
        shares.append(padded(first + data[0..<cursor]))
        while cursor < data.count {
            let n = min(data.count - cursor, continuationShareContent)
            shares.append(padded(header(first: false) + data[cursor ..< cursor + n]))
            cursor += n
        }
        return shares
    }

    /// go-square `SubTreeWidth`: shares per subtree root, a power of two no larger than the blob's
    /// minimal square size.
    public static func subtreeWidth(shareCount: Int, threshold: Int = defaultSubtreeRootThreshold) -> Int {
        var s = shareCount / threshold
        if shareCount % threshold != 0 { s += 1 }
        s = roundUpPowerOfTwo(s)
        return min(s, minSquareSize(shareCount: shareCount))
    }

    /// go-square `BlobMinSquareSize`: the smallest power-of-two square side that fits the shares.
    public static func minSquareSize(shareCount: Int) -> Int {
        var side = 1
        while side * side < shareCount { side += 1 }
        return roundUpPowerOfTwo(side)
    }

    /// go-square `MerkleMountainRangeSizes`.
    public static func mountainRangeSizes(total: Int, maxTreeSize: Int) -> [Int] {
        var sizes = [Int](), rest = total
        while rest > 0 {
            let s = rest >= maxTreeSize ? maxTreeSize : roundDownPowerOfTwo(rest)
            sizes.append(s)
            rest -= s
        }
        return sizes
    }

    /// Root of a namespaced Merkle tree over shares of one namespace (nmt with IgnoreMaxNamespace):
    /// leaf = ns ‖ ns ‖ SHA-256(0x00 ‖ ns ‖ share), node = min ‖ max ‖ SHA-256(0x01 ‖ left ‖ right).
    /// Every leaf has the same namespace here, so min = max = ns throughout; 90 bytes.
    public static func nmtRoot(namespace: Namespace, shares: ArraySlice<[UInt8]>) -> [UInt8] {
        let ns = namespace.bytes
        func leaf(_ share: [UInt8]) -> [UInt8] { ns + ns + SHA256.hash([0] + ns + share).bytes }
        func node(_ l: [UInt8], _ r: [UInt8]) -> [UInt8] {
            // min of the left, max of the right (equal namespaces: no max-namespace special case applies)
            Array(l[0..<29]) + Array(r[29..<58]) + SHA256.hash([1] + l + r).bytes
        }
        func root(_ s: ArraySlice<[UInt8]>) -> [UInt8] {
            if s.count == 1 { return leaf(s.first!) }
            var k = 1
            while k * 2 < s.count { k *= 2 }
            return node(root(s.prefix(k)), root(s.dropFirst(k)))
        }
        return root(shares)
    }

    /// The NMT roots of the subtrees the commitment is made of (go-square `GenerateSubtreeRoots`).
    public static func subtreeRoots(namespace: Namespace, data: [UInt8], shareVersion: Int = 0, signer: [UInt8]? = nil,
                                    threshold: Int = defaultSubtreeRootThreshold) throws(Error) -> [[UInt8]] {
        let s = try shares(namespace: namespace, data: data, shareVersion: shareVersion, signer: signer)
        let width = subtreeWidth(shareCount: s.count, threshold: threshold)
        var roots = [[UInt8]](), cursor = 0
        for size in mountainRangeSizes(total: s.count, maxTreeSize: width) {
            roots.append(nmtRoot(namespace: namespace, shares: s[cursor ..< cursor + size]))
            cursor += size
        }
        return roots
    }

    /// The share commitment.
    public static func commitment(namespace: Namespace, data: [UInt8], shareVersion: Int = 0, signer: [UInt8]? = nil,
                                  threshold: Int = defaultSubtreeRootThreshold, root: RootFunction = .rfc6962) throws(Error) -> Digest {
        let roots = try subtreeRoots(namespace: namespace, data: data, shareVersion: shareVersion, signer: signer, threshold: threshold)
        switch root {
        case .rfc6962: return MerkleHash.root(leafHashes: roots.map { MerkleHash.leaf($0) })
        case .custom(let f): return f(roots)
        }
    }

    static func bigEndian32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    static func roundUpPowerOfTwo(_ n: Int) -> Int { var p = 1; while p < n { p *= 2 }; return p }
    static func roundDownPowerOfTwo(_ n: Int) -> Int { var p = 1; while p * 2 <= n { p *= 2 }; return p }
}
