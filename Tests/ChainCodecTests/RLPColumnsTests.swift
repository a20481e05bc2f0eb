import Testing
@testable import ChainCodec

/// Canonical RLP helpers to build synthetic header streams.
private func rlpString(_ b: [UInt8]) -> [UInt8] {
    if b.count == 1 && b[0] < 0x80 { return b }
    return rlpHeader(b.count, base: 0x80) + b
}
private func rlpList(_ items: [[UInt8]]) -> [UInt8] {
    let payload = items.flatMap { $0 }
    return rlpHeader(payload.count, base: 0xC0) + payload
}
private func rlpHeader(_ n: Int, base: UInt8) -> [UInt8] {
    if n <= 55 { return [base + UInt8(n)] }
    var len = [UInt8]()
    var x = n
    while x > 0 { len.insert(UInt8(x & 0xFF), at: 0); x >>= 8 }
    return [base + 55 + UInt8(len.count)] + len
}
private func be(_ v: UInt64) -> [UInt8] {
    var out = [UInt8]()
    var x = v
    while x > 0 { out.insert(UInt8(x & 0xFF), at: 0); x >>= 8 }
    return out
}

/// A chain of `n` synthetic 16-field headers whose parent hashes link.
private func syntheticChain(_ n: Int, _ rng: inout SeededRNG) -> [UInt8] {
    var out = [UInt8]()
    var parent = [UInt8](repeating: 0, count: 32)
    var ts: UInt64 = 1_600_000_000
    for i in 0..<n {
        ts += UInt64.random(in: 1...30, using: &rng)
        let fields: [[UInt8]] = [
            parent, ChainCodec.keccak256([0xC0]), randomBytes(20, &rng).map { $0 & 0x01 },
            randomBytes(32, &rng), ChainCodec.keccak256([0x80]), ChainCodec.keccak256([0x80]),
            [UInt8](repeating: 0, count: 256), be(UInt64.random(in: 0...1 << 40, using: &rng)), be(UInt64(i)),
            be(30_000_000), be(UInt64.random(in: 0...30_000_000, using: &rng)), be(ts), Array("caldera".utf8),
            randomBytes(32, &rng), randomBytes(8, &rng), be(UInt64.random(in: 7...100, using: &rng)),
        ]
        let h = rlpList(fields.map(rlpString))
        parent = ChainCodec.keccak256(h)
        out += h
    }
    return out
}

@Suite("RLP column transform") struct RLPColumnsTests {
    @Test("synthetic header chain: recognised, columnised, parent hashes recomputed")
    func syntheticRoundTrip() throws {
        var rng = SeededRNG(seed: 10)
        let chain = syntheticChain(200, &rng)
        #expect(ChainCodec.detect(chain) == .rlpHeaders)
        let a = ChainCodec.encode(chain, level: 3)
        #expect(try ChainCodec.header(a).transform == .rlpColumns)
        #expect(try ChainCodec.decode(a) == chain)
        let cols = try ChainCodec.columns(a)
        let parentData = cols.first { $0.name == "f00-parentHash-data" }!.bytes
        #expect(parentData < 40, "only the first parent hash is stored literally")
    }

    @Test("non-canonical items, nested lists, literals and garbage between headers round-trip")
    func escapes() throws {
        var rng = SeededRNG(seed: 11)
        let chain = syntheticChain(20, &rng)
        let items = rlpPrefix(chain, items: 20)
        let odd: [[UInt8]] = [
            [0xC3, 0x81, 0x05, 0x01],                        // 0x81 0x05: non-canonical single byte
            [0xC4, 0xB8, 0x02, 0xAA, 0xBB],                  // long form for a 2-byte string
            [0xF8, 0x03, 0x01, 0x02, 0x03],                  // long list form for a short list
            rlpList([rlpList([[0x01]]), [0x02]]),            // nested list
            rlpString([1, 2, 3]),                            // a string, not a list
            [0xC0],                                          // empty list
            rlpList((0..<30).map { _ in [0x01] }),           // too many fields
            [0xF9, 0xFF],                                    // truncated
        ]
        var stream = [UInt8]()
        var pos = 0
        var k = 0
        while pos < items.count {
            let one = rlpPrefix(Array(items[pos...]), items: 1)
            stream += one
            pos += one.count
            stream += odd[k % odd.count]
            k += 1
        }
        let payload = ChainCodec.rlpColumnsEncode(stream, level: 3).payload!
        #expect(try ChainCodec.decodePayload(.rlpColumns, payload, originalLength: stream.count) == stream)
        #expect(try ChainCodec.decode(ChainCodec.encode(stream, level: 3)) == stream)
    }

