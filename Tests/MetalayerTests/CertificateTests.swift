import Economics
import Foundation
import Merkle
import Testing
import Wire
@testable import Metalayer

@Suite struct CertificateTests {
    /// The signed digest, recomputed from the spec's byte layout (docs/proof-format.md, "Snapshot header").
    @Test func signingDigestIsKeccakOfTheTaggedHeader() throws {
        let h = SnapshotHeader(guardianSetId: 0x0102, height: 7, timestampMillis: 1_764_000_000_000, entryCount: 3,
                               root: Merkle.Digest(bytes: [UInt8](repeating: 0xab, count: 32))!)
        func u64(_ x: UInt64) -> [UInt8] { withUnsafeBytes(of: x.bigEndian) { Array($0) } }
        let message = Array("caldera/snapshot/v2".utf8) + [0] + u64(0x0102) + u64(7) + u64(1_764_000_000_000) + u64(3) + [UInt8](repeating: 0xab, count: 32)
        #expect(message.count == 84)
        #expect(h.signingMessage == message)
        #expect(h.signingDigest == Keccak256.hash(message))
        // a guardian's signature recovers, with no EIP-191 prefix, from exactly that digest
        let g = GuardianSigner.derived(seed: [9], index: 4)
        #expect(try g.sign(h).recover(digest: Keccak256.hash(message)) == g.address)
    }

    /// The worked example of docs/proof-format.md. Its digest, address and signature were recomputed
    /// independently with the Python packages eth-hash and eth-keys (PyPI) from the spec's definitions.
    @Test func specExample() throws {
        let h = SnapshotHeader(guardianSetId: 0x0102, height: 7, timestampMillis: 1_764_000_000_000, entryCount: 3,
                               root: Merkle.Digest(bytes: [UInt8](repeating: 0xab, count: 32))!)
        #expect(h.signingDigest.hex == "77ce66134de325656868eb5765ba64bbecbc4449fb057325ecdc0914825f4c9c")
        let g = GuardianSigner.derived(seed: [0, 0, 0, 0, 0, 0, 0, 1], index: 0)
        #expect(g.address.checksummed == "0x456998f2F707581F289039edff04Aa96c14795dE")
        let sig = g.sign(h)
        #expect(Hex.encode(sig.bytes) == "4b84ce53dd743f9cec4b6319ccc221a9dbde15a51a5d644e042d2a9dc33f8ec9"
                + "25b50fbf0e1c652a1ef90a54498ab2cfb9675d126fe5db50605d7aba8d72e404" + "1b")
        #expect(try sig.recover(digest: h.signingDigest) == g.address)
    }

    @Test func votesAreCheckedOneAtATimeAndAssembled() throws {
        let w = try workload(guardians: 7)
        let header = w.snapshot.header, set = w.guardianSet
        let signers = (0..<7).map { GuardianSigner.derived(seed: withUnsafeBytes(of: UInt64(1).bigEndian) { Array($0) }, index: UInt64($0)) }
        #expect(signers.map(\.address) == set.guardians.map(\.address))
        let votes = signers.enumerated().map { (position: $0.offset, signature: $0.element.sign(header)) }
        for v in votes { try set.verifyVote(header: header, position: v.position, signature: v.signature) }
        // a vote by someone else at a position, or at a position outside the set, or for another set
        #expect(throws: QuorumCertificate.Invalid.wrongSigner(position: 1, expected: set.guardians[1].address, recovered: signers[0].address)) {
            try set.verifyVote(header: header, position: 1, signature: votes[0].signature)
        }
        #expect(throws: QuorumCertificate.Invalid.signerOutsideSet(position: 7, guardians: 7)) {
            try set.verifyVote(header: header, position: 7, signature: votes[0].signature)
        }
        var other = header; other.guardianSetId += 1
        #expect(throws: QuorumCertificate.Invalid.self) { try set.verifyVote(header: other, position: 0, signature: votes[0].signature) }

        // assembled in any order, the certificate is in bitmap order and verifies
        let all = try QuorumCertificate(guardianCount: 7, votes: votes.reversed())
        #expect(all.signers == Array(0..<7))
        try all.verify(header: header, set: set)
        #expect(throws: QuorumCertificate.Invalid.duplicateSigner(2)) { try QuorumCertificate(guardianCount: 7, votes: [votes[2], votes[3], votes[2]]) }
        #expect(throws: QuorumCertificate.Invalid.signerOutsideSet(position: 9, guardians: 7)) {
            try QuorumCertificate(guardianCount: 7, votes: [(position: 9, signature: votes[0].signature)])
        }
    }

    /// The four refusals a contract must mirror: below quorum, a duplicate signer, a signer outside the set,
    /// a high-s signature. Each fails with its own error.
    @Test func refusals() throws {
        let w = try workload(guardians: 7)
        let header = w.snapshot.header, set = w.guardianSet, c = w.certificate
        // below quorum: the smallest stakes first, one guardian short of two thirds
        let byStake = (0..<7).sorted { set.guardians[$0].stake < set.guardians[$1].stake }
        var few = [Int](), stake: UInt128 = 0
        for g in byStake where !set.isQuorum(stake + set.guardians[g].stake) { few.append(g); stake += set.guardians[g].stake }
        let signers = (0..<7).map { GuardianSigner.derived(seed: withUnsafeBytes(of: UInt64(1).bigEndian) { Array($0) }, index: UInt64($0)) }
        let below = try QuorumCertificate(guardianCount: 7, votes: few.map { (position: $0, signature: signers[$0].sign(header)) })
        #expect(throws: QuorumCertificate.Invalid.noQuorum(signed: stake, total: set.totalStake)) { try below.verify(header: header, set: set) }

        // a duplicate signer: the same guardian's signature twice
        let dup = QuorumCertificate(guardianCount: 7, signers: [c.signers[0], c.signers[0]] + c.signers.dropFirst(),
                                    signatures: [c.signatures[0], c.signatures[0]] + c.signatures.dropFirst())
        #expect(throws: QuorumCertificate.Invalid.duplicateSigner(c.signers[0])) { try dup.verify(header: header, set: set) }

        // a signer outside the set: a valid signature by a key the set does not hold
        let stranger = GuardianSigner.derived(seed: Array("stranger".utf8), index: 0)
        var sigs = c.signatures
        sigs[0] = stranger.sign(header)
        #expect(throws: QuorumCertificate.Invalid.wrongSigner(position: c.signers[0], expected: set.guardians[c.signers[0]].address, recovered: stranger.address)) {
            try QuorumCertificate(guardianCount: 7, signers: c.signers, signatures: sigs).verify(header: header, set: set)
        }

        // a high-s signature: the malleable twin of a valid one
        sigs = c.signatures
        sigs[1] = highSTwin(sigs[1])
        #expect(throws: QuorumCertificate.Invalid.badSignature(signer: c.signers[1], .highS)) {
            try QuorumCertificate(guardianCount: 7, signers: c.signers, signatures: sigs).verify(header: header, set: set)
        }
        // and in the encoded proof it decodes (the format is only 65 bytes) but fails verification
        var p = w.proofs[0]
        p.certificate = QuorumCertificate(guardianCount: 7, signers: c.signers, signatures: sigs)
        let decoded = try CrossChainProof(encoded: p.encoded)
        #expect(throws: ProofInvalid.certificate(.badSignature(signer: c.signers[1], .highS))) { try decoded.verify(guardians: set) }
    }

    /// Stake is summed exactly: with stakes near 2^126 the 3·signed > 2·total comparison must not overflow.
    @Test func quorumIsExactAtLargeStakes() throws {
        let big = UInt128(1) << 125
        let gs = try (0..<3).map { try Guardian(address: GuardianSigner.derived(seed: [3], index: UInt64($0)).address, stake: big + UInt128($0)) }
        let set = try GuardianSet(id: 1, guardians: gs)
        #expect(set.isQuorum(gs[1].stake + gs[2].stake))     // 2 of 3 nearly equal stakes, the heavier two: > 2/3
        #expect(!set.isQuorum(gs[0].stake + gs[1].stake))    // the lighter two: < 2/3
    }
}

