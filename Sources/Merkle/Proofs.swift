import CCaldera

/// Why a Merkle proof was rejected, or could not be made.
public enum MerkleError: Error, Equatable, Sendable, CustomStringConvertible {
    case indexOutOfRange(index: UInt64, size: UInt64)
    case wrongProofSize(got: Int, want: Int)
    case hashLength(what: String, got: Int)
    case rootMismatch
    case oldRootMismatch
    case newRootMismatch
    case sizeDecrease(oldSize: UInt64, newSize: UInt64)
    case emptyOldTree
    case emptyProof
    case nonEmptyProof(count: Int)

    public var description: String {
        switch self {
        case let .indexOutOfRange(i, n): "leaf index \(i) is not below the tree size \(n)"
        case let .wrongProofSize(got, want): "proof has \(got) hashes, this index and size need \(want)"
        case let .hashLength(what, got): "\(what) is \(got) bytes, a SHA-256 hash is 32"
        case .rootMismatch: "the proof leads to a different root"
        case .oldRootMismatch: "the proof does not lead to the old root"
        case .newRootMismatch: "the proof does not lead to the new root"
        case let .sizeDecrease(o, n): "old size \(o) is larger than new size \(n)"
        case .emptyOldTree: "a consistency proof from the empty tree proves nothing"
        case .emptyProof: "the sizes differ but the proof is empty"
        case let .nonEmptyProof(c): "the sizes are equal, so the proof must be empty, but it has \(c) hashes"
        }
    }
}

/// Proof that a leaf hash is at `index` in the tree of `size` leaves whose root is `root`.
/// JSON: `{"index","size","leafHash","path":[…],"root"}`, hashes as lowercase hex.
public struct InclusionProof: Codable, Equatable, Sendable {
    public var index: UInt64
    public var size: UInt64
    public var leafHash: Digest
    /// Sibling hashes, from the leaf's level upwards.
    public var path: [Digest]
    public var root: Digest

    public init(index: UInt64, size: UInt64, leafHash: Digest, path: [Digest], root: Digest) {
        self.index = index; self.size = size; self.leafHash = leafHash; self.path = path; self.root = root
    }

    /// RFC 9162 2.1.3.2: the root this proof leads to.
    public func computedRoot() throws(MerkleError) -> Digest {
        var out = Digest.zero
        let rc = leafHash.withUnsafeBytes { leaf in
            path.withUnsafeBytes { p in
                withUnsafeMutableBytes(of: &out.storage) { o in
                    cal_merkle_root_from_inclusion(index, size, leaf.baseAddress, p.baseAddress, path.count, o.baseAddress)
                }
            }
        }
        switch Int(rc) {
        case CAL_OK: return out
        case CAL_ERR_INDEX: throw .indexOutOfRange(index: index, size: size)
        default: throw .wrongProofSize(got: path.count, want: Int(cal_merkle_inclusion_proof_len(index, size)))
        }
    }

    /// Throws unless the proof leads from `leafHash` at `index` to `root`.
    public func verify() throws(MerkleError) {
        guard try computedRoot() == root else { throw .rootMismatch }
    }
}

/// Proof that the tree of `oldSize` leaves (root `oldRoot`) is a prefix of the tree of `newSize`
/// leaves (root `newRoot`). JSON: `{"oldSize","newSize","oldRoot","newRoot","path":[…]}`.
public struct ConsistencyProof: Codable, Equatable, Sendable {
    public var oldSize: UInt64
    public var newSize: UInt64
    public var oldRoot: Digest
    public var newRoot: Digest
    public var path: [Digest]

    public init(oldSize: UInt64, newSize: UInt64, oldRoot: Digest, newRoot: Digest, path: [Digest]) {
        self.oldSize = oldSize; self.newSize = newSize; self.oldRoot = oldRoot; self.newRoot = newRoot; self.path = path
    }

