import Foundation
import Testing
import TestSupport
@testable import Merkle

/// Every vector of shared/vectors/rfc6962.json (transparency-dev/merkle).
@Suite(.enabled(if: SharedData.exists("vectors/rfc6962.json"), "needs ../shared/vectors/rfc6962.json (or $CALDERA_SHARED)"))
struct RFC6962VectorTests {
    let v: [String: Any] = (try? SharedData.json("vectors/rfc6962.json")) ?? [:]

    func hashes(_ any: Any?) -> [[UInt8]] { (any as? [String] ?? []).map(unhex) }

    /// The vectors under `key`, which must be `count` of them.
    func cases(_ key: String, count: Int) throws -> [[String: Any]] {
        let cases = try #require(v[key] as? [[String: Any]])
        #expect(cases.count == count, "\(key)")
        return cases
    }

    /// The inputs of the 8 leaves of `tree8`, which the proof vectors are over.
    var tree8Leaves: [[UInt8]] { ((v["tree8"] as! [String: Any])["leaf_inputs"] as! [String]).map(unhex) }

    /// Every probe under `key` (98 of them) verifies exactly when it is marked valid.
    func checkProbes(_ key: String, _ verify: ([String: Any]) throws(MerkleError) -> Void) throws {
        for p in try cases(key, count: 98) {
            let ok = (try? verify(p)) != nil
            #expect(ok == (p["expect_valid"] as! Bool), "\(p["desc"]!) \(p["source"]!)")
        }
    }

    @Test func hashPrimitives() throws {
        for p in try cases("hash_primitives", count: 4) {
            let expected = p["expected"] as! String
            switch p["kind"] as! String {
            case "MTH({})": #expect(MerkleHash.emptyRoot.hex == expected)
            case "leaf": #expect(MerkleHash.leaf(unhex(p["leaf_data"] as! String)).hex == expected)
            case "node": // children here are not 32 bytes: hash the concatenation directly
                let m = [1] + unhex(p["left"] as! String) + unhex(p["right"] as! String)
                #expect(SHA256.hash(m).hex == expected)
            default: Issue.record("unknown kind \(p["kind"]!)")
            }
        }
    }

    @Test func tree8() throws {
        let t = try #require(v["tree8"] as? [String: Any])
        let leaves = (t["leaf_inputs"] as! [String]).map(unhex)
        let roots = t["root_by_size"] as! [String: String]
        #expect(roots.count == 9)
        for (size, root) in roots {
            let n = Int(size)!
            #expect(MerkleTree(leaves: Array(leaves.prefix(n))).root.hex == root, "size \(n)")
            #expect(MerkleTree(leaves: leaves).root(ofSize: n).hex == root, "root(ofSize: \(n))")
            var cr = CompactRange()
            for l in leaves.prefix(n) { cr.append(leafHash: MerkleHash.leaf(l)) }
            #expect(cr.root.hex == root, "compact range, size \(n)")
        }
        let tree = MerkleTree(leaves: leaves)
        let levels = t["complete_subtree_node_hashes_by_level"] as! [String: [String]]
        for (level, nodes) in levels {
            let l = Int(level)!
            for (i, h) in nodes.enumerated() {
                #expect(tree.subtreeHash(start: i << l, count: 1 << l).hex == h, "level \(l) node \(i)")
            }
        }
    }

    @Test func inclusionProofs() throws {
        let leaves = tree8Leaves
        for c in try cases("inclusion_proofs", count: 5) {
            let index = c["leaf_index"] as! Int, size = c["tree_size"] as! Int
            let tree = MerkleTree(leaves: Array(leaves.prefix(size)))
            let proof = try tree.inclusionProof(index: index)
            #expect(proof.path.map(\.bytes) == hashes(c["proof"]), "index \(index) size \(size)")
            #expect(proof.root.hex == c["root"] as! String)
            #expect(proof.leafHash.hex == c["leaf_hash"] as! String)
            try proof.verify()
        }
    }

    @Test func consistencyProofs() throws {
        let leaves = tree8Leaves
        for c in try cases("consistency_proofs", count: 5) {
            let s1 = c["size1"] as! Int, s2 = c["size2"] as! Int
            let proof = try MerkleTree(leaves: Array(leaves.prefix(s2))).consistencyProof(oldSize: s1)
            #expect(proof.path.map(\.bytes) == hashes(c["proof"]), "\(s1) -> \(s2)")
            #expect(proof.oldRoot.hex == c["root1"] as! String && proof.newRoot.hex == c["root2"] as! String)
            try proof.verify()
        }
    }

    @Test func inclusionProbes() throws {
        try checkProbes("inclusion_probes") { p throws(MerkleError) in
            try RFC6962.verifyInclusion(index: (p["leaf_index"] as! NSNumber).uint64Value, size: (p["tree_size"] as! NSNumber).uint64Value,
                                        leafHash: unhex(p["leaf_hash"] as! String), proof: hashes(p["proof"]),
                                        root: unhex(p["root"] as! String))
        }
    }

    @Test func consistencyProbes() throws {
        try checkProbes("consistency_probes") { p throws(MerkleError) in
            try RFC6962.verifyConsistency(size1: (p["size1"] as! NSNumber).uint64Value, size2: (p["size2"] as! NSNumber).uint64Value,
                                          proof: hashes(p["proof"]), root1: unhex(p["root1"] as! String),
                                          root2: unhex(p["root2"] as! String))
        }
    }

    /// The two accumulated vectors over every valid subtree of a 130-leaf tree.
    @Test func accumulatedVectors() throws {
        let acc = try #require(v["accumulated_vectors"] as? [[String: Any]])
        let tree = MerkleTree(leaves: (0..<130).map { [UInt8($0)] })
        func valid(_ start: Int, _ end: Int) -> Bool {
            if start == 0 || start == end { return true }
            var ceil = 1
            while ceil < end - start { ceil <<= 1 }
            return start % ceil == 0
        }
        var hashText = "", proofText = ""
        for end in 0...130 {
            for start in 0...end where valid(start, end) {
                hashText += "[\(start), \(end)) \(tree.subtreeHash(start: start, count: end - start).hex)\n"
                for index in start..<end {
                    proofText += "\(index) [\(start), \(end))"
                    for h in tree.inclusionPath(index: index, start: start, count: end - start) { proofText += " \(h.hex)" }
                    proofText += "\n"
                }
            }
        }
        let expected = Dictionary(uniqueKeysWithValues: acc.map { ($0["name"] as! String, $0["expected"] as! String) })
        #expect(SHA256.hash(Array(hashText.utf8)).hex == expected["subtree_hash_accumulator"])
        #expect(SHA256.hash(Array(proofText.utf8)).hex == expected["subtree_inclusion_proof_accumulator"])
    }
}