    @Test("integer fields: zero, leading zeros, 9-byte values, wrap-around deltas")
    func integers() throws {
        let values: [[UInt8]] = [[], [0x00], [0x00, 0x01], [0xFF] + [UInt8](repeating: 0xFF, count: 7),
                                 [0x01] + [UInt8](repeating: 0, count: 8), [0x80], [0x7F], be(1), be(UInt64.max)]
        var stream = [UInt8]()
        for v in values + values.reversed() {
            var f = [[UInt8]](repeating: [0x01], count: 16)
            f[0] = [UInt8](repeating: 7, count: 32)
            for i in [7, 8, 9, 10, 11, 15] { f[i] = v }
            stream += rlpList(f.map(rlpString))
        }
        let payload = ChainCodec.rlpColumnsEncode(stream, level: 3).payload!
        #expect(try ChainCodec.decodePayload(.rlpColumns, payload, originalLength: stream.count) == stream)
    }

    @Test("the transform encodes any bytes exactly (random and mutated header streams)")
    func anyBytes() throws {
        var rng = SeededRNG(seed: 12)
        let chain = syntheticChain(30, &rng)
        for i in 0..<300 {
            var b: [UInt8]
            if i % 3 == 0 { b = randomBytes(Int.random(in: 0...2000, using: &rng), &rng) } else {
                b = chain
                for _ in 0..<Int.random(in: 1...8, using: &rng) { b = mutate(b, &rng) }
            }
            let payload = ChainCodec.rlpColumnsEncode(b, level: 1).payload!
            #expect(try ChainCodec.decodePayload(.rlpColumns, payload, originalLength: b.count) == b)
            #expect(try ChainCodec.decode(ChainCodec.encode(b, level: 1)) == b)
        }
    }

    @Test("corrupt payloads are rejected, never trap")
    func corruptPayloads() {
        var rng = SeededRNG(seed: 13)
        let chain = syntheticChain(40, &rng)
        let payload = ChainCodec.rlpColumnsEncode(chain, level: 3).payload!
        for _ in 0..<1500 {
            let m = mutate(payload, &rng)
            if let out = try? ChainCodec.decodePayload(.rlpColumns, m, originalLength: chain.count) {
                // without the container's SHA-256 a mutation may decode to other bytes; it must be the declared size
                #expect(out.count == chain.count)
            }
            _ = try? ChainCodec.decodePayload(.rlpColumns, randomBytes(Int.random(in: 0...200, using: &rng), &rng),
                                              originalLength: Int.random(in: 0...5000, using: &rng))
        }
    }