    /// RFC 9162 2.1.4.2 with transparency-dev/merkle's checks.
    public func verify() throws(MerkleError) {
        let rc = path.withUnsafeBytes { p in
            oldRoot.withUnsafeBytes { r1 in newRoot.withUnsafeBytes { r2 in
                cal_merkle_verify_consistency(oldSize, newSize, p.baseAddress, path.count, r1.baseAddress, r2.baseAddress)
            } }
        }
        try ConsistencyProof.throwing(Int(rc), oldSize: oldSize, newSize: newSize, proofCount: path.count)
    }

    static func throwing(_ rc: Int, oldSize: UInt64, newSize: UInt64, proofCount: Int) throws(MerkleError) {
        switch rc {
        case CAL_OK: return
        case CAL_ERR_SIZES: throw oldSize == 0 && newSize >= oldSize ? .emptyOldTree : .sizeDecrease(oldSize: oldSize, newSize: newSize)
        case CAL_ERR_EMPTY_PROOF: throw .emptyProof
        case CAL_ERR_NONEMPTY_PROOF: throw .nonEmptyProof(count: proofCount)
        case CAL_ERR_ROOT_MISMATCH: throw .rootMismatch
        case CAL_ERR_ROOT1_MISMATCH: throw .oldRootMismatch
        case CAL_ERR_ROOT2_MISMATCH: throw .newRootMismatch
        default: throw .wrongProofSize(got: proofCount, want: ConsistencyProof.expectedLength(oldSize: oldSize, newSize: newSize))
        }
    }

    /// Number of hashes a consistency proof between these sizes has (0 < oldSize < newSize).
    public static func expectedLength(oldSize: UInt64, newSize: UInt64) -> Int {
        guard oldSize > 0, oldSize < newSize else { return 0 }
        let last = oldSize - 1
        let inner = UInt64.bitWidth - (last ^ (newSize - 1)).leadingZeroBitCount
        let border = (last >> inner).nonzeroBitCount
        let shift = oldSize.trailingZeroBitCount
        return (oldSize == 1 << shift ? 0 : 1) + (inner - shift) + border
    }
}

/// RFC 6962 verification over raw byte strings, mirroring transparency-dev/merkle's API
/// (`VerifyInclusion`, `VerifyConsistency`): every hash must be exactly 32 bytes, except that
/// equal-size consistency compares the roots as given. The typed `InclusionProof` and
/// `ConsistencyProof` are the usual entry points; these exist for interop and for the vectors.
public enum RFC6962 {
    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) throws(MerkleError) {
        if index >= size { throw .indexOutOfRange(index: index, size: size) }
        guard let leaf = Digest(bytes: leafHash) else { throw .hashLength(what: "leaf hash", got: leafHash.count) }
        let path = try digests(proof)
        let computed = try InclusionProof(index: index, size: size, leafHash: leaf, path: path, root: .zero).computedRoot()
        guard root.count == 32, Digest(bytes: root) == computed else { throw .rootMismatch }
    }

    public static func verifyConsistency(size1: UInt64, size2: UInt64, proof: [[UInt8]], root1: [UInt8], root2: [UInt8]) throws(MerkleError) {
        if size1 == size2 && size1 > 0 || size1 == 0 && size2 == 0 {
            // Upstream checks the proof is empty, then compares the roots byte for byte, whatever their length.
            if !proof.isEmpty { throw .nonEmptyProof(count: proof.count) }
            if size1 == 0 { throw .emptyOldTree }
            guard root1 == root2 else { throw .rootMismatch }
            return
        }
        let path = try digests(proof)
        guard let r1 = Digest(bytes: root1) else { throw .hashLength(what: "old root", got: root1.count) }
        guard let r2 = Digest(bytes: root2) else { throw .hashLength(what: "new root", got: root2.count) }
        try ConsistencyProof(oldSize: size1, newSize: size2, oldRoot: r1, newRoot: r2, path: path).verify()
    }

    static func digests(_ proof: [[UInt8]]) throws(MerkleError) -> [Digest] {
        var out = [Digest]()
        out.reserveCapacity(proof.count)
        for (i, p) in proof.enumerated() {
            guard let d = Digest(bytes: p) else { throw .hashLength(what: "proof hash \(i)", got: p.count) }
            out.append(d)
        }
        return out
    }
}
