import CCaldera
import Foundation

/// RFC 6962 leaf and node hashing (section 2.1 of RFC 9162).
public enum MerkleHash {
    /// SHA-256(0x00 ‖ data).
    public static func leaf<Bytes: ContiguousBytes>(_ data: Bytes) -> Digest {
        data.withUnsafeBytes { buf in Digest.written { cal_merkle_leaf_hash(buf.baseAddress, buf.count, $0) } }
    }

    /// SHA-256(0x01 ‖ left ‖ right).
    public static func node(_ left: Digest, _ right: Digest) -> Digest {
        var out = Digest.zero
        left.withUnsafeBytes { l in right.withUnsafeBytes { r in
            withUnsafeMutableBytes(of: &out.storage) { cal_merkle_node_hash(l.baseAddress, r.baseAddress, $0.baseAddress) }
        } }
        return out
    }

    /// Leaf hashes of concatenated leaf data (leaf i is `data[offsets[i] ..< offsets[i+1]]`), one batch call.
    public static func leaves(data: [UInt8], offsets: [UInt64], backend: SHA256.Backend = .auto) -> [Digest] {
        precondition(!offsets.isEmpty && offsets.last! <= UInt64(data.count), "offsets out of range")
        precondition(zip(offsets, offsets.dropFirst()).allSatisfy { $0 <= $1 }, "offsets must not decrease")
        let n = offsets.count - 1
        var hashes = [Digest](repeating: .zero, count: n)
        let rc = data.withUnsafeBytes { d in
            offsets.withUnsafeBufferPointer { off in
                hashes.withUnsafeMutableBytes { h in
                    cal_sha256_many_var(backend.code, d.baseAddress, off.baseAddress, n, 0x00, h.baseAddress)
                }
            }
        }
        precondition(rc == 0, "SHA-256 backend \(backend) is not available on this machine")
        return hashes
    }

    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot = SHA256.hash([UInt8]())

    /// Root over leaf hashes without keeping the tree (one scratch buffer of n/2 digests).
    public static func root(leafHashes: [Digest], backend: SHA256.Backend = .auto) -> Digest {
        var out = Digest.zero
        var scratch = [Digest](repeating: .zero, count: (leafHashes.count + 1) / 2)
        let rc = leafHashes.withUnsafeBytes { leaves in
            scratch.withUnsafeMutableBytes { s in
                withUnsafeMutableBytes(of: &out.storage) { o in
                    cal_merkle_root(backend.code, leaves.baseAddress, UInt64(leafHashes.count), s.baseAddress, o.baseAddress)
                }
            }
        }
        precondition(rc == 0, "SHA-256 backend \(backend) is not available on this machine")
        return out
    }
}

/// A Merkle tree per RFC 6962/9162 over any number of leaves, with every level kept so that
/// inclusion and consistency proofs cost O(log n) lookups.
///
/// Levels are built bottom-up by hashing adjacent pairs and promoting a lone last node unchanged,
/// which yields exactly RFC 6962's tree (split at the largest power of two below n): every subtree
/// the RFC recursion names, `D[start ..< start + count)`, is the stored node at level
/// `ceil(log2(count))`, index `start >> level`, whenever it is complete or ends at the tree's edge.
public struct MerkleTree: Sendable {
    /// Number of leaves.
    public let size: Int
    /// All levels, leaves first; level l starts at `levelStart[l]` (in digests).
    @usableFromInline let table: [Digest]
    @usableFromInline let levelStart: [Int]

    /// Builds a tree from leaf hashes (already `MerkleHash.leaf`-hashed, or any 32-byte values a
    /// caller treats as leaves).
    public init(leafHashes: [Digest], backend: SHA256.Backend = .auto) {
        size = leafHashes.count
        var starts = [Int]()
        var n = size, at = 0
        while n > 0 {
            starts.append(at)
            at += n
            if n == 1 { break }
            n = (n + 1) / 2
        }
        levelStart = starts
        guard size > 0 else { table = []; return }
        let total = Int(cal_merkle_table_size(UInt64(size)))
        var t = leafHashes
        t.append(contentsOf: repeatElement(.zero, count: total - size))
        let rc = t.withUnsafeMutableBytes { cal_merkle_build(backend.code, $0.baseAddress, UInt64(leafHashes.count)) }
        precondition(rc == 0, "SHA-256 backend \(backend) is not available on this machine")
        table = t
    }

