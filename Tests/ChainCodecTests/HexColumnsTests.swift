import Testing
@testable import ChainCodec

@Suite("Hex column transform") struct HexColumnsTests {
    private func roundTrip(_ b: [UInt8]) throws {
        let payload = ChainCodec.columnsEncode(.hexColumns, b, level: 1).payload!
        #expect(try ChainCodec.decodePayload(.hexColumns, payload, originalLength: b.count) == b)
        if ChainCodec.recomputableHashes(b) > 0 {
            let p5 = ChainCodec.columnsEncode(.hexColumns2, b, level: 1).payload!
            #expect(try ChainCodec.decodePayload(.hexColumns2, p5, originalLength: b.count) == b)
        }
    }

    @Test("every token shape and its near misses round-trip")
    func shapes() throws {
        let h32 = String(repeating: "ab", count: 32), a20 = String(repeating: "0f", count: 20)
        let text = """
        {"hash":"0x\(h32)","from":"0x\(a20)","nonce":"0x0","gas":"0x1b4","big":"0xffffffffffffffff",
         "over":"0x1ffffffffffffffff","lead":"0x00ab","odd":"0x0ab","empty":"0x","upper":"0xABCD","mixed":"0xaBcd",
         "glued":"x0x12","tail":"0x12g","data":"0x\(String(repeating: "00", count: 33))","bare":"\(h32)",
         "short":"abcdef","oddbare":"\(String(repeating: "a", count: 17))",
        ctrl:\u{01}\u{02}\u{03}\u{04}\u{05}\u{06}\u{07}\u{00} 0x1,0x2 "k" : "0xdead", "k2":0x\(h32)}
        0x
        """
        try roundTrip(Array(text.utf8))
        try roundTrip(Array(text.utf8).dropLast(1).map { $0 })
        let a = ChainCodec.encode(Array(String(repeating: text, count: 20).utf8), level: 3)
        #expect(try ChainCodec.decode(a) == Array(String(repeating: text, count: 20).utf8))
    }

    @Test("random text over a hex-heavy alphabet round-trips")
    func randomText() throws {
        var rng = SeededRNG(seed: 20)
        let alphabet = Array("0x0123456789abcdefABX\"{}:, \n_\u{01}\u{06}".utf8)
        for _ in 0..<400 {
            let n = Int.random(in: 0...600, using: &rng)
            try roundTrip((0..<n).map { _ in alphabet.randomElement(using: &rng)! })
        }
        for _ in 0..<100 { try roundTrip(randomBytes(Int.random(in: 0...600, using: &rng), &rng)) }
    }

    @Test("corrupt payloads are rejected or give the declared size, never trap")
    func corrupt() {
        var rng = SeededRNG(seed: 21)
        let text = Array(String(repeating: "{\"hash\":\"0x\(String(repeating: "12", count: 32))\",\"n\":\"0x1f\"}\n", count: 30).utf8)
        let payload = ChainCodec.columnsEncode(.hexColumns, text, level: 3).payload!
        for _ in 0..<1500 {
            let m = mutate(payload, &rng)
            if let out = try? ChainCodec.decodePayload(.hexColumns, m, originalLength: text.count) { #expect(out.count == text.count) }
        }
    }

    @Test("JSON-RPC blocks take the hex transform with recomputed hashes and round-trip", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func jsonCorpus() throws {
        let b = Shared.read("ethereumjs/block24476005.json")
        #expect(ChainCodec.detect(b) == .json)
        let a = ChainCodec.encode(b, level: 3)
        #expect(try ChainCodec.header(a).transform == .hexColumns2)
        #expect(try ChainCodec.columns(a).first { $0.name == "recompute-objects" }!.bytes > 0)
        #expect(try ChainCodec.decode(a) == b)
        var rng = SeededRNG(seed: 22)
        let slice = Array(b.prefix(20_000))
        for _ in 0..<40 {
            var m = slice
            for _ in 0..<Int.random(in: 1...6, using: &rng) { m = mutate(m, &rng) }
            try roundTrip(m)
        }
    }
}
