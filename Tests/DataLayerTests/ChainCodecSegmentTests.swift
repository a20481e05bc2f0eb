import Foundation
import TestSupport
import Testing
@testable import DataLayer

/// The cold archive uses the chain-aware codec for blobs it recognises, keeping whichever segment is smaller.
@Suite(.enabled(if: SharedData.exists("corpus/go-ethereum/sepolia-00021-b8814b14.headers.rlp"), "needs ../shared/corpus (or $CALDERA_SHARED)"))
struct ChainCodecSegmentTests {
    func item(_ rel: String, _ ns: Namespace = .default) throws -> Segment.Item {
        let data = [UInt8](try Data(contentsOf: SharedData.url(rel)))
        return Segment.Item(id: BlobID(namespace: ns, data: data), height: 1, time: 0, data: data)
    }

    @Test func headersAloneGoThroughTheChainCodecAndReadBack() throws {
        let h = try item("corpus/go-ethereum/sepolia-00021-b8814b14.headers.rlp")
        let params = Zstd.Parameters(level: 3, windowLog: 27, longDistanceMatching: true)
        let (bytes, index) = try Segment.encode(items: [h], namespace: .default, windowStart: 0, windowEnd: 1, parameters: params, dictionary: nil)
        #expect(index.frames.map(\.encoding) == [.chainCodec])
        let plain = try Zstd.compress(h.data, parameters: params)
        #expect(bytes.count < plain.count, "the codec beats zstd on headers")
        #expect(try Segment.read(h.id, file: bytes, dictionary: nil) == h.data)
    }

    @Test func mixedSegmentsKeepTheSmallerEncodingAndReadBack() throws {
        let items = [try item("corpus/go-ethereum/sepolia-00021-b8814b14.era1"),
                     try item("corpus/go-ethereum/sepolia-00021-b8814b14.headers.rlp"),
                     try item("corpus/go-ethereum/block_capella.json")]
        let params = Zstd.Parameters(level: 3, windowLog: 27, longDistanceMatching: true)
        let (bytes, _) = try Segment.encode(items: items, namespace: .default, windowStart: 0, windowEnd: 1, parameters: params, dictionary: nil)
        let plain = try Segment.encode(items: items, layout: .solid(items.count), namespace: .default,
                                       windowStart: 0, windowEnd: 1, parameters: params, dictionary: nil)
        #expect(bytes.count <= plain.bytes.count)
        for i in items { #expect(try Segment.read(i.id, file: bytes, dictionary: nil) == i.data) }
    }
}