    /// Builds a tree from leaf data: each leaf is hashed as SHA-256(0x00 ‖ data).
    public init<Leaf: ContiguousBytes>(leaves: [Leaf], backend: SHA256.Backend = .auto) {
        var bytes = [UInt8]()
        var offsets: [UInt64] = [0]
        offsets.reserveCapacity(leaves.count + 1)
        for leaf in leaves {
            leaf.withUnsafeBytes { bytes.append(contentsOf: $0) }
            offsets.append(UInt64(bytes.count))
        }
        self.init(leafData: bytes, offsets: offsets, backend: backend)
    }

    /// Builds a tree from concatenated leaf data: leaf i is `data[offsets[i] ..< offsets[i+1]]`.
    /// This is the fast path used by the CLI (one batch call hashes all leaves).
    public init(leafData data: [UInt8], offsets: [UInt64], backend: SHA256.Backend = .auto) {
        self.init(leafHashes: MerkleHash.leaves(data: data, offsets: offsets, backend: backend), backend: backend)
    }

    /// The root hash, MTH(D[n]); SHA-256("") for the empty tree.
    public var root: Digest { size == 0 ? MerkleHash.emptyRoot : table[table.count - 1] }

    /// Hash of leaf `index`.
    public func leafHash(at index: Int) -> Digest {
        precondition(index >= 0 && index < size, "leaf index out of range")
        return table[index]
    }

    /// MTH(D[start ..< start + count)) for a subtree within the tree. O(1) for the subtrees proofs
    /// use, O(log n) otherwise.
    public func subtreeHash(start: Int, count: Int) -> Digest {
        precondition(start >= 0 && count >= 0 && start + count <= size, "subtree out of range")
        if count == 0 { return MerkleHash.emptyRoot }
        let level = count == 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount // ceil(log2 count)
        if start & ((1 << level) - 1) == 0 && (count == 1 << level || start + count == size) {
            return table[levelStart[level] + (start >> level)]
        }
        let k = 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount - 1) // largest power of two < count
        return MerkleHash.node(subtreeHash(start: start, count: k), subtreeHash(start: start + k, count: count - k))
    }

    /// The root of the tree made of the first `size` leaves (an earlier state of an append-only log).
    public func root(ofSize newSize: Int) -> Digest {
        subtreeHash(start: 0, count: newSize)
    }

    /// RFC 9162 PATH(index - start, D[start ..< start + count)), bottom-up.
    public func inclusionPath(index: Int, start: Int = 0, count: Int? = nil) -> [Digest] {
        var path = [Digest]()
        var lo = start, n = count ?? size - start
        var m = index - start
        precondition(m >= 0 && m < n && lo + n <= size, "index outside the subtree")
        var upper = [Digest]() // siblings from the top down; reversed at the end
        while n > 1 {
            let k = 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount - 1)
            if m < k {
                upper.append(subtreeHash(start: lo + k, count: n - k))
                n = k
            } else {
                upper.append(subtreeHash(start: lo, count: k))
                lo += k; m -= k; n -= k
            }
        }
        path.append(contentsOf: upper.reversed())
        return path
    }

    /// An inclusion proof for leaf `index` against the current root.
    public func inclusionProof(index: Int) throws(MerkleError) -> InclusionProof {
        guard index >= 0 && index < size else { throw .indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(size)) }
        return InclusionProof(index: UInt64(index), size: UInt64(size), leafHash: table[index],
                              path: inclusionPath(index: index), root: root)
    }

    /// RFC 9162 PROOF(m, D[n]): that the tree of the first `oldSize` leaves is a prefix of this one.
    public func consistencyProof(oldSize m: Int) throws(MerkleError) -> ConsistencyProof {
        guard m > 0 else { throw .emptyOldTree }
        guard m <= size else { throw .sizeDecrease(oldSize: UInt64(m), newSize: UInt64(size)) }
        var upper = [Digest]()
        // SUBPROOF(m, D[lo ..< lo+n], b), unrolled: each step appends one hash, the recursion's tail.
        var lo = 0, n = size, mm = m, b = true
        while mm != n {
            let k = 1 << (Int.bitWidth - (n - 1).leadingZeroBitCount - 1)
            if mm <= k {
                upper.append(subtreeHash(start: lo + k, count: n - k))
                n = k
            } else {
                upper.append(subtreeHash(start: lo, count: k))
                lo += k; mm -= k; n -= k; b = false
            }
        }
        if !b { upper.append(subtreeHash(start: lo, count: n)) }
        return ConsistencyProof(oldSize: UInt64(m), newSize: UInt64(size), oldRoot: root(ofSize: m), newRoot: root,
                                path: upper.reversed())
    }
}
