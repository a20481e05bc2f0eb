import Foundation
import Merkle
import Metalayer
import Testing
import TestSupport

func temp(_ name: String, _ contents: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-cli-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

@Suite struct MerkleCLITests {
    let leaves = (0..<13).map { i in String(repeating: String(format: "%02x", i), count: i % 5) }

    var text: String { leaves.joined(separator: "\n") + "\n" }
    var tree: MerkleTree { MerkleTree(leaves: leaves.map { Hex.decode($0)! }) }

    @Test func rootFromFileAndStdin() throws {
        let file = try temp("leaves.txt", text)
        let r = try caldera(["merkle", "root", file])
        #expect(r.status == 0)
        #expect(r.text == tree.root.hex + "\n")
        #expect(try caldera(["merkle", "root", "-"], stdin: Array(text.utf8)).text == tree.root.hex + "\n")
        #expect(try caldera(["merkle", "root"], stdin: Array(text.utf8)).text == tree.root.hex + "\n")
        #expect(try caldera(["merkle", "root"], stdin: []).text == MerkleHash.emptyRoot.hex + "\n")
    }

    @Test func leafHashesFlag() throws {
        let hashes = leaves.map { MerkleHash.leaf(Hex.decode($0)!).hex }.joined(separator: "\n")
        let r = try caldera(["merkle", "root", "--leaf-hashes", try temp("hashes.txt", hashes)])
        #expect(r.text == tree.root.hex + "\n")
        let bad = try caldera(["merkle", "root", "--leaf-hashes", try temp("short.txt", "abcd\n")])
        #expect(bad.status == 2 && bad.stderr.contains("line 1"))
    }

    @Test func badHexNamesTheLine() throws {
        let r = try caldera(["merkle", "root", try temp("bad.txt", "00\n11\nzz\n")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("line 3"), "\(r.stderr)")
        #expect(r.text.isEmpty)
    }

    @Test func missingFileIsExit2() throws {
        let r = try caldera(["merkle", "root", "/nonexistent/leaves.txt"])
        #expect(r.status == 2 && r.stderr.contains("cannot open"))
        #expect(try caldera(["merkle", "verify", "/nonexistent.json"]).status == 2)
        #expect(try caldera(["merkle", "root", "/tmp"]).status == 2)
    }

    /// Runs a proof command; its JSON must equal the library's proof, `merkle verify` must accept it, and
    /// a tampered copy must be exit 1 with one line saying it is invalid.
    func proofRoundTrip<P: Codable & Equatable>(_ args: [String], expected: P, tamper: (inout P) -> Void) throws {
        let r = try caldera(["merkle"] + args)
        #expect(r.status == 0)
        let proof = try JSONDecoder().decode(P.self, from: Data(r.text.utf8))
        #expect(proof == expected)
        #expect(try caldera(["merkle", "verify", try temp("proof.json", r.text)]).status == 0)
        var tampered = proof
        tamper(&tampered)
        let t = try caldera(["merkle", "verify", try temp("tampered.json", String(decoding: try JSONEncoder().encode(tampered), as: UTF8.self))])
        #expect(t.status == 1)
        #expect(t.stderr.split(separator: "\n").count == 1 && t.stderr.contains("invalid"))
    }

    @Test func inclusionThenVerify() throws {
        let file = try temp("leaves.txt", text)
        try proofRoundTrip(["inclusion", "--index", "6", file], expected: try tree.inclusionProof(index: 6)) {
            $0.path[1] = Digest(bytes: $0.path[1].bytes.map { $0 ^ 1 })!
        }
        #expect(try caldera(["merkle", "inclusion", "--index", "13", file]).status == 2)
    }

    @Test func consistencyThenVerify() throws {
        let file = try temp("leaves.txt", text)
        try proofRoundTrip(["consistency", "--old-size", "5", file], expected: try tree.consistencyProof(oldSize: 5)) {
            $0.oldRoot = Digest(bytes: $0.oldRoot.bytes.map { $0 ^ 0x80 })!
        }
        #expect(try caldera(["merkle", "consistency", "--old-size", "0", file]).status == 2)
        #expect(try caldera(["merkle", "consistency", "--old-size", "14", file]).status == 2)
    }

    @Test func malformedProofsAreExit2() throws {
        let good = try caldera(["merkle", "inclusion", "--index", "2", try temp("leaves.txt", text)]).text
        let cases = [
            "", "not json", "[]", "{}", "{\"index\": 1}",
            good.replacingOccurrences(of: "\"index\"", with: "\"idx\""),
            good.replacingOccurrences(of: "\"size\" : 13", with: "\"size\" : -1"),
            good.replacingOccurrences(of: "\"size\" : 13", with: "\"size\" : 1.5"),
            good.replacingOccurrences(of: "\"size\" : 13", with: "\"size\" : \"13\""),
            good.replacingOccurrences(of: "\"size\" : 13", with: "\"size\" : 99999999999999999999999"),
            good.replacingOccurrences(of: "\"root\" : \"", with: "\"root\" : \"00"),
            good.replacingOccurrences(of: "\"root\" : \"", with: "\"root\" : \"zz"),
            String(good.prefix(good.count / 2)),
            good.replacingOccurrences(of: "\"size\" : 13", with: "\"size\" : 13.0"),
            good.replacingOccurrences(of: "\"size\" : 13", with: "\"size\" : 1.3e1"),
        ]
        for (i, c) in cases.enumerated() {
            let r = try caldera(["merkle", "verify", try temp("m\(i).json", c)])
            #expect(r.status == 2, "case \(i): \(c.prefix(60)) -> \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("error:"), "case \(i)")
        }
        #expect(good.contains("\"size\" : 13"))
    }

    @Test func claimsRejectsUnknownGroup() throws {
        let r = try caldera(["claims", "--only", "nope"])
        #expect(r.status != 0 && r.stderr.contains("unknown group"))
    }
}

@Suite struct ProofCLITests {
    func dir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-proof-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func generateCompressVerifyInspect() throws {
        let d = try dir()
        let g = try caldera(["proof", "generate", "--rollups", "8", "--messages", "64", "--batch", "40", "--guardians", "7", "--locality", "random", "--seed", "3", "--out", d])
        #expect(g.status == 0, "\(g.stderr)")
        let files = (1...40).map { String(format: "\(d)/proof-%06d.bin", $0) }
        let guardians = "\(d)/guardians.json"
        #expect(try caldera(["proof", "verify", files[0], "--guardians", guardians]).status == 0)
        let c = try caldera(["proof", "compress"] + files + ["-o", "\(d)/meta.bin"])
        #expect(c.status == 0, "\(c.stderr)")
        let v = try caldera(["proof", "verify", "\(d)/meta.bin", "--guardians", guardians])
        #expect(v.status == 0 && v.text.contains("40 messages"))
        let i = try caldera(["proof", "inspect", "\(d)/meta.bin", "--json"])
        let obj = try JSONSerialization.jsonObject(with: Data(i.text.utf8)) as! [String: Any]
        #expect(obj["kind"] as? String == "meta" && obj["messages"] as? Int == 40)

        // one flipped byte: exit 1 or 2, never 0
        let meta = try Data(contentsOf: URL(fileURLWithPath: "\(d)/meta.bin"))
        for pos in stride(from: 0, to: meta.count, by: max(1, meta.count / 60)) {
            var t = meta
            t[pos] ^= 0x04
            try t.write(to: URL(fileURLWithPath: "\(d)/t.bin"))
            let r = try caldera(["proof", "verify", "\(d)/t.bin", "--guardians", guardians])
            #expect(r.status == 1 || r.status == 2, "byte \(pos): status \(r.status)")
        }
    }

    @Test func errorsAreClear() throws {
        let a = try dir(), b = try dir()
        _ = try caldera(["proof", "generate", "--rollups", "2", "--messages", "4", "--batch", "2", "--guardians", "4", "--seed", "1", "--out", a])
        _ = try caldera(["proof", "generate", "--rollups", "2", "--messages", "4", "--batch", "2", "--guardians", "4", "--seed", "2", "--out", b])
        let mixed = try caldera(["proof", "compress", "\(a)/proof-000001.bin", "\(b)/proof-000001.bin", "-o", "\(a)/m.bin"])
        #expect(mixed.status == 2 && mixed.stderr.contains("different snapshot"))
        #expect(!FileManager.default.fileExists(atPath: "\(a)/m.bin"))
        let wrongSet = try caldera(["proof", "verify", "\(a)/proof-000001.bin", "--guardians", "\(b)/guardians.json"])
        #expect(wrongSet.status == 1 && wrongSet.stderr.contains("invalid"))
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: "\(a)/g.bin"))
        #expect(try caldera(["proof", "verify", "\(a)/g.bin", "--guardians", "\(a)/guardians.json"]).status == 2)
        #expect(try caldera(["proof", "verify", "\(a)/proof-000001.bin", "--guardians", "\(a)/g.bin"]).status == 2)
        #expect(try caldera(["proof", "inspect", "\(a)/g.bin"]).status == 2)
        #expect(try caldera(["proof", "generate", "--batch", "0", "--out", a]).status == 2)
        #expect(try caldera(["proof", "generate", "--locality", "nearby", "--out", a]).status == 2)
    }

    /// The secp256k1 move: guardians.json holds EIP-55 addresses (version 2), version-1 files and proofs are
    /// refused as such (exit 2), and a certificate carrying a high-s twin of a valid signature is invalid (exit 1).
    @Test func secp256k1CertificatesAndOldVersions() throws {
        let d = try dir()
        #expect(try caldera(["proof", "generate", "--rollups", "2", "--messages", "4", "--batch", "2", "--guardians", "4", "--out", d]).status == 0)
        let setText = try String(contentsOfFile: "\(d)/guardians.json", encoding: .utf8)
        let set = try GuardianSet(json: Data(setText.utf8))
        #expect(setText.contains("\"version\" : 2") && setText.contains(set.guardians[0].address.checksummed))
        #expect(try caldera(["proof", "verify", "\(d)/proof-000001.bin", "--guardians", "\(d)/guardians.json"]).status == 0)

        let v1 = "{\"setId\": \(set.id), \"guardians\": [{\"publicKey\": \"\(String(repeating: "ab", count: 32))\", \"stake\": \"\(set.guardians[0].stake)\"}]}"
        try Data(v1.utf8).write(to: URL(fileURLWithPath: "\(d)/v1.json"))
        let old = try caldera(["proof", "verify", "\(d)/proof-000001.bin", "--guardians", "\(d)/v1.json"])
        #expect(old.status == 2 && old.stderr.contains("version 1"), "\(old.stderr)")

        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: "\(d)/proof-000001.bin")))
        var p = try CrossChainProof(encoded: bytes)
        var sigs = p.certificate.signatures
        sigs[0] = Secp256k1.Signature(bytes: SignatureBytes.highSTwin(sigs[0].bytes))!
        p.certificate = QuorumCertificate(guardianCount: p.certificate.guardianCount, signers: p.certificate.signers, signatures: sigs)
        try Data(p.encoded).write(to: URL(fileURLWithPath: "\(d)/high-s.bin"))
        let high = try caldera(["proof", "verify", "\(d)/high-s.bin", "--guardians", "\(d)/guardians.json"])
        #expect(high.status == 1 && high.stderr.contains("high s"), "\(high.stderr)")

        bytes[4] = 1   // the format version byte: 1 was Ed25519
        try Data(bytes).write(to: URL(fileURLWithPath: "\(d)/v1.bin"))
        let oldProof = try caldera(["proof", "verify", "\(d)/v1.bin", "--guardians", "\(d)/guardians.json"])
        #expect(oldProof.status == 2 && oldProof.stderr.contains("version 1"), "\(oldProof.stderr)")
    }
}

