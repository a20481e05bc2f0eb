import CCaldera
import Economics
import Foundation
import Merkle
import Testing
import Wire
@testable import Metalayer

func workload(rollups: Int = 6, messages: Int = 37, batch: Int = 20, guardians: Int = 4,
              locality: ProofWorkload.Locality = .random, seed: UInt64 = 1) throws -> ProofWorkload {
    try ProofWorkload(.init(rollups: rollups, messagesPerRollup: messages, batch: batch, guardians: guardians, locality: locality, seed: seed))
}

@Suite struct MultiproofTests {
    /// For every subset of leaves of small trees, the canonical multiproof leads to the root, has the
    /// size the C core predicts, and any other proof length is rejected.
    @Test func everySubsetOfSmallTrees() throws {
        for n in 1...9 {
            let leaves = (0..<n).map { MerkleHash.leaf([UInt8($0)]) }
            let tree = MerkleTree(leafHashes: leaves)
            for mask in 1..<(1 << n) {
                let idx = (0..<n).filter { mask & (1 << $0) != 0 }.map(UInt64.init)
                let proof = try Multiproof.generate(tree: tree, indices: idx)
                #expect(Multiproof.size(treeSize: UInt64(n), indices: idx) == proof.count)
                let hashes = idx.map { leaves[Int($0)] }
                #expect(try Multiproof.root(size: UInt64(n), indices: idx, leafHashes: hashes, proof: proof) == tree.root)
                #expect(throws: Multiproof.Failure.tooLong) { try Multiproof.root(size: UInt64(n), indices: idx, leafHashes: hashes, proof: proof + [.zero]) }
                if !proof.isEmpty {
                    #expect(throws: Multiproof.Failure.tooShort) { try Multiproof.root(size: UInt64(n), indices: idx, leafHashes: hashes, proof: proof.dropLast()) }
                }
                // paths cut back out of the multiproof equal the tree's own inclusion paths
                let nodes = try Multiproof.nodes(size: UInt64(n), indices: idx, leafHashes: hashes, proof: proof)
                for i in idx { #expect(try Multiproof.path(size: UInt64(n), index: i, nodes: nodes) == tree.inclusionPath(index: Int(i))) }
            }
        }
    }

    @Test func largeRandomSubsets() throws {
        var rng = SplitMix64(seed: 5)
        for n in [100, 1000, 4097] {
            let leaves = (0..<n).map { _ in MerkleHash.leaf(rng.bytes(8)) }
            let tree = MerkleTree(leafHashes: leaves)
            for k in [1, 2, 17, n / 3, n] {
                let idx = Array(Set((0..<k).map { _ in rng.next() % UInt64(n) })).sorted()
                let proof = try Multiproof.generate(tree: tree, indices: idx)
                #expect(try Multiproof.root(size: UInt64(n), indices: idx, leafHashes: idx.map { leaves[Int($0)] }, proof: proof) == tree.root)
                let single = idx.reduce(0) { $0 + tree.inclusionPath(index: Int($1)).count }
                #expect(proof.count <= single)
            }
        }
    }

    /// Found by FuzzMetaProof: a tree size of 2^64 - 1 (sizes come from untrusted headers) made the
    /// level-size computation overflow.
    @Test func hugeTreeSizesDoNotOverflow() throws {
        let h = [MerkleHash.leaf([1])]
        for size in [UInt64.max, UInt64.max - 1, 1 << 63] {
            #expect(throws: Multiproof.Failure.tooShort) { try Multiproof.root(size: size, indices: [0], leafHashes: h, proof: []) }
            #expect(throws: Multiproof.Failure.tooShort) { try Multiproof.nodes(size: size, indices: [size - 1], leafHashes: h, proof: []) }
            #expect(throws: Multiproof.Failure.self) { try Multiproof.path(size: size, index: 0, nodes: [:]) }
            let proof = [Merkle.Digest](repeating: .zero, count: 64)
            _ = try? Multiproof.root(size: size, indices: [size - 1], leafHashes: h, proof: proof)
            #expect(Multiproof.size(treeSize: size, indices: [0]) == (size == 1 << 63 ? 63 : 64))
        }
    }

    @Test func badIndicesAreRejected() {
        let h = [Merkle.Digest.zero, .zero]
        #expect(throws: Multiproof.Failure.badIndices) { try Multiproof.root(size: 4, indices: [2, 1], leafHashes: h, proof: []) }
        #expect(throws: Multiproof.Failure.badIndices) { try Multiproof.root(size: 4, indices: [1, 1], leafHashes: h, proof: []) }
        #expect(throws: Multiproof.Failure.badIndices) { try Multiproof.root(size: 4, indices: [1, 4], leafHashes: h, proof: []) }
        #expect(throws: Multiproof.Failure.empty) { try Multiproof.root(size: 0, indices: [0], leafHashes: [.zero], proof: []) }
    }
}

@Suite struct ProofTests {
    @Test func individualProofsVerifyAndRoundTrip() throws {
        let w = try workload()
        #expect(w.proofs.count == 20)
        for p in w.proofs {
            try p.verify(guardians: w.guardianSet)
            let bytes = p.encoded
            #expect(try CrossChainProof(encoded: bytes) == p)
        }
    }

