import DataLayer
import Foundation
import Merkle
import DataTestSupport
import TestSupport
import Testing

@Suite struct CodecTests {
    @Test func zstdRoundTripWithLevelsAndLongDistance() throws {
        let data = chainLikeData(300_000, seed: 1)
        for p in [Zstd.Parameters(level: 1, windowLog: 0, longDistanceMatching: false), Zstd.Parameters(level: 19, windowLog: 27, longDistanceMatching: true)] {
            let c = try Zstd.compress(data, parameters: p)
            #expect(c.count < data.count / 3)
            #expect(try Zstd.decompress(c, expectedSize: data.count) == data)
        }
        #expect(try Zstd.decompress(try Zstd.compress([], parameters: .init()), expectedSize: 0) == [])
    }

    @Test func longDistanceMatchingFindsFarRepeats() throws {
        // 10 MiB of noise repeated: beyond level 3's window, within 2^27 with LDM
        var rng = TestRNG(2)
        let chunk = rng.bytes(10 << 20)
        let data = chunk + chunk
        let plain = try Zstd.compress(data, parameters: .init(level: 3, windowLog: 0, longDistanceMatching: false))
        let long = try Zstd.compress(data, parameters: .init(level: 3, windowLog: 27, longDistanceMatching: true))
        #expect(plain.count > data.count * 9 / 10)
        #expect(long.count < data.count * 6 / 10)
        #expect(try Zstd.decompress(long, expectedSize: data.count) == data)
    }

    @Test func dictionaryTrainingHelpsSmallBlobs() throws {
        let samples = (0..<200).map { chainLikeData(1_000, seed: UInt64($0)) }
        let dict = try #require(Zstd.trainDictionary(samples: samples, capacity: 16 << 10))
        let probe = chainLikeData(1_000, seed: 999)
        let p = Zstd.Parameters(level: 19, windowLog: 0, longDistanceMatching: false)
        let without = try Zstd.compress(probe, parameters: p)
        let with = try Zstd.compress(probe, parameters: p, dictionary: dict)
        #expect(with.count < without.count)
        #expect(try Zstd.decompress(with, expectedSize: probe.count, dictionary: dict) == probe)
        // the wrong (no) dictionary is an error, not garbage
        #expect(throws: CodecError.self) { try Zstd.decompress(with, expectedSize: probe.count) }
        #expect(Zstd.trainDictionary(samples: [[1, 2, 3]]) == nil)
    }

    @Test func zstdRejectsCorruptAndMislabelledInput() throws {
        let data = chainLikeData(50_000, seed: 3)
        var c = try Zstd.compress(data, parameters: .init(level: 3))
        #expect(throws: CodecError.self) { try Zstd.decompress(c, expectedSize: data.count + 1) }
        #expect(throws: CodecError.self) { try Zstd.decompress(Array(c.dropLast(5)), expectedSize: data.count) }
        #expect(throws: CodecError.self) { try Zstd.decompress(c + [0], expectedSize: data.count) }
        c[c.count / 2] ^= 0xFF
        #expect(throws: CodecError.self) { try Zstd.decompress(c, expectedSize: data.count) }
    }

    @Test func lz4RoundTripAndCorruption() throws {
        let data = chainLikeData(100_000, seed: 4)
        let c = try LZ4.compress(data)
        #expect(c.count < data.count / 2)
        #expect(try LZ4.decompress(c, originalSize: data.count) == data)
        #expect(throws: CodecError.self) { try LZ4.decompress(c, originalSize: data.count - 1) }
        #expect(throws: CodecError.self) { try LZ4.decompress(Array(c.prefix(100)), originalSize: data.count) }
    }
}

@Suite struct SegmentTests {
    static let ns = Namespace(name: "seg")!

    static func items(_ n: Int, size: Int = 5_000) -> [Segment.Item] {
        (0..<n).map { i in
            let d = chainLikeData(size + i * 37, seed: UInt64(i))
            return Segment.Item(id: BlobID(namespace: ns, data: d), height: UInt64(i / 3 + 1), time: 1_700_000_000 + Int64(i), data: d)
        }
    }