    @Test("mutated real headers round-trip", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func mutatedCorpus() throws {
        var rng = SeededRNG(seed: 14)
        let base = rlpPrefix(Shared.read("ethereumjs/mainnet-00000-5ec1ffb8.headers.rlp"), items: 120)
        for _ in 0..<60 {
            var b = base
            for _ in 0..<Int.random(in: 1...4, using: &rng) { b = mutate(b, &rng) }
            #expect(try ChainCodec.decode(ChainCodec.encode(b, level: 1)) == b)
        }
    }
}

@Suite("Corpus") struct CorpusTests {
    @Test("every corpus file round-trips byte for byte", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func everyFile() throws {
        let files = Shared.corpusFiles()
        #expect(files.count >= 30)
        for url in files {
            let b = Shared.read(String(url.path.dropFirst(Shared.corpus.path.count + 1)))
            let a = ChainCodec.encode(b, level: 3)
            #expect(try ChainCodec.decode(a) == b, "\(url.lastPathComponent)")
            if url.lastPathComponent.hasSuffix(".era1") {
                #expect(try ChainCodec.header(a).transform == .era1Columns2, "\(url.lastPathComponent)")
            }
            if url.lastPathComponent.hasPrefix("block2447600"), !url.lastPathComponent.contains("State") {
                #expect(try ChainCodec.header(a).transform == .hexColumns2, "\(url.lastPathComponent)")
            }
            if url.lastPathComponent.hasSuffix(".headers.rlp") {
                #expect(try ChainCodec.header(a).transform == .rlpColumns, "\(url.lastPathComponent)")
                let parentData = try ChainCodec.columns(a).first { $0.name == "f00-parentHash-data" }!.bytes
                #expect(parentData <= 40, "parent hashes recomputed, \(url.lastPathComponent)")
            }
        }
    }
}

/// The first `count` e2store entries of an era1 file.
func e2storePrefix(_ bytes: [UInt8], entries count: Int) -> [UInt8] {
    var pos = 0
    for _ in 0..<count {
        guard bytes.count - pos >= 8 else { break }
        let ln = Int(bytes[pos + 2]) | Int(bytes[pos + 3]) << 8 | Int(bytes[pos + 4]) << 16 | Int(bytes[pos + 5]) << 24
        guard ln <= bytes.count - pos - 8 else { break }
        pos += 8 + ln
    }
    return Array(bytes[..<pos])
}

@Suite("era1 transform") struct Era1Tests {
    @Test("era1 slices: recognised, snappy entries re-encoded exactly, TDs recomputed", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func slices() throws {
        for name in ["ethereumjs/mainnet-00000-5ec1ffb8.era1", "go-ethereum/sepolia-00021-b8814b14.era1"] {
            let file = Shared.read(name)
            let slice = e2storePrefix(file, entries: 1 + 4 * 300)
            #expect(ChainCodec.detect(slice) == .era1)
            for t in [Transform.era1Columns, .era1Columns2] {
                let payload = ChainCodec.columnsEncode(t, slice, level: 3).payload!
                #expect(try ChainCodec.decodePayload(t, payload, originalLength: slice.count) == slice)
            }
            let archive = ChainCodec.encode(slice, level: 3)
            #expect(try ChainCodec.header(archive).transform == .era1Columns2)
            #expect(try ChainCodec.decode(archive) == slice)
            let cols = try ChainCodec.columns(archive)
            // only the version entry and the first TD (no parent TD in the slice) are literal
            #expect(cols.first { $0.name == "literal-entries" }!.bytes < 100, "\(name)")
        }
    }

    @Test("mutated era1 slices round-trip (literal fallback for entries that do not re-encode)", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func mutated() throws {
        var rng = SeededRNG(seed: 30)
        let slice = e2storePrefix(Shared.read("go-ethereum/sepolia-00000-643a00f7.era1"), entries: 1 + 4 * 40)
        for _ in 0..<80 {
            var b = slice
            for _ in 0..<Int.random(in: 1...4, using: &rng) { b = mutate(b, &rng) }
            for t in [Transform.era1Columns, .era1Columns2] {
                let payload = ChainCodec.columnsEncode(t, b, level: 1).payload!
                #expect(try ChainCodec.decodePayload(t, payload, originalLength: b.count) == b)
            }
        }
    }

    @Test("corrupt era1 payloads are rejected or give the declared size, never trap", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func corrupt() {
        var rng = SeededRNG(seed: 31)
        let slice = e2storePrefix(Shared.read("go-ethereum/sepolia-00000-643a00f7.era1"), entries: 1 + 4 * 20)
        for t in [Transform.era1Columns, .era1Columns2] {
            let payload = ChainCodec.columnsEncode(t, slice, level: 3).payload!
            for _ in 0..<800 {
                let m = mutate(payload, &rng)
                if let out = try? ChainCodec.decodePayload(t, m, originalLength: slice.count) { #expect(out.count == slice.count) }
            }
        }
    }

    @Test("era1-columns/2 recomputes ommers hashes and uncle parent hashes: smaller than /1 where blocks have uncles", .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func ommers() throws {
        // mainnet blocks 0–1199: about one in six includes uncles; ommersHash and each uncle's parentHash are 32 random bytes
        let slice = e2storePrefix(Shared.read("ethereumjs/mainnet-00000-5ec1ffb8.era1"), entries: 1 + 4 * 1200)
        let v1 = ChainCodec.columnsEncode(.era1Columns, slice, level: 3).payload!
        let v2 = ChainCodec.columnsEncode(.era1Columns2, slice, level: 3).payload!
        #expect(try ChainCodec.decodePayload(.era1Columns2, v2, originalLength: slice.count) == slice)
        #expect(v2.count + 64 * 100 < v1.count, "v1 \(v1.count) B, v2 \(v2.count) B")
        // a body changed so its uncle list no longer hashes to the header's ommersHash: still exact
        var rng = SeededRNG(seed: 33)
        for _ in 0..<20 {
            let b = mutate(slice, &rng)
            let p = ChainCodec.columnsEncode(.era1Columns2, b, level: 1).payload!
            #expect(try ChainCodec.decodePayload(.era1Columns2, p, originalLength: b.count) == b)
        }
    }

    @Test("random bytes through the era1 transform round-trip")
    func random() throws {
        var rng = SeededRNG(seed: 32)
        for _ in 0..<200 {
            var b = randomBytes(Int.random(in: 0...400, using: &rng), &rng)
            if b.count >= 8, Bool.random(using: &rng) { b[2] = UInt8(min(b.count - 8, 255)); b[3] = 0; b[4] = 0; b[5] = 0 }
            for t in [Transform.era1Columns, .era1Columns2] {
                let payload = ChainCodec.columnsEncode(t, b, level: 1).payload!
                #expect(try ChainCodec.decodePayload(t, payload, originalLength: b.count) == b)
            }
        }
    }
}