    @Test func certificateNeedsMoreThanTwoThirdsOfStake() throws {
        let w = try workload(guardians: 7)
        let p = w.proofs[0]
        // drop signers until below quorum: must fail with noQuorum
        var q = p
        q.certificate = QuorumCertificate(guardianCount: 7, signers: Array(p.certificate.signers.prefix(2)),
                                          signatures: Array(p.certificate.signatures.prefix(2)))
        #expect(throws: ProofInvalid.self) { try q.verify(guardians: w.guardianSet) }
        // exactly the quorum rule: 3·signed > 2·total
        let set = w.guardianSet
        #expect(set.isQuorum(set.totalStake * 2 / 3 + 1))
        #expect(!set.isQuorum(set.totalStake * 2 / 3 - (set.totalStake % 3 == 0 ? 0 : 1)) || set.totalStake % 3 != 0)
        // another guardian set (other keys) rejects the certificate
        let other = try workload(guardians: 7, seed: 2).guardianSet
        #expect(throws: ProofInvalid.self) { try p.verify(guardians: other) }
    }

    @Test func builtCertificatesAreCheckedToo() throws {
        let w = try workload(guardians: 4)
        let c = w.certificate
        let first = c.signers[0], sig = c.signatures[0]
        // one guardian counted three times must not reach quorum
        let dup = QuorumCertificate(guardianCount: 4, signers: [first, first, first], signatures: [sig, sig, sig])
        #expect(throws: QuorumCertificate.Invalid.duplicateSigner(first)) { try dup.verify(header: w.snapshot.header, set: w.guardianSet) }
        let outOfRange = QuorumCertificate(guardianCount: 4, signers: [7], signatures: [sig])
        #expect(throws: QuorumCertificate.Invalid.signerOutsideSet(position: 7, guardians: 4)) { try outOfRange.verify(header: w.snapshot.header, set: w.guardianSet) }
        let short = QuorumCertificate(guardianCount: 4, signers: [0, 1], signatures: [sig])
        #expect(throws: QuorumCertificate.Invalid.signatureCount(signers: 2, signatures: 1)) { try short.verify(header: w.snapshot.header, set: w.guardianSet) }
    }

    @Test func guardianSetRulesAndJSON() throws {
        let w = try workload()
        let back = try GuardianSet(json: try w.guardianSet.jsonData())
        #expect(back == w.guardianSet)
        let low = try? Guardian(address: w.guardianSet.guardians[0].address, stake: ERA.guardianMinimumStake - 1)
        #expect(low == nil)
        #expect(throws: GuardianSetError.self) { try GuardianSet(json: Data("{\"setId\":1,\"guardians\":[]}".utf8)) }
        #expect(throws: GuardianSetError.self) { try GuardianSet(json: Data("not json".utf8)) }
    }
}

@Suite struct MetaProofTests {
    @Test(arguments: ProofWorkload.Locality.allCases)
    func metaProofVerifiesAndExpandsToTheSameProofs(locality: ProofWorkload.Locality) throws {
        let w = try workload(batch: 40, locality: locality)
        let meta = try MetaProof(proofs: w.proofs)
        try meta.verify(guardians: w.guardianSet)
        #expect(meta.messageCount == 40)
        let expanded = try meta.expand()
        #expect(Set(expanded.map(\.encoded)) == Set(w.proofs.map(\.encoded)))
        for compression in [MetaProof.Compression.none, .zstd] {
            let bytes = meta.encoded(compression: compression)
            #expect(try MetaProof(encoded: bytes) == meta)
        }
        #expect(meta.encoded(compression: .none).count < w.proofs.reduce(0) { $0 + $1.encoded.count })
    }