@Suite struct InputLimitTests {
    /// Endless or oversized inputs are refused, not read into memory.
    @Test func devZeroIsRefused() throws {
        let r = try caldera(["merkle", "verify", "/dev/zero"])
        #expect(r.status == 2 && r.stderr.contains("larger than"))
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-limit-\(getpid())").path
        _ = try caldera(["proof", "generate", "--rollups", "1", "--messages", "2", "--batch", "1", "--guardians", "4", "--out", d])
        let g = try caldera(["proof", "verify", "\(d)/proof-000001.bin", "--guardians", "/dev/zero"])
        #expect(g.status == 2 && g.stderr.contains("larger than"))
    }
}

@Suite struct CodecCLITests {
    /// Hex-heavy JSON lines, the kind the hex-column transform takes.
    var text: String {
        (0..<300).map { i in
            "{\"blockNumber\":\"0x\(String(i + 0x1000, radix: 16))\",\"hash\":\"0x\(String(repeating: String(format: "%02x", i % 251), count: 32))\",\"gas\":\"0x5208\"}"
        }.joined(separator: "\n")
    }

    @Test func compressInspectDecompressRoundTrip() throws {
        let file = try temp("rows.json", text)
        let c = try caldera(["codec", "compress", file, "--level", "3"])
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stderr.contains("hex-columns"))
        let i = try caldera(["codec", "inspect", file + ".calz"])
        #expect(i.status == 0)
        #expect(i.text.contains("\"transform\" : \"hex-columns/1\""))
        #expect(i.text.contains("\"originalBytes\" : \(text.utf8.count)"))
        let out = file + ".back"
        let d = try caldera(["codec", "decompress", file + ".calz", "-o", out])
        #expect(d.status == 0, "\(d.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out)) == Data(text.utf8))
        // standard input and output
        let piped = try caldera(["codec", "compress", "-", "-o", "-"], stdin: Array(text.utf8))
        #expect(piped.status == 0)
    }

    @Test func corruptAndBadInputsExitWithoutWriting() throws {
        let file = try temp("rows2.json", text)
        #expect(try caldera(["codec", "compress", file]).status == 0)
        var archive = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file + ".calz")))
        // a flipped byte of the stored SHA-256: decodes, does not match → 1, nothing written
        archive[10] ^= 1
        let flipped = try temp("flipped.calz", "")
        try Data(archive).write(to: URL(fileURLWithPath: flipped))
        let out = flipped + ".out"
        let r = try caldera(["codec", "decompress", flipped, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains("SHA-256"))
        #expect(!FileManager.default.fileExists(atPath: out))
        // not an archive, truncated, or an unknown transform → 2, nothing written
        for bad in ["hello", "CALZ", "CALZ\u{01}\u{09}\u{00}"] {
            let f = try temp("bad.calz", bad)
            let b = try caldera(["codec", "decompress", f, "-o", out])
            #expect(b.status == 2, "\(bad)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        // usage errors
        #expect(try caldera(["codec", "compress", "-"], stdin: [1, 2, 3]).status == 2)
        #expect(try caldera(["codec", "decompress", file]).status == 2)
        #expect(try caldera(["codec", "compress", file, "--level", "0"]).status == 2)
        #expect(try caldera(["codec", "decompress", file + ".calz", "-o", FileManager.default.temporaryDirectory.path]).status == 2)
        #expect(try caldera(["codec", "decompress", file + ".calz", "-o", out, "--max-bytes", "10"]).status == 2)
    }
}
