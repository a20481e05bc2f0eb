import Testing
@testable import ChainCodec
import CCaldera

@Suite("Keccak-256") struct KeccakTests {
    @Test("published vectors", arguments: [
        ("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
        ("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
        ("The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15"),
    ])
    func vectors(input: String, expected: String) {
        #expect(hex(ChainCodec.keccak256(Array(input.utf8))) == expected)
    }

    @Test("one million 'a' (long message, 7353 blocks)")
    func millionA() {
        #expect(hex(ChainCodec.keccak256([UInt8](repeating: 0x61, count: 1_000_000)))
            == "fadae6b49f129bbb812be8407b7b2894f34aecf6dbd1f9b0f0c7e9853098fc96")
    }

    @Test("the BMI1/BMI2 build and the plain build agree on every length 0…1100")
    func backendsAgree() {
        var rng = SeededRNG(seed: 40)
        for n in 0...1100 {
            let m = randomBytes(n, &rng)
            var plain = [UInt8](repeating: 0, count: 32)
            m.withUnsafeBytes { b in plain.withUnsafeMutableBytes { cal_keccak256_portable(b.baseAddress, b.count, $0.baseAddress) } }
            #expect(ChainCodec.keccak256(m) == plain, "length \(n)")
        }
    }

    @Test("Ethereum constants: empty list and empty trie")
    func ethereumConstants() {
        #expect(hex(ChainCodec.keccak256([0xC0])) == "1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347")
        #expect(hex(ChainCodec.keccak256([0x80])) == "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
    }

    /// Cross-checked with pycryptodome's Keccak (independent implementation): lengths around the 136-byte rate.
    @Test("rate boundaries", arguments: [
        (135, "cbdfd9dee5faad3818d6b06f95a219fd290b0e1706f6a82e5a595b9ce9faca62"),
        (136, "7ce759f1ab7f9ce437719970c26b0a66ff11fe3e38e17df89cf5d29c7d7f807e"),
        (137, "ac73d4fae68b8453f764007c1a20ce95994187861f0c3227a3a8e99a73a3b1db"),
        (272, "8e2476e65823b24d96ebe239f2c1534cdf763e689e2410c3b1cb0c74e6177bfc"),
    ])
    func rateBoundaries(length: Int, expected: String) {
        let msg = (0..<length).map { UInt8($0 % 251) }
        #expect(hex(ChainCodec.keccak256(msg)) == expected)
    }

    @Test("mainnet genesis hash from the corpus header", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func mainnetGenesis() {
        let first = rlpPrefix(Shared.read("ethereumjs/mainnet-00000-5ec1ffb8.headers.rlp"), items: 1)
        #expect(hex(ChainCodec.keccak256(first)) == "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3")
    }
}
