import CCaldera
import Foundation
import Testing
import TestSupport
@testable import Merkle

/// RFC 6962 MTH written straight from the RFC, as the oracle for property tests.
func referenceRoot(_ leaves: [Digest]) -> Digest {
    if leaves.isEmpty { return MerkleHash.emptyRoot }
    if leaves.count == 1 { return leaves[0] }
    var k = 1
    while k * 2 < leaves.count { k *= 2 }
    return MerkleHash.node(referenceRoot(Array(leaves[..<k])), referenceRoot(Array(leaves[k...])))
}

func randomLeaves(_ n: Int, seed: UInt64) -> [Digest] {
    var rng = TestRNG(seed)
    return (0..<n).map { _ in MerkleHash.leaf(rng.bytes(Int.random(in: 0...40, using: &rng))) }
}

@Suite struct MerkleTreeTests {
    @Test func rootMatchesReferenceForEverySizeUpTo300() {
        for n in 0...300 {
            let leaves = randomLeaves(n, seed: UInt64(n))
            let expected = referenceRoot(leaves)
            #expect(MerkleTree(leafHashes: leaves).root == expected, "n = \(n)")
            for b in SHA256.Backend.allCases where b.isAvailable {
                #expect(MerkleHash.root(leafHashes: leaves, backend: b) == expected, "n = \(n), \(b)")
            }
        }
    }

    @Test func largeTreeRootAgreesAcrossBackends() {
        let leaves = randomLeaves(100_003, seed: 9)
        let r = MerkleHash.root(leafHashes: leaves, backend: .portable)
        #expect(MerkleTree(leafHashes: leaves).root == r)
        #expect(MerkleHash.root(leafHashes: leaves, backend: .openssl) == r)
    }

    @Test func everyInclusionProofVerifies() throws {
        for n in 1...70 {
            let tree = MerkleTree(leafHashes: randomLeaves(n, seed: 100 + UInt64(n)))
            for i in 0..<n {
                let p = try tree.inclusionProof(index: i)
                try p.verify()
                #expect(p.path.count == Int(ConsistencyProofLength.inclusion(index: UInt64(i), size: UInt64(n))))
            }
        }
    }

    @Test func everyConsistencyProofVerifies() throws {
        for n in 1...40 {
            let tree = MerkleTree(leafHashes: randomLeaves(n, seed: 200 + UInt64(n)))
            for m in 1...n {
                let p = try tree.consistencyProof(oldSize: m)
                try p.verify()
                #expect(p.oldRoot == MerkleTree(leafHashes: (0..<m).map { tree.leafHash(at: $0) }).root)
                #expect(p.path.count == ConsistencyProof.expectedLength(oldSize: UInt64(m), newSize: UInt64(n)))
            }
        }
    }

    /// Any single-bit change to a proof's path, index, leaf hash or root is rejected. A changed size is
    /// rejected whenever it changes the proof's shape (the split into inner and border hashes, RFC 9162
    /// 2.1.3.2). A size of the same shape recomputes the same root: RFC 6962 proofs do not bind the size by
    /// themselves — the signed tree head (root and size signed together) does — so such a size is
    /// accepted, and the test checks that too rather than skipping it.
    @Test func inclusionRejectsEverySingleBitChange() throws {
        for n in [1, 2, 3, 5, 8, 13, 64, 100] {
            let tree = MerkleTree(leafHashes: randomLeaves(n, seed: 300 + UInt64(n)))
            for i in Set([0, n / 2, n - 1]) {
                let good = try tree.inclusionProof(index: i)
                try expectEveryBitFlipRejected(good, position: \.index, size: \.size, hashes: [\.leafHash, \.root], path: \.path,
                                               sameShape: { p in p.index < p.size && shape(p.index, p.size) == shape(good.index, good.size) },
                                               verify: { try $0.verify() }) { v in "n \(n) i \(i) variant index \(v.index) size \(v.size)" }
            }
        }
    }

    @Test func consistencyRejectsEverySingleBitChange() throws {
        for (m, n) in [(1, 2), (3, 7), (4, 8), (5, 13), (6, 64), (64, 100)] {
            let good = try MerkleTree(leafHashes: randomLeaves(n, seed: 400 + UInt64(n))).consistencyProof(oldSize: m)
            try expectEveryBitFlipRejected(good, position: \.oldSize, size: \.newSize, hashes: [\.oldRoot, \.newRoot], path: \.path,
                                           sameShape: { p in p.newSize > p.oldSize && shape(p.oldSize - 1, p.newSize) == shape(good.oldSize - 1, good.newSize) },
                                           verify: { try $0.verify() }) { v in "\(m)->\(n) variant \(v.oldSize)->\(v.newSize)" }
        }
    }

