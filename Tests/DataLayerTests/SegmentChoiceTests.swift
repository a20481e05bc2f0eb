import ChainCodec
import Foundation
import Measure
import Testing
@testable import DataLayer

/// The segment writer's per-blob choice (issue #16): on exports written from each format's published
/// schema (`SyntheticExports`, not the shared corpus), a segment is never larger than zstd -19
/// --long=27 over the same blobs plus the index, and every blob reads back exactly.
struct SegmentChoiceTests {
    static let files = SyntheticExports.files(seed: 16, blocks: 24)
    static let reference = Zstd.Parameters(level: 19, windowLog: 27, longDistanceMatching: true)

    static func items(_ files: [SyntheticExports.File]) -> [Segment.Item] {
        files.enumerated().map { i, f in Segment.Item(id: BlobID(namespace: .default, data: f.bytes), height: UInt64(i), time: 0, data: f.bytes) }
    }

    /// What `zstd -19 --long=27` makes of the blobs concatenated (one frame, checksum on, as the CLI).
    static func zstdReference(_ items: [Segment.Item]) throws -> Int {
        try Zstd.compress(items.flatMap(\.data), parameters: reference).count
    }

    func encode(_ items: [Segment.Item], workers: Int = 2) throws -> (bytes: [UInt8], index: SegmentIndex) {
        try Segment.encode(items: items, namespace: .default, windowStart: 0, windowEnd: 1, parameters: Self.reference, dictionary: nil,
                           choice: .init(workers: workers))
    }

    @Test("the synthetic exports are what their schemas say")
    func exportsFollowTheirSchemas() throws {
        let byName = Dictionary(uniqueKeysWithValues: Self.files.map { ($0.name, $0.bytes) })
        #expect(Set(byName.keys).isSuperset(of: ["etl/blocks.csv", "etl/transactions.json", "etl/receipts.csv", "etl/logs.json",
                                                 "etl/token_transfers.csv", "etl/traces.csv", "rpc/eth_getBlockByNumber.json",
                                                 "rpc/eth_getBlockReceipts.json", "rlp/headers.rlp", "rlp/bodies.rlp", "era1/synthetic.era1"]))
        let header = String(decoding: byName["etl/transactions.csv"]!.prefix(while: { $0 != 0x0A }), as: UTF8.self)
        #expect(header.hasPrefix("hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,gas_price,input"))
        // Every transaction hash in the JSON-RPC blocks is the Keccak-256 of the signed transaction the
        // object describes (the codec's recomputation agrees), and the same hashes appear in the CSV.
        let rpc = byName["rpc/eth_getBlockByNumber.json"]!
        let txCount = String(decoding: byName["etl/transactions.csv"]!, as: UTF8.self).split(separator: "\n").count - 1
        #expect(txCount > 500)
        #expect(ChainCodec.recomputableHashes(rpc) == txCount)
        #expect(ChainCodec.detect(byName["rlp/headers.rlp"]!) == .rlpHeaders)
        #expect(ChainCodec.detect(byName["era1/synthetic.era1"]!) == .era1)
        let era1 = try #require(ChainCodec.encodeTransformed(byName["era1/synthetic.era1"]!, level: 3))
        #expect(try ChainCodec.header(era1).transform == .era1Columns2, "every snappy entry re-encodes and every TD recomputes")
    }

    @Test("each export alone: never above zstd -19 --long=27 plus the index, and byte-exact")
    func eachFileNeverLoses() throws {
        for f in Self.files {
            let items = Self.items([f])
            let (bytes, index) = try encode(items)
            let bound = try Self.zstdReference(items) + Segment.overhead(frames: index.frames.count, entries: 1)
            #expect(bytes.count <= bound, "\(f.name): \(bytes.count) bytes > zstd + index \(bound)")
            #expect(try Segment.read(items[0].id, file: bytes, dictionary: nil) == f.bytes)
        }
    }

    @Test("all exports in one segment, and each group of formats: never above zstd -19 --long=27 plus the index")
    func groupsNeverLose() throws {
        let groups = ["etl/", "rpc/", "rlp/", ""].map { p in Self.files.filter { $0.name.hasPrefix(p) } }
        for g in groups {
            let items = Self.items(g)
            let (bytes, index) = try encode(items)
            let bound = try Self.zstdReference(items) + Segment.overhead(frames: index.frames.count, entries: items.count)
            #expect(bytes.count <= bound, "\(g.map(\.name)): \(bytes.count) > \(bound)")
            for i in items { #expect(try Segment.read(i.id, file: bytes, dictionary: nil) == i.data) }
        }
    }

    @Test("the codec takes a blob it clearly wins on; blobs that repeat each other stay solid")
    func choiceFollowsTheTrial() throws {
        let headers = Self.files.first { $0.name == "rlp/headers.rlp" }!.bytes
        #expect(try Segment.layout(items: Self.items([SyntheticExports.File(name: "h", bytes: headers)]), parameters: Self.reference).chain == [true])
        // The same headers twice (one byte apart): the second copy costs almost nothing in one solid
        // frame, which two codec frames cannot see.
        var copy = headers
        copy[copy.count - 1] ^= 1
        let twice = Self.items([.init(name: "a", bytes: headers), .init(name: "b", bytes: copy)])
        #expect(try Segment.layout(items: twice, parameters: Self.reference).chain == [false, false])
        // Binary noise has no transform: solid, with no trial at all.
        let noise = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        #expect(try Segment.layout(items: Self.items([.init(name: "n", bytes: noise)]), parameters: Self.reference).chain == [false])
    }

    @Test("the bytes do not depend on the number of threads")
    func threadsDoNotChangeTheBytes() throws {
        let items = Self.items(Self.files.filter { $0.name.hasPrefix("rlp/") || $0.name.hasPrefix("rpc/") })
        #expect(try encode(items, workers: 1).bytes == encode(items, workers: 2).bytes)
    }

    @Test("parallel jobs return results in job order and pass errors on")
    func parallelJobs() throws {
        let squares = try ParallelJobs.map(50, workers: 2, cost: { $0 % 7 }) { (i: Int) throws(CodecError) -> Int in i * i }
        #expect(squares == (0..<50).map { $0 * $0 })
        #expect(throws: CodecError.self) {
            _ = try ParallelJobs.map(10, workers: 2, cost: { $0 }) { (i: Int) throws(CodecError) -> Int in
                if i == 7 { throw CodecError(operation: "job", reason: "seven") }
                return i
            }
        }
    }

    @Test("bytes decompressed per get: up to the blob's end in a solid frame, the whole blob in a codec frame")
    func decompressedPerGet() throws {
        let items = Self.items(Self.files.filter { $0.name == "rlp/headers.rlp" || $0.name.hasPrefix("etl/blocks") })
        let layout = Segment.Layout(chain: items.map { ChainCodec.detect($0.data) == .rlpHeaders })
        let (bytes, index) = try Segment.encode(items: items, layout: layout, namespace: .default, windowStart: 0, windowEnd: 1,
                                                parameters: .init(level: 3), dictionary: nil)
        for i in items { #expect(try Segment.read(i.id, file: bytes, dictionary: nil) == i.data) }
        for e in index.entries {
            let f = index.frames[Int(e.frame)]
            let expected = f.encoding == .chainCodec ? f.rawLength : e.offset + e.length
            #expect(index.decompressedBytes(for: e) == expected)
        }
        #expect(index.frames.contains { $0.encoding == .chainCodec } && index.frames.contains { $0.encoding != .chainCodec })
    }
}
