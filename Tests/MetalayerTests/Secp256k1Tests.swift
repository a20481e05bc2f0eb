import Foundation
import Merkle
import Testing
import TestSupport
@testable import Metalayer

let groupOrder = SignatureBytes.groupOrder
func subtract(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> [UInt8] { SignatureBytes.subtract(a, b) }

/// The other signature of the same key over the same digest: (r, n − s, v flipped). EIP-2 forbids it.
func highSTwin(_ sig: Secp256k1.Signature) -> Secp256k1.Signature { Secp256k1.Signature(bytes: SignatureBytes.highSTwin(sig.bytes))! }

func signature(r: String, s: String, v: UInt8) -> Secp256k1.Signature {
    func word(_ h: String) -> [UInt8] {
        let digits = h.hasPrefix("0x") ? String(h.dropFirst(2)) : h
        return Hex.decode(String(repeating: "0", count: 64 - digits.count) + digits)!
    }
    return Secp256k1.Signature(bytes: word(r) + word(s) + [v])!
}

@Suite struct Secp256k1VectorTests {
    /// EIP-155, section "Example": private key 0x4646…46 signs the transaction whose signing data is
    /// 0xec09…8080 (signing hash 0xdaf5a779…8e53) with v = 37 (chain id 1, so recovery id 0), r = 0x28ef…6276,
    /// s = 0x67cb…6d83; its sender is 0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F.
    @Test func eip155Example() throws {
        let key = try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0x46, count: 32))
        #expect(key.address.checksummed == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        let signingData = Hex.decode("ec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080")!
        let digest = Keccak256.hash(signingData)
        #expect(digest.hex == "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let sig = key.sign(digest: digest)
        #expect(Hex.encode(sig.r) == "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276")
        #expect(Hex.encode(sig.s) == "67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83")
        #expect(sig.v == 27)
        #expect(try sig.recover(digest: digest) == key.address)
    }

    /// go-ethereum crypto/signature_test.go (TestEcrecover): testmsg, testsig (recovery id 1, so v = 28 here)
    /// and the uncompressed testpubkey it recovers to.
    @Test func goEthereumEcrecover() throws {
        let msg = Merkle.Digest(hex: "ce0677bb30baa8cf067c88db9811f4333d131bf8bcf12fe7065d211dce971008")!
        let sig = Hex.decode("90f27b8b488db00b00606796d2987f6a5f59ae62ea05effe84fef5b8b0e549984a691139ad57a3f0b906637673aa2f63d1f55cb1a69199d4009eea23ceaddc93")! + [28]
        let pub = "04e32df42865e97135acfb65f3bae71bdc86f4d49150ad6a440b6f15878109880a0a2b2667f7e725ceea70c673093bf67663e0312623c8e091b13cf2c0f11ef652"
        let s = try #require(Secp256k1.Signature(bytes: sig))
        #expect(Hex.encode(try s.recoverPublicKey(digest: msg)) == pub)
        let address = Array(Keccak256.hash(Hex.decode(pub)!.dropFirst()).bytes.suffix(20))
        #expect(try s.recover(digest: msg).bytes == address)
        // with the other recovery id it is another key (or none)
        let other = Secp256k1.Signature(bytes: Array(sig.prefix(64)) + [27])!
        #expect((try? other.recover(digest: msg)).map { $0.bytes != address } ?? true)
    }

    /// go-ethereum crypto/signature_test.go (TestVerifySignatureMalleable): a signature with s > n/2 that
    /// VerifySignature must reject; recovery refuses it with either v.
    @Test func goEthereumMalleableSignatureIsRefused() {
        let rs = Hex.decode("638a54215d80a6713c8d523a6adc4e6e73652d859103a36b700851cb0e61b66b8ebfc1a610c57d732ec6e0a8f06a9a7a28df5051ece514702ff9cdff0b11f454")!
        let msg = Merkle.Digest(hex: "d301ce462d3e639518f482c7f03821fec1e602018630ce621e1e7851c12343a6")!
        for v: UInt8 in [27, 28] {
            #expect(throws: Secp256k1.Failure.highS) { try Secp256k1.Signature(bytes: rs + [v])!.recover(digest: msg) }
        }
    }

    /// go-ethereum crypto/crypto_test.go: testPrivHex 289c2857…2032 has address 970e8128ab834e8eac17ab8e3812f010678cf791.
    @Test func goEthereumKeyToAddress() throws {
        let key = try Secp256k1.PrivateKey(bytes: Hex.decode("289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032")!)
        #expect(Hex.encode(key.address.bytes) == "970e8128ab834e8eac17ab8e3812f010678cf791")
    }

    /// EIP-55's own examples (section "Test Cases", all-mixed-case group).
    @Test func eip55Checksums() throws {
        for a in ["0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                  "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"] {
            let parsed = try #require(EthereumAddress(hex: a))
            #expect(parsed.checksummed == a)
            #expect(EthereumAddress(hex: a.lowercased()) == parsed)
            // one letter's case flipped: a typo the checksum catches
            var chars = Array(a)
            let i = chars.indices.dropFirst(2).first { chars[$0].isLetter }!
            chars[i] = chars[i].isUppercase ? Character(chars[i].lowercased()) : Character(chars[i].uppercased())
            #expect(EthereumAddress(hex: String(chars)) == nil)
        }
        #expect(EthereumAddress(hex: "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") == nil)   // no 0x
        #expect(EthereumAddress(hex: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea") == nil)   // 19 bytes
    }

    /// Hyperlane's published vectors (hyperlane-monorepo `vectors/`, commit f0f8a56c38; ../shared/vectors/README.md):
    /// domainHash.json fixes domain_hash = keccak256(u32 domain ‖ 32-byte hook address ‖ "HYPERLANE"), and each
    /// signedCheckpoint.json entry is the signer's secp256k1 signature (r, s, v) over the EIP-191 message hash of
    /// the checkpoint's signing hash keccak256(domain_hash ‖ root ‖ u32 index).
    @Test func hyperlaneSignedCheckpoints() throws {
        guard SharedData.exists("vectors/hyperlane/signedCheckpoint.json") else {
            print("skipped: ../shared/vectors/hyperlane is absent"); return
        }
        func load(_ name: String) throws -> [[String: Any]] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: SharedData.url("vectors/hyperlane/\(name)"))) as! [[String: Any]]
        }
        func domainHash(_ domain: Int, _ hook: String) -> Merkle.Digest {
            Keccak256.hash(withUnsafeBytes(of: UInt32(domain).bigEndian) { Array($0) } + Hex.decode(hook)! + Array("HYPERLANE".utf8))
        }
        let domains = try load("domainHash.json")
        #expect(!domains.isEmpty)
        for d in domains {
            #expect(domainHash(d["domain"] as! Int, d["mailbox"] as! String).hex == String((d["expectedDomainHash"] as! String).dropFirst(2)))
        }
        let checkpoints = try load("signedCheckpoint.json")
        #expect(!checkpoints.isEmpty)
        for c in checkpoints {
            let signingHash = Keccak256.hash(domainHash(c["domain"] as! Int, c["merkle_tree_hook"] as! String).bytes
                                             + Hex.decode(c["root"] as! String)! + withUnsafeBytes(of: UInt32(c["index"] as! Int).bigEndian) { Array($0) })
            let digest = Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n32".utf8) + signingHash.bytes)
            let s = c["signature"] as! [String: Any]
            let sig = signature(r: s["r"] as! String, s: s["s"] as! String, v: UInt8(s["v"] as! Int))
            #expect(try sig.recover(digest: digest) == EthereumAddress(hex: c["signer"] as! String)!)
            #expect(throws: Secp256k1.Failure.highS) { try highSTwin(sig).recover(digest: digest) }
        }
    }
}

