import CCaldera
import Merkle

/// Multiproofs over RFC 6962 trees: k leaves of one tree proven together, each sibling hash once.
///
/// Canonical order (docs/proof-format.md): level by level from the leaves up; within a level, by
/// increasing position; exactly the siblings that cannot be computed from the proven leaves. A lone
/// last node of a level is promoted unchanged (RFC 6962's unbalanced split). Verification runs in the
/// C core (`cal_multiproof_root`).
public enum Multiproof {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case empty, badIndices, tooShort, tooLong, unknownNode(level: Int, index: UInt64)
        public var description: String {
            switch self {
            case .empty: "no leaves, or an empty tree"
            case .badIndices: "leaf indices must be strictly increasing and below the tree size"
            case .tooShort: "the multiproof has too few hashes"
            case .tooLong: "the multiproof has more hashes than the canonical one"
            case let .unknownNode(l, i): "sibling at level \(l), position \(i) is not known"
            }
        }
    }

    /// The root these leaves and proof hashes lead to.
    public static func root(size: UInt64, indices: [UInt64], leafHashes: [Digest], proof: [Digest]) throws(Failure) -> Digest {
        precondition(indices.count == leafHashes.count)
        guard !indices.isEmpty, size > 0 else { throw .empty }
        var out = Digest.zero
        var scratch = [UInt8](repeating: 0, count: indices.count * 40)
        let rc = indices.withUnsafeBufferPointer { idx in
            leafHashes.withUnsafeBytes { lh in
                proof.withUnsafeBytes { pf in
                    scratch.withUnsafeMutableBytes { sc in
                        withUnsafeMutableBytes(of: &out) { o in
                            cal_multiproof_root(size, idx.baseAddress, lh.baseAddress, indices.count, pf.baseAddress, proof.count, sc.baseAddress, o.baseAddress)
                        }
                    }
                }
            }
        }
        switch Int(rc) {
        case CAL_OK: return out
        case CAL_ERR_EMPTY: throw .empty
        case CAL_ERR_INDICES: throw .badIndices
        case CAL_ERR_PROOF_SHORT: throw .tooShort
        default: throw .tooLong
        }
    }

    /// Number of hashes the canonical multiproof has; nil for invalid indices.
    public static func size(treeSize: UInt64, indices: [UInt64]) -> Int? {
        var scratch = [UInt64](repeating: 0, count: indices.count)
        let n = indices.withUnsafeBufferPointer { idx in
            scratch.withUnsafeMutableBytes { cal_multiproof_size(treeSize, idx.baseAddress, indices.count, $0.baseAddress) }
        }
        return cal_is_error(n) != 0 ? nil : Int(n)
    }

    /// The canonical multiproof, taking sibling hashes from `node(level, position)`.
    public static func generate(size: UInt64, indices: [UInt64], node: (Int, UInt64) -> Digest?) throws(Failure) -> [Digest] {
        var proof = [Digest]()
        try walk(size: size, indices: indices) { (level, position) throws(Failure) in
            guard let d = node(level, position) else { throw .unknownNode(level: level, index: position) }
            proof.append(d)
        }
        return proof
    }

    /// Canonical multiproof from a whole tree.
    public static func generate(tree: MerkleTree, indices: [UInt64]) throws(Failure) -> [Digest] {
        let n = UInt64(tree.size)
        return try generate(size: n, indices: indices) { level, position in
            let start = position << UInt64(level)
            return start < n ? tree.subtreeHash(start: Int(start), count: Int(min(1 << UInt64(level), n - start))) : nil
        }
    }

    /// Every node hash the multiproof determines, keyed by (level, position): the leaves, the proof
    /// hashes and every parent computed from them. Used to cut individual paths back out.
    public static func nodes(size: UInt64, indices: [UInt64], leafHashes: [Digest], proof: [Digest]) throws(Failure) -> [NodeKey: Digest] {
        guard !indices.isEmpty, size > 0 else { throw .empty }
        var known = [NodeKey: Digest]()
        for (i, h) in zip(indices, leafHashes) { known[NodeKey(level: 0, position: i)] = h }
        var p = 0
        try walk(size: size, indices: indices) { (level, position) throws(Failure) in
            guard p < proof.count else { throw .tooShort }
            known[NodeKey(level: level, position: position)] = proof[p]
            p += 1
        } parent: { level, position, levelSize in
            // parent (level+1, position/2) from its children, or promoted
            let left = NodeKey(level: level, position: position & ~1)
            let key = NodeKey(level: level + 1, position: position >> 1)
            if left.position + 1 < levelSize {
                if let l = known[left], let r = known[NodeKey(level: level, position: left.position + 1)] {
                    known[key] = MerkleHash.node(l, r)
                }
            } else if let l = known[left] {
                known[key] = l
            }
        }
        guard p == proof.count else { throw .tooLong }
        return known
    }

    /// Inclusion path of leaf `index` out of a node map (level walk: a promoted level has no sibling).
    public static func path(size: UInt64, index: UInt64, nodes: [NodeKey: Digest]) throws(Failure) -> [Digest] {
        var path = [Digest]()
        var levelSize = size, i = index, level = 0
        while levelSize > 1 {
            let s = i ^ 1
            if s < levelSize {
                guard let d = nodes[NodeKey(level: level, position: s)] else { throw .unknownNode(level: level, index: s) }
                path.append(d)
            }
            i >>= 1; levelSize = levelSize / 2 + levelSize % 2 /* ceil, without overflow at 2^64 - 1 */; level += 1
        }
        return path
    }

    public struct NodeKey: Hashable, Sendable {
        public let level: Int
        public let position: UInt64
    }

    /// The traversal both generation and verification follow; `needed` is called for each proof hash in
    /// canonical order, `parent` once per node that moves up a level.
    static func walk(size: UInt64, indices: [UInt64], needed: (Int, UInt64) throws(Failure) -> Void,
                     parent: (Int, UInt64, UInt64) -> Void = { _, _, _ in }) throws(Failure) {
        guard size > 0, !indices.isEmpty else { throw .empty }
        for (a, b) in zip(indices, indices.dropFirst()) where a >= b { throw .badIndices }
        guard indices.last! < size else { throw .badIndices }
        var idx = indices
        var levelSize = size, level = 0
        while levelSize > 1 {
            var next = [UInt64]()
            var i = 0
            while i < idx.count {
                let x = idx[i]
                if x & 1 == 0 {
                    if x + 1 < levelSize {
                        if i + 1 < idx.count && idx[i + 1] == x + 1 { i += 2 } else { try needed(level, x + 1); i += 1 }
                    } else { i += 1 }
                } else {
                    try needed(level, x - 1); i += 1
                }
                parent(level, x, levelSize)
                next.append(x >> 1)
            }
            idx = next
            levelSize = levelSize / 2 + levelSize % 2 /* ceil, without overflow at 2^64 - 1 */
            level += 1
        }
    }
}
