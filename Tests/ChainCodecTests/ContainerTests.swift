import Testing
import Wire
@testable import ChainCodec

@Suite("Container and fallback path") struct ContainerTests {
    @Test("empty input round-trips as stored")
    func empty() throws {
        let a = ChainCodec.encode([])
        #expect(try ChainCodec.header(a).transform == .stored)
        #expect(try ChainCodec.decode(a) == [])
    }

    @Test("random bytes round-trip (300 seeded inputs, 0..8 KiB)")
    func randomRoundTrip() throws {
        var rng = SeededRNG(seed: 1)
        for _ in 0..<300 {
            let n = Int.random(in: 0...8192, using: &rng)
            var b = randomBytes(n, &rng)
            // half of them compressible: runs of a few symbols
            if Bool.random(using: &rng) { b = b.map { $0 & 0x03 } }
            let a = ChainCodec.encode(b, level: 3)
            #expect(try ChainCodec.decode(a) == b)
            #expect(a.count <= b.count + 48, "never more than the container header over the input")
        }
    }

    @Test("compressible text takes the zstd path")
    func zstdPath() throws {
        let b = Array(String(repeating: "{\"hash\":\"0xabcdef\"},", count: 500).utf8)
        let a = ChainCodec.encode(b)
        #expect(try ChainCodec.header(a).transform == .zstd)
        #expect(try ChainCodec.decode(a) == b)
    }

    @Test("header errors are typed")
    func headerErrors() throws {
        let good = ChainCodec.encode(Array("hello, chain".utf8))
        var bad = good; bad[0] = 0x00
        #expect(throws: ChainCodecError.badMagic) { try ChainCodec.decode(bad) }
        bad = good; bad[4] = 2
        #expect(throws: ChainCodecError.unsupportedVersion(2)) { try ChainCodec.decode(bad) }
        bad = good; bad[5] = 99
        #expect(throws: ChainCodecError.unknownTransform(99)) { try ChainCodec.decode(bad) }
        #expect(throws: ChainCodecError.wire(WireError(field: "payload", reason: .trailingBytes(1)))) { try ChainCodec.decode(good + [0]) }
        #expect(throws: ChainCodecError.wire(WireError(field: "original length", reason: .tooLarge(value: 12, limit: 4)))) {
            try ChainCodec.decode(good, maxOutputBytes: 4)
        }
        #expect(throws: ChainCodecError.wire(WireError(field: "original length", reason: .tooLarge(value: 12, limit: 0)))) {
            try ChainCodec.decode(good, maxOutputBytes: -5)
        }
        // every strict prefix is rejected
        for n in 0..<good.count { #expect(throws: ChainCodecError.self) { try ChainCodec.decode(Array(good[..<n])) } }
    }

    @Test("a changed payload byte of a stored archive fails the SHA-256")
    func checksum() throws {
        let b = [UInt8](0..<200)  // incompressible enough to be stored? force it through the container directly
        var a = Container.write(transform: .stored, original: b, digest: ChainCodec.sha256(b), payload: b)
        a[a.count - 1] ^= 1
        #expect(throws: ChainCodecError.checksumMismatch) { try ChainCodec.decode(a) }
    }

    @Test("non-minimal varints are rejected")
    func nonMinimalVarint() throws {
        let b: [UInt8] = [1, 2, 3]
        var a = Container.write(transform: .stored, original: b, digest: ChainCodec.sha256(b), payload: b)
        // original length 3 at offset 6: encode it as 0x83 0x00
        a.replaceSubrange(6...6, with: [0x83, 0x00])
        #expect(throws: ChainCodecError.wire(WireError(field: "original length", reason: .badVarint))) { try ChainCodec.decode(a) }
    }

    @Test("random archives never decode to anything (or trap)")
    func randomArchives() {
        var rng = SeededRNG(seed: 2)
        for i in 0..<2000 {
            var a = randomBytes(Int.random(in: 0...300, using: &rng), &rng)
            if i % 2 == 0, a.count > 6 { a.replaceSubrange(0..<5, with: Container.magic + [1]) ; a[5] = UInt8(i % 3) }
            #expect(throws: ChainCodecError.self) { try ChainCodec.decode(a, maxOutputBytes: 1 << 20) }
        }
    }

    @Test("mutated corpus archives: exact bytes or an error", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func mutatedArchives() throws {
        var rng = SeededRNG(seed: 3)
        let inputs = [
            Shared.read("optimism/blocks_post-shanghai-success_data.json"),
            rlpPrefix(Shared.read("go-ethereum/sepolia-00021-b8814b14.headers.rlp"), items: 150),
            Array(Shared.read("reth/bsc_new_block_network_two").prefix(6000)),
            Array(Shared.read("ethereumjs/block24476005.json").prefix(60_000)),
            e2storePrefix(Shared.read("go-ethereum/sepolia-00021-b8814b14.era1"), entries: 1 + 4 * 30),
        ]
        for input in inputs {
            let archive = ChainCodec.encode(input, level: 3)
            #expect(try ChainCodec.header(archive).transform != .stored)
            for _ in 0..<250 {
                let m = mutate(archive, &rng)
                if let out = try? ChainCodec.decode(m, maxOutputBytes: 1 << 24) { #expect(out == input) }
            }
        }
    }
}
