import DataLayer
import Foundation
import Merkle
import TestSupport
import Testing

@Suite struct CelestiaCommitmentTests {
    static let ns = Namespace(v0: [UInt8](repeating: 1, count: 10))!

    @Test(.enabled(if: SharedData.exists("vectors/celestia_share_commitment.json"), "needs ../shared/vectors"))
    func goSquareVectors() throws {
        let doc = try SharedData.json("vectors/celestia_share_commitment.json")
        let vectors = doc["vectors"] as! [[String: Any]]
        #expect(vectors.count == 3)
        // the test helpers named in the vector file
        let twoLeaf: @Sendable ([[UInt8]]) -> Digest = { roots in
            SHA256.hash(roots.map { SHA256.hash($0).bytes }.flatMap { $0 })
        }
        let concat: @Sendable ([[UInt8]]) -> Digest = { roots in SHA256.hash(roots.flatMap { $0 }) }
        for v in vectors {
            let version = v["share_version"] as! Int
            let expected = v["expected_commitment_hex"] as! String
            let got: Digest
            switch version {
            case 0:
                let data = [UInt8](repeating: 0xFF, count: CelestiaCommitment.firstShareContent + CelestiaCommitment.continuationShareContent)
                got = try CelestiaCommitment.commitment(namespace: Self.ns, data: data, root: .custom(twoLeaf))
            case 1:
                let data = [UInt8](repeating: 0xFF, count: 960 - 20)
                got = try CelestiaCommitment.commitment(namespace: Self.ns, data: data, shareVersion: 1,
                                                        signer: [UInt8](repeating: 1, count: 20), root: .custom(twoLeaf))
            default:
                let data: [UInt8] = [0, 0, 0, 1] + [UInt8](repeating: 0xAB, count: 32)
                got = try CelestiaCommitment.commitment(namespace: Self.ns, data: data, shareVersion: 2,
                                                        signer: [UInt8](repeating: 2, count: 20), root: .custom(concat))
            }
            #expect(got.hex == expected, "share version \(version): \(v["name"] ?? "")")
        }
    }

    @Test func shareLayout() throws {
        #expect(CelestiaCommitment.firstShareContent == 478)
        #expect(CelestiaCommitment.continuationShareContent == 482)
        let s = try CelestiaCommitment.shares(namespace: Self.ns, data: [UInt8](repeating: 7, count: 479))
        #expect(s.count == 2 && s.allSatisfy { $0.count == 512 })
        #expect(s[0][29] == 1 && s[1][29] == 0) // sequence-start bit
        #expect(Array(s[0][30..<34]) == [0, 0, 1, 0xDF]) // sequence length 479, big-endian
        #expect(s[1][30] == 7 && s[1][31] == 0) // one data byte, then padding
        #expect(throws: CelestiaCommitment.Error.signerRequired(shareVersion: 1)) {
            try CelestiaCommitment.shares(namespace: Self.ns, data: [1], shareVersion: 1)
        }
        #expect(throws: CelestiaCommitment.Error.unsupportedShareVersion(3)) {
            try CelestiaCommitment.shares(namespace: Self.ns, data: [1], shareVersion: 3)
        }
    }

    @Test func subtreeWidthsFollowGoSquare() {
        #expect(CelestiaCommitment.subtreeWidth(shareCount: 2) == 1)
        #expect(CelestiaCommitment.subtreeWidth(shareCount: 64) == 1)
        #expect(CelestiaCommitment.subtreeWidth(shareCount: 65) == 2)
        #expect(CelestiaCommitment.subtreeWidth(shareCount: 4096) == 64)
        #expect(CelestiaCommitment.minSquareSize(shareCount: 5) == 4)
        #expect(CelestiaCommitment.mountainRangeSizes(total: 11, maxTreeSize: 4) == [4, 4, 2, 1])
        #expect(CelestiaCommitment.mountainRangeSizes(total: 3, maxTreeSize: 8) == [2, 1])
    }
}

@Suite struct ArweaveDataRootTests {
    @Test(.enabled(if: SharedData.exists("vectors/arweave_chunks.json"), "needs ../shared/vectors"))
    func arweaveJSVectors() throws {
        let doc = try SharedData.json("vectors/arweave_chunks.json")
        let vectors = doc["vectors"] as! [[String: Any]]
        #expect(vectors.count == 15)
        for v in vectors {
            let size = v["size"] as! Int
            let data = (0..<size).map { UInt8(($0 * 31 + 7) % 251) }
            #expect(SHA256.hash(data).hex == v["data_sha256"] as! String)
            let root = ArweaveDataRoot(data: data)
            #expect(root.rootBase64URL == v["data_root_b64url"] as! String, "size \(size)")
            let chunks = v["chunks"] as! [[String: Any]]
            #expect(root.chunks.count == chunks.count, "size \(size)")
            for (c, want) in zip(root.chunks, chunks) {
                #expect(c.minByteRange == want["min"] as! Int && c.maxByteRange == want["max"] as! Int)
                #expect(Base64URL.encode(c.dataHash.bytes) == want["data_hash_b64url"] as! String)
            }
            let proofs = v["proofs"] as! [[String: Any]]
            #expect(root.proofs.count == proofs.count)
            for (p, want) in zip(root.proofs, proofs) {
                #expect(p.offset == want["offset"] as! Int)
                #expect(Base64URL.encode(p.dataPath) == want["data_path_b64url"] as! String, "size \(size) offset \(p.offset)")
            }
        }
    }

    @Test func base64URLRoundTrip() {
        var rng = TestRNG(5)
        for n in 0..<40 {
            let b = rng.bytes(n)
            #expect(Base64URL.decode(Base64URL.encode(b)) == b)
        }
        #expect(Base64URL.encode(Array("foob".utf8)) == "Zm9vYg")
        #expect(Base64URL.decode("a*b") == nil)
    }
}
