/// An append-only Merkle tree that keeps only O(log n) state: the roots of the perfect subtrees
/// that the binary expansion of `size` splits the leaves into, largest (leftmost) first — the
/// compact range [0, size) of transparency-dev/merkle. Enough to append leaves and compute the
/// root of a log without storing its leaves.
public struct CompactRange: Equatable, Sendable, Codable {
    /// Number of leaves appended so far.
    public private(set) var size: UInt64
    /// Perfect-subtree roots, one per set bit of `size`, largest first.
    public private(set) var peaks: [Digest]

    /// The empty range.
    public init() { size = 0; peaks = [] }

    /// Restores a range from persisted state; `peaks.count` must equal the number of set bits of `size`.
    public init(size: UInt64, peaks: [Digest]) throws(MerkleError) {
        guard peaks.count == size.nonzeroBitCount else { throw .wrongProofSize(got: peaks.count, want: size.nonzeroBitCount) }
        self.size = size
        self.peaks = peaks
    }

    /// Appends one leaf hash: merges equal-sized subtrees, as binary addition carries.
    public mutating func append(leafHash: Digest) {
        var h = leafHash
        var s = size
        while s & 1 == 1 {
            h = MerkleHash.node(peaks.removeLast(), h)
            s >>= 1
        }
        peaks.append(h)
        size += 1
    }

    /// Appends the root of a perfect subtree of 2^height leaves; `size` must be a multiple of 2^height
    /// (the subtree starts on its own boundary), as it is for every subtree `append(leafHashes:)` forms.
    public mutating func append(subtreeRoot: Digest, height: Int) {
        precondition(height >= 0 && height < 63 && size & ((1 << UInt64(height)) - 1) == 0, "subtree not aligned to the range")
        var h = subtreeRoot
        var s = size >> UInt64(height)
        while s & 1 == 1 {
            h = MerkleHash.node(peaks.removeLast(), h)
            s >>= 1
        }
        peaks.append(h)
        size += 1 << UInt64(height)
    }

    /// Appends many leaf hashes: the largest aligned perfect subtrees are hashed a level at a time in the
    /// C core (`MerkleHash.root`), so streaming a log costs about what building the tree does.
    public mutating func append(leafHashes: [Digest]) {
        var i = 0
        while i < leafHashes.count {
            let remaining = leafHashes.count - i
            let fits = Int.bitWidth - 1 - remaining.leadingZeroBitCount // floor(log2(remaining))
            let k = size == 0 ? fits : min(fits, size.trailingZeroBitCount)
            let n = 1 << k
            let r = n == 1 ? leafHashes[i] : MerkleHash.root(leafHashes: Array(leafHashes[i ..< i + n]))
            append(subtreeRoot: r, height: k)
            i += n
        }
    }

    /// The root of the tree of all appended leaves (RFC 6962 MTH): the peaks folded right to left.
    public var root: Digest {
        guard var r = peaks.last else { return MerkleHash.emptyRoot }
        for p in peaks.dropLast().reversed() { r = MerkleHash.node(p, r) }
        return r
    }
}