    @Test func compressRejectsMixedSnapshotsAndBadProofs() throws {
        let a = try workload(seed: 1), b = try workload(seed: 2)
        #expect(throws: MetaProof.BuildError.differentSnapshots(first: 0, other: 1)) { try MetaProof(proofs: [a.proofs[0], b.proofs[0]]) }
        var bad = a.proofs
        bad[3].outboxPath[0] = .zero
        #expect(throws: MetaProof.BuildError.self) { try MetaProof(proofs: bad) }
        #expect(throws: MetaProof.BuildError.duplicateMessage(first: 0, other: 1)) { try MetaProof(proofs: [a.proofs[0], a.proofs[0]]) }
        #expect(throws: MetaProof.BuildError.noProofs) { try MetaProof(proofs: []) }
    }

    /// The core property: a meta-proof verifies iff every proof it carries verifies on its own; and
    /// changing any single byte of its encoding makes it fail to decode or fail to verify.
    @Test func everySingleByteChangeIsCaught() throws {
        let w = try workload(rollups: 3, messages: 9, batch: 6, guardians: 4)
        let meta = try MetaProof(proofs: w.proofs)
        for compression in [MetaProof.Compression.none, .zstd] {
            let bytes = meta.encoded(compression: compression)
            for i in 0..<bytes.count {
                for flip: UInt8 in [0x01, 0x80, 0xFF] {
                    var t = bytes
                    t[i] ^= flip
                    guard let decoded = try? MetaProof(encoded: t) else { continue } // decode error: fine
                    let metaOK = (try? decoded.verify(guardians: w.guardianSet)) != nil
                    #expect(!metaOK, "byte \(i) ^ \(flip) (\(compression)) still verifies")
                    if let parts = try? decoded.expand() {
                        let allOK = parts.allSatisfy { (try? $0.verify(guardians: w.guardianSet)) != nil }
                        #expect(metaOK == allOK, "byte \(i): meta \(metaOK) vs individual \(allOK)")
                    }
                }
            }
        }
    }

    @Test func truncationsAndGarbageNeverDecodeToAValidProof() throws {
        let w = try workload(rollups: 2, messages: 5, batch: 4)
        let bytes = try MetaProof(proofs: w.proofs).encoded(compression: .none)
        for cut in 0..<bytes.count { #expect(throws: DecodeError.self) { try MetaProof(encoded: Array(bytes.prefix(cut))) } }
        #expect(throws: DecodeError.wire(WireError(field: "object", reason: .trailingBytes(1)))) { try MetaProof(encoded: bytes + [0]) }
        var rng = SplitMix64(seed: 9)
        for _ in 0..<2000 {
            let junk = Array("CLDX".utf8) + [1, UInt8(rng.next() % 3)] + rng.bytes(Int(rng.next() % 300))
            _ = try? MetaProof(encoded: junk)
            _ = try? CrossChainProof(encoded: junk)
        }
        let single = w.proofs[0].encoded
        for cut in 0..<single.count { #expect(throws: DecodeError.self) { try CrossChainProof(encoded: Array(single.prefix(cut))) } }
    }
}

@Suite struct GasModelTests {
    @Test func calldataAndFloor() {
        let g = GasModel()
        #expect(g.tokens([0, 0, 1]) == 6)
        // 100 non-zero bytes, no execution: floor 10 × 400 beats 4 × 400
        #expect(g.transaction(calldata: [UInt8](repeating: 1, count: 100), execution: 0) == 21_000 + 4_000)
        #expect(g.transaction(calldata: [UInt8](repeating: 1, count: 100), execution: 10_000) == 21_000 + 11_600)
        #expect(g.sha256(65) == 60 + 12 * 3)
    }

    @Test func metaCostsLessThanTheSumOfIndividuals() throws {
        let w = try workload(batch: 30, guardians: 21)
        let meta = try MetaProof(proofs: w.proofs)
        let individual = w.proofs.reduce(0) { $0 + GasModel().individual($1) }
        #expect(GasModel().meta(meta) < individual)
        #expect(Multiproof.nodeHashCount(size: 8, indices: [0]) == 3)
        #expect(Multiproof.nodeHashCount(size: 5, indices: [4]) == 1)
    }
}