@Suite struct Secp256k1PropertyTests {
    static func digest(_ rng: inout TestRNG) -> Merkle.Digest { Merkle.Digest(bytes: rng.bytes(32))! }

    /// Seeded random keys: sign then recover gives the signer, signatures are low-s with v ∈ {27, 28},
    /// and signing is deterministic.
    @Test func signRecoverRoundTrip() throws {
        var rng = TestRNG(11)
        for _ in 0..<200 {
            guard let key = try? Secp256k1.PrivateKey(bytes: rng.bytes(32)) else { continue }
            let d = Self.digest(&rng)
            let sig = key.sign(digest: d)
            #expect(sig.v == 27 || sig.v == 28)
            #expect(sig.s.lexicographicallyPrecedes(subtract(groupOrder, sig.s)) || Array(sig.s) == subtract(groupOrder, sig.s))
            #expect(try sig.recover(digest: d) == key.address)
            #expect(key.sign(digest: d) == sig)
            #expect(throws: Secp256k1.Failure.highS) { try highSTwin(sig).recover(digest: d) }
        }
    }

    /// Every single-byte change of a signature or of the digest is refused or recovers another address.
    @Test func everySingleByteChangeFailsOrRecoversAnotherAddress() throws {
        var rng = TestRNG(12)
        for _ in 0..<4 {
            let key = Secp256k1.PrivateKey.derived(seed: rng.bytes(8), index: 0)
            let d = Self.digest(&rng)
            let sig = key.sign(digest: d)
            for i in 0..<65 {
                for flip: UInt8 in [0x01, 0x80, 0xff] {
                    var b = sig.bytes
                    b[i] ^= flip
                    let got = try? Secp256k1.Signature(bytes: b)!.recover(digest: d)
                    #expect(got != key.address, "signature byte \(i) ^ \(flip) still recovers the signer")
                }
            }
            let digestBytes = d.bytes
            for i in 0..<32 {
                var b = digestBytes
                b[i] ^= UInt8(1 + rng.next() % 255)
                let got = try? sig.recover(digest: Merkle.Digest(bytes: b)!)
                #expect(got != key.address, "digest byte \(i) changed, the signer still recovers")
            }
        }
    }