    /// Every single-bit change to a proof: to its two 64-bit fields (`position`, `size`), to each of its
    /// `hashes` and to each hash of its `path`. A changed size for which `sameShape` holds cannot be told
    /// apart by the RFC verifier, by design (the signed tree head binds the size): it must verify. Every
    /// other change must be rejected with a `MerkleError`.
    func expectEveryBitFlipRejected<Proof>(_ good: Proof, position: WritableKeyPath<Proof, UInt64>, size: WritableKeyPath<Proof, UInt64>,
                                           hashes: [WritableKeyPath<Proof, Digest>], path: WritableKeyPath<Proof, [Digest]>,
                                           sameShape: (Proof) -> Bool, verify: (Proof) throws -> Void,
                                           _ label: (Proof) -> String) throws {
        var variants = [Proof]()
        for bit in 0..<64 {
            var p = good; p[keyPath: position] ^= 1 << UInt64(bit); variants.append(p)
            p = good; p[keyPath: size] ^= 1 << UInt64(bit)
            if sameShape(p) { try verify(p) } else { variants.append(p) }
        }
        for bit in 0..<256 {
            for hash in hashes { var p = good; p[keyPath: hash] = p[keyPath: hash].flipping(bit); variants.append(p) }
            for k in good[keyPath: path].indices { var p = good; p[keyPath: path][k] = p[keyPath: path][k].flipping(bit); variants.append(p) }
        }
        for v in variants {
            #expect(throws: MerkleError.self, "\(label(v))") { try verify(v) }
        }
    }

    /// (inner, border) of RFC 9162's inclusion proof decomposition.
    func shape(_ index: UInt64, _ size: UInt64) -> (Int, Int) {
        let inner = UInt64.bitWidth - (index ^ (size - 1)).leadingZeroBitCount
        return (inner, (index >> inner).nonzeroBitCount)
    }

    /// Sizes above 2^63 make `inner` 64; C's `x >> 64` is undefined (found in review). The proof length
    /// must follow RFC 9162 there too, in C and in Swift alike.
    @Test func proofShapeAboveTwoToThe63() throws {
        let size: UInt64 = (1 << 63) + 2
        #expect(cal_merkle_inclusion_proof_len(1, size) == 64)
        #expect(ConsistencyProof.expectedLength(oldSize: 2, newSize: size) == 63)
        let p = InclusionProof(index: 1, size: size, leafHash: .zero, path: [Digest](repeating: .zero, count: 65), root: .zero)
        #expect(throws: MerkleError.wrongProofSize(got: 65, want: 64)) { try p.verify() }
    }

    @Test func proofErrorsAreTyped() throws {
        let tree = MerkleTree(leafHashes: randomLeaves(8, seed: 5))
        #expect(throws: MerkleError.indexOutOfRange(index: 8, size: 8)) { try tree.inclusionProof(index: 8) }
        #expect(throws: MerkleError.emptyOldTree) { try tree.consistencyProof(oldSize: 0) }
        #expect(throws: MerkleError.sizeDecrease(oldSize: 9, newSize: 8)) { try tree.consistencyProof(oldSize: 9) }
        var p = try tree.inclusionProof(index: 3)
        p.path.removeLast()
        #expect(throws: MerkleError.wrongProofSize(got: 2, want: 3)) { try p.verify() }
    }

    @Test func compactRangeMatchesTreeAtEverySize() throws {
        let leaves = randomLeaves(600, seed: 77)
        let tree = MerkleTree(leafHashes: leaves)
        var cr = CompactRange()
        #expect(cr.root == MerkleHash.emptyRoot)
        for (i, l) in leaves.enumerated() {
            cr.append(leafHash: l)
            #expect(cr.size == UInt64(i + 1))
            #expect(cr.peaks.count == (i + 1).nonzeroBitCount)
            #expect(cr.root == tree.root(ofSize: i + 1), "size \(i + 1)")
        }
        let restored = try CompactRange(size: cr.size, peaks: cr.peaks)
        #expect(restored == cr)
        #expect(throws: MerkleError.self) { try CompactRange(size: 3, peaks: [cr.peaks[0]]) }
    }

    @Test func proofsRoundTripThroughJSON() throws {
        let tree = MerkleTree(leafHashes: randomLeaves(11, seed: 6))
        let ip = try tree.inclusionProof(index: 7)
        let data = try JSONEncoder().encode(ip)
        let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(Set(obj.keys) == ["index", "size", "leafHash", "path", "root"])
        #expect(try JSONDecoder().decode(InclusionProof.self, from: data) == ip)
        let cp = try tree.consistencyProof(oldSize: 5)
        let cdata = try JSONEncoder().encode(cp)
        #expect(Set((try JSONSerialization.jsonObject(with: cdata) as! [String: Any]).keys) == ["oldSize", "newSize", "oldRoot", "newRoot", "path"])
        #expect(try JSONDecoder().decode(ConsistencyProof.self, from: cdata) == cp)
    }
}

enum ConsistencyProofLength {
    static func inclusion(index: UInt64, size: UInt64) -> UInt32 {
        var n = 0, i = index, s = size - 1
        while s > 0 { if i ^ 1 <= s { n += 1 }; i >>= 1; s >>= 1 }
        return UInt32(n)
    }
}

extension Digest {
    func flipping(_ bit: Int) -> Digest {
        var b = bytes
        b[bit / 8] ^= 1 << UInt8(bit % 8)
        return Digest(bytes: b)!
    }
}