@Suite struct GuardianSetJSONTests {
    @Test func versionTwoRoundTripsWithChecksummedAddresses() throws {
        let w = try workload()
        let json = try w.guardianSet.jsonData()
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"version\" : 2"))
        #expect(text.contains(w.guardianSet.guardians[0].address.checksummed))
        #expect(try GuardianSet(json: json) == w.guardianSet)
    }

    @Test func refusals() throws {
        let a = GuardianSigner.derived(seed: [5], index: 0).address, b = GuardianSigner.derived(seed: [5], index: 1).address
        let stake = String(ERA.guardianMinimumStake)
        func set(_ entries: String, version: String = "2") -> Data {
            Data("{\"version\": \(version), \"setId\": 3, \"guardians\": [\(entries)]}".utf8)
        }
        func entry(_ address: String, _ s: String = stake) -> String { "{\"address\": \"\(address)\", \"stake\": \"\(s)\"}" }
        #expect(throws: Never.self) { try GuardianSet(json: set(entry(a.checksummed) + "," + entry("0x" + Hex.encode(b.bytes).uppercased()))) }
        #expect(throws: Never.self) { try GuardianSet(json: set(entry("0x" + Hex.encode(a.bytes)))) }
        #expect(throws: GuardianSetError.duplicateAddress(a.checksummed)) { try GuardianSet(json: set(entry(a.checksummed) + "," + entry("0x" + Hex.encode(a.bytes)))) }
        #expect(throws: GuardianSetError.zeroAddress) { try GuardianSet(json: set(entry("0x" + String(repeating: "0", count: 40)))) }
        #expect(throws: GuardianSetError.unsupportedVersion(3)) { try GuardianSet(json: set(entry(a.checksummed), version: "3")) }
        #expect(throws: GuardianSetError.stakeBelowMinimum(a.checksummed, ERA.guardianMinimumStake - 1)) {
            try GuardianSet(json: set(entry(a.checksummed, String(ERA.guardianMinimumStake - 1))))
        }
        // a checksum typo (one letter's case flipped) and a short address
        var chars = Array(a.checksummed)
        let i = chars.indices.dropFirst(2).first { chars[$0].isLetter }!
        chars[i] = chars[i].isUppercase ? Character(chars[i].lowercased()) : Character(chars[i].uppercased())
        let typo = String(chars)
        #expect(throws: GuardianSetError.badAddress(String(typo))) { try GuardianSet(json: set(entry(String(typo)))) }
        #expect(throws: GuardianSetError.badAddress("0x1234")) { try GuardianSet(json: set(entry("0x1234"))) }
        // version 1 (Ed25519 public keys) is recognised and refused with a clear message
        let v1 = Data("{\"setId\": 1, \"guardians\": [{\"publicKey\": \"\(String(repeating: "ab", count: 32))\", \"stake\": \"\(stake)\"}]}".utf8)
        #expect(throws: GuardianSetError.unsupportedVersion(1)) { try GuardianSet(json: v1) }
        #expect(GuardianSetError.unsupportedVersion(1).description.contains("secp256k1"))
        // unknown keys stay errors (strict JSON)
        #expect(throws: GuardianSetError.self) { try GuardianSet(json: Data("{\"version\": 2, \"setId\": 1, \"guardians\": [], \"x\": 1}".utf8)) }
    }
}