    @Test func encodeDecodeReadEveryBlob() throws {
        let items = Self.items(40)
        let (bytes, index) = try Segment.encode(items: items, namespace: Self.ns, windowStart: 0, windowEnd: 86_400,
                                                parameters: .init(level: 5), dictionary: nil, frameTarget: 64 << 10)
        #expect(index.frames.count > 1)
        #expect(try Segment.decodeIndex(file: bytes) == index)
        #expect(index.codec == .zstdFrames)
        for it in items { #expect(try Segment.read(it.id, file: bytes, dictionary: nil) == it.data) }
        // deterministic: same input, same bytes (a re-run after a crash rebuilds the same file)
        let again = try Segment.encode(items: items, namespace: Self.ns, windowStart: 0, windowEnd: 86_400,
                                       parameters: .init(level: 5), dictionary: nil, frameTarget: 64 << 10)
        #expect(again.bytes == bytes)
    }

    @Test func incompressibleFramesAreStored() throws {
        var rng = TestRNG(9)
        let d = rng.bytes(10_000)
        let item = Segment.Item(id: BlobID(namespace: Self.ns, data: d), height: 1, time: 0, data: d)
        let (bytes, index) = try Segment.encode(items: [item], namespace: Self.ns, windowStart: 0, windowEnd: 1, parameters: .init(level: 3), dictionary: nil)
        #expect(index.frames[0].encoding == .stored)
        #expect(try Segment.read(item.id, file: bytes, dictionary: nil) == d)
    }

    @Test func frameGrouping() {
        #expect(Segment.frameGroups(sizes: [10, 10, 10, 50, 5], frameTarget: 25) == [0..<2, 2..<3, 3..<4, 4..<5])
        #expect(Segment.frameGroups(sizes: [], frameTarget: 25) == [])
        #expect(Segment.frameGroups(sizes: [100], frameTarget: 25) == [0..<1])
    }

    @Test func unknownCodecAndVersionAreTypedErrors() throws {
        let (bytes, _) = try Segment.encode(items: Self.items(3), namespace: Self.ns, windowStart: 0, windowEnd: 1, parameters: .init(level: 3), dictionary: nil)
        var b = bytes
        b[10] = 7 // codec id low byte
        #expect(throws: FormatError.unknownCodec(id: 7)) { try Segment.decodeIndex(file: b) }
        b = bytes
        b[8] = 9 // format version
        #expect(throws: FormatError.unsupportedVersion(what: "segment", version: 9)) { try Segment.decodeIndex(file: b) }
        b = bytes
        b[0] = 0
        #expect(throws: FormatError.badMagic(what: "segment header")) { try Segment.decodeIndex(file: b) }
    }

    /// Every truncation and thousands of random corruptions: a typed error or (for bytes the hashes
    /// do not cover, none) the right data; never a crash, never wrong bytes.
    @Test func corruptSegmentsNeverCrashOrLie() throws {
        let items = Self.items(12, size: 2_000)
        let (bytes, _) = try Segment.encode(items: items, namespace: Self.ns, windowStart: 0, windowEnd: 1,
                                            parameters: .init(level: 3), dictionary: nil, frameTarget: 8 << 10)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            #expect(throws: (any Error).self) { try Segment.decodeIndex(file: Array(bytes.prefix(cut))) }
        }
        var rng = TestRNG(11)
        for _ in 0..<2_000 {
            var b = bytes
            for _ in 0..<Int.random(in: 1...4, using: &rng) { b[Int.random(in: 0..<b.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            for it in items.prefix(3) {
                if let got = try? Segment.read(it.id, file: b, dictionary: nil) { #expect(got == it.data) }
            }
        }
    }
}

@Suite struct PrefixDecodeTests {
    @Test func prefixDecodingStopsEarlyAndChecksBounds() throws {
        let data = chainLikeData(1_000_000, seed: 21)
        let c = try Zstd.compress(data, parameters: .init(level: 3))
        for n in [0, 1, 4_096, 500_000, 1_000_000] { #expect(try Zstd.decompressPrefix(c, prefixSize: n) == Array(data.prefix(n))) }
        #expect(throws: CodecError.self) { try Zstd.decompressPrefix(c, prefixSize: 1_000_001) }
        #expect(throws: CodecError.self) { try Zstd.decompressPrefix(Array(c.prefix(c.count / 2)), prefixSize: 900_000) }
    }
}

@Suite struct SegmentFooterTests {
    /// Index lengths and offsets near the file size (where a careless check underflows) are typed errors.
    @Test func footerBoundsNeverUnderflow() throws {
        let (bytes, _) = try Segment.encode(items: SegmentTests.items(2), namespace: SegmentTests.ns, windowStart: 0, windowEnd: 1,
                                            parameters: .init(level: 1), dictionary: nil)
        let n = UInt64(bytes.count)
        for (off, len) in [(16, n - 40), (16, n - 56), (n, 0), (UInt64.max, 1), (16, UInt64.max), (UInt64.max - 10, 20)] as [(UInt64, UInt64)] {
            var b = bytes
            withUnsafeBytes(of: off.littleEndian) { for i in 0..<8 { b[b.count - 56 + i] = $0[i] } }
            withUnsafeBytes(of: len.littleEndian) { for i in 0..<8 { b[b.count - 48 + i] = $0[i] } }
            #expect(throws: FormatError.self) { try Segment.decodeIndex(file: b) }
        }
    }
}