    @Test func outOfRangeComponentsAndBadVAreRefused() throws {
        let key = Secp256k1.PrivateKey.derived(seed: [1], index: 0)
        let d = Keccak256.hash([1, 2, 3])
        let sig = key.sign(digest: d)
        let zero = [UInt8](repeating: 0, count: 32)
        for v: UInt8 in [0, 1, 26, 29, 37, 255] {
            #expect(throws: Secp256k1.Failure.badV(v)) { try Secp256k1.Signature(bytes: Array(sig.bytes.prefix(64)) + [v])!.recover(digest: d) }
        }
        let cases: [[UInt8]] = [zero + Array(sig.s), Array(sig.r) + zero, groupOrder + Array(sig.s), Array(sig.r) + groupOrder,
                                [UInt8](repeating: 0xff, count: 32) + Array(sig.s)]
        for rs in cases {
            #expect(throws: Secp256k1.Failure.outOfRange) { try Secp256k1.Signature(bytes: rs + [sig.v])!.recover(digest: d) }
        }
        #expect(Secp256k1.Signature(bytes: Array(sig.bytes.prefix(64))) == nil)
    }

    @Test func secretKeysMustBeInRange() throws {
        #expect(throws: Secp256k1.Failure.badSecretKey) { try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: Secp256k1.Failure.badSecretKey) { try Secp256k1.PrivateKey(bytes: groupOrder) }
        #expect(throws: Secp256k1.Failure.badSecretKey) { try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 1, count: 31)) }
        var nMinus1 = groupOrder; nMinus1[31] -= 1
        #expect(throws: Never.self) { try Secp256k1.PrivateKey(bytes: nMinus1) }
        // the description names the address, never the secret
        let k = try Secp256k1.PrivateKey(bytes: nMinus1)
        #expect(!"\(k)".lowercased().contains("bfd25e8cd0364140"))
    }

    @Test func derivedKeysAreDeterministicAndDistinct() {
        let a = (0..<50).map { Secp256k1.PrivateKey.derived(seed: Array("testnet".utf8), index: UInt64($0)).address }
        let b = (0..<50).map { Secp256k1.PrivateKey.derived(seed: Array("testnet".utf8), index: UInt64($0)).address }
        #expect(a == b)
        #expect(Set(a).count == 50)
        #expect(Secp256k1.PrivateKey.derived(seed: Array("other".utf8), index: 0).address != a[0])
        // the definition in the doc comment: keccak256(tag ‖ seed ‖ u64 index ‖ u32 attempt 0)
        let secret = Keccak256.hash(Array("caldera/secp256k1-key/v1".utf8) + Array("testnet".utf8) + [0, 0, 0, 0, 0, 0, 0, 3] + [0, 0, 0, 0]).bytes
        #expect(try! Secp256k1.PrivateKey(bytes: secret).address == a[3])
    }
}
