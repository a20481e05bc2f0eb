import ChainCodec
import Foundation
import Merkle

/// How a segment's frames are encoded. The id is written in every segment header, so a later codec
/// (e.g. a chain-aware one) can be added without touching old segments; a reader refuses ids it does
/// not know with `FormatError.unknownCodec`.
public struct SegmentCodec: Hashable, Sendable, CustomStringConvertible {
    public let id: UInt16
    public let version: UInt16
    /// Frames are zstd frames (optionally with a per-namespace dictionary) or stored raw.
    public static let zstdFrames = SegmentCodec(id: 1, version: 1)
    public static let known: [SegmentCodec] = [.zstdFrames]
    public var description: String { id == 1 ? "zstd-frames/\(version)" : "codec-\(id)/\(version)" }
}

/// One compressed unit of a segment: whole blobs, concatenated, then compressed together (so zstd
/// sees redundancy across blobs), small enough that reading one blob decompresses only its frame.
public struct SegmentFrame: Equatable, Sendable {
    /// `chainCodec`: the frame is one blob in a ChainCodec container (issue #5's chain-aware codec, which
    /// names its own transform and version inside), used for content it recognises and beats zstd on.
    public enum Encoding: UInt8, Sendable { case stored = 0, zstd = 1, zstdWithDictionary = 2, chainCodec = 3 }
    /// Byte offset of the stored frame in the segment file.
    public var offset: UInt64
    public var storedLength: UInt64
    public var rawLength: UInt64
    public var encoding: Encoding
    /// SHA-256 of the stored (compressed) bytes.
    public var storedHash: Digest
}

/// Where one blob sits inside a segment (entries are in arrival order).
public struct SegmentEntry: Equatable, Sendable {
    public var id: BlobID
    public var height: UInt64
    public var time: Int64
    public var frame: UInt32
    /// Offset and length within the frame's raw (decompressed) bytes.
    public var offset: UInt64
    public var length: UInt64
    /// SHA-256 of the blob's original bytes.
    public var originalHash: Digest
}

/// The index of a segment: what it holds and where. Encoded after the frames (see docs/archive-format.md).
public struct SegmentIndex: Equatable, Sendable {
    public var codec: SegmentCodec
    public var namespace: Namespace
    public var windowStart: Int64
    public var windowEnd: Int64
    /// SHA-256 of the dictionary the zstd frames need, if any (stored beside the segments).
    public var dictionary: Digest?
    public var parameters: Zstd.Parameters
    public var frames: [SegmentFrame]
    public var entries: [SegmentEntry]

    public var rawBytes: UInt64 { entries.reduce(0) { $0 + $1.length } }

    /// The bytes a `get` of this entry decompresses: a zstd (or stored) frame up to the blob's end, as
    /// reads decode only a frame's prefix; a chain-codec frame whole (it holds the one blob).
    public func decompressedBytes(for e: SegmentEntry) -> UInt64 {
        frames[Int(e.frame)].encoding == .chainCodec ? frames[Int(e.frame)].rawLength : e.offset + e.length
    }
}

/// A segment file: `header ‖ frames ‖ index ‖ footer`. Immutable once written; its name in the archive
/// is the SHA-256 of all its bytes.
public enum Segment {
    public static let magic: [UInt8] = Array("CALDSEG1".utf8)
    public static let footerMagic: [UInt8] = Array("CALDSEGE".utf8)
    public static let formatVersion: UInt16 = 1
    public static let headerSize = 16
    public static let footerSize = 8 + 8 + 32 + 8
    static let frameRecordSize = 8 + 8 + 8 + 1 + 32
    static let entryRecordSize = 32 + 8 + 8 + 4 + 8 + 8 + 32
    /// Bytes a segment spends besides its frames: header, footer and index (fixed part, one record per
    /// frame and per blob). The segment writer's bound: a segment is at most `zstd -19 --long=27` over
    /// its blobs' concatenation plus this (with one solid frame per 32 MiB of blobs).
    public static func overhead(frames: Int, entries: Int) -> Int {
        headerSize + footerSize + indexFixedSize + frames * (frameRecordSize + frameHeaderAllowance) + entries * entryRecordSize
    }
    /// A zstd frame made through the library can be a byte or two longer than the CLI's of the same
    /// bytes (its header fields): 8 bytes per frame cover that.
    static let frameHeaderAllowance = 8
    static let indexFixedSize = Namespace.size + 8 + 8 + 1 + 32 + 1 + 1 + 1 + 4 + 4
    /// Format limits a decoder enforces before allocating.
    public static let maxFrameRawLength: UInt64 = 1 << 31
    public static let maxFrames = 1 << 20
    public static let maxEntries = 1 << 24

    /// Input to `encode`: a blob with its metadata.
    public struct Item: Sendable {
        public var id: BlobID
        public var height: UInt64
        public var time: Int64
        public var data: [UInt8]
        public init(id: BlobID, height: UInt64, time: Int64, data: [UInt8]) { self.id = id; self.height = height; self.time = time; self.data = data }
    }

    /// Groups items (in the given order) into frames of about `frameTarget` raw bytes; a blob is never split.
    public static func frameGroups(sizes: [Int], frameTarget: Int) -> [Range<Int>] {
        var groups = [Range<Int>](), start = 0, acc = 0
        for (i, s) in sizes.enumerated() {
            if acc > 0 && acc + s > frameTarget { groups.append(start ..< i); start = i; acc = 0 }
            acc += s
        }
        if start < sizes.count { groups.append(start ..< sizes.count) }
        return groups
    }

    /// How the segment writer chooses an encoding per blob and how hard it compresses
    /// (docs/archive-format.md, "Choosing an encoding"). The thresholds were set on the tune part of the
    /// corpus (ethereumjs, op-batcher-calldata; docs/benchmarks-data.md).
    public struct EncodingChoice: Sendable, Equatable {
        /// zstd level of the chain codec's columns, for blobs the codec takes.
        public var chainLevel: Int
        /// zstd level of the trial compressions the choice is made on (fast).
        public var estimateLevel: Int
        /// Trial ratio (codec / zstd of the blob alone, per mille) at or below which the codec takes a
        /// binary blob (era1, RLP headers) on the trial alone: a clear win.
        public var clearPerMille: Int
        /// Trial ratio below which a text blob, or a binary one that is not a clear win, is encoded both
        /// ways at the real levels and the smaller kept (the codec's archive is then the one stored);
        /// at or above it, zstd without more work.
        public var closePerMille: Int
        /// Added (per mille of its zstd trial) to a clear blob's codec trial as its expected size: the
        /// ratio drifts by up to 0.026 between the trial and the real levels on the tune part's binary
        /// blobs. The codec blobs' expected total must stay below what they add to the solid frames,
        /// or every blob stays solid: blobs that repeat each other's content are cheaper in one
        /// long-window frame than in codec frames of their own.
        public var slackPerMille: Int
        /// zstd level of the trial of the solid frames with and without the codec blobs.
        public var groupLevel: Int
        /// Margin (per mille) the codec frames must keep over what their blobs add to that trial.
        public var groupMarginPerMille: Int
        /// Threads encoding frames at once (frames are independent).
        public var workers: Int
        public init(chainLevel: Int = 12, estimateLevel: Int = 3, clearPerMille: Int = 850, closePerMille: Int = 970, slackPerMille: Int = 50,
                    groupLevel: Int = 9, groupMarginPerMille: Int = 30, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
            self.chainLevel = chainLevel; self.estimateLevel = estimateLevel
            self.clearPerMille = clearPerMille; self.closePerMille = closePerMille; self.slackPerMille = slackPerMille
            self.groupLevel = groupLevel; self.groupMarginPerMille = groupMarginPerMille
            self.workers = max(1, workers)
        }
    }

    /// Which blobs of a segment go into chain-codec frames of their own; the others share solid zstd frames.
    public struct Layout: Equatable, Sendable {
        public var chain: [Bool]
        /// Codec archives already made at the real level while choosing (close calls), by blob index.
        public var prepared: [Int: [UInt8]] = [:]
        public init(chain: [Bool], prepared: [Int: [UInt8]] = [:]) { self.chain = chain; self.prepared = prepared }
        public static func solid(_ count: Int) -> Layout { Layout(chain: [Bool](repeating: false, count: count)) }
    }

    /// Encodes a segment: pure (same inputs, same bytes), so a re-run after a crash rebuilds the same
    /// content-addressed file.
    ///
    /// Each blob is compressed by the encoding a trial chose for it (`layout`): blobs the chain-aware
    /// codec shrinks clearly more than zstd get a codec frame of their own, unless the segment as solid
    /// zstd frames (long window across all its blobs, as `zstd -19 --long=27` over their concatenation)
    /// comes out smaller — which happens when blobs repeat each other's content.
    public static func encode(items: [Item], namespace: Namespace, windowStart: Int64, windowEnd: Int64,
                              parameters: Zstd.Parameters, dictionary: [UInt8]?, frameTarget: Int = 32 << 20,
                              choice: EncodingChoice = EncodingChoice()) throws(CodecError) -> (bytes: [UInt8], index: SegmentIndex) {
        let plan = try layout(items: items, parameters: parameters, frameTarget: frameTarget, choice: choice)
        return try encode(items: items, layout: plan, namespace: namespace, windowStart: windowStart, windowEnd: windowEnd,
                          parameters: parameters, dictionary: dictionary, frameTarget: frameTarget, choice: choice)
    }

    /// The choice behind `encode`. Per blob the codec has a transform for: the codec's archive and zstd
    /// of the blob alone at `choice.estimateLevel` — a clear win goes to the codec, a clear loss to zstd,
    /// and a close call is settled exactly at the real levels. Then the codec blobs' expected size
    /// against what they add to the solid frames (every blob solid minus the rest solid, at
    /// `choice.groupLevel`, scaled to the real level).
    public static func layout(items: [Item], parameters: Zstd.Parameters, frameTarget: Int = 32 << 20,
                              choice: EncodingChoice = EncodingChoice()) throws(CodecError) -> Layout {
        let candidates = items.indices.filter { ChainCodec.hasTransformCandidate(items[$0].data) }
        guard !candidates.isEmpty else { return .solid(items.count) }
        let trial = Zstd.Parameters(level: choice.estimateLevel, windowLog: parameters.windowLog, longDistanceMatching: parameters.longDistanceMatching)
        // A codec blob's expected stored size, its archive when it was made at the real level, and (to
        // scale the group trial to the real level) zstd of the blob alone at the group level and as
        // expected at the real level (measured for close calls; the group level's for binary blobs,
        // whose zstd sizes change little between levels).
        enum Verdict { case codec(expected: Int, archive: [UInt8]?, zstdGroup: Int, zstdReal: Int), zstd }
        let group = Zstd.Parameters(level: choice.groupLevel, windowLog: parameters.windowLog, longDistanceMatching: parameters.longDistanceMatching)
        let verdicts = try ParallelJobs.map(candidates.count, workers: choice.workers, cost: { items[candidates[$0]].data.count }) { k throws(CodecError) -> Verdict in
            let data = items[candidates[k]].data
            guard let c = ChainCodec.encodeTransformed(data, level: Int32(clamping: choice.estimateLevel))?.count else { return .zstd }
            let z = try Zstd.compress(data, parameters: trial).count
            // Text (JSON, hex) compresses much better at level 19 than at the trial level while the
            // codec's columns hardly do, by up to 0.16 of the ratio on the tune part and the synthetic
            // exports: only binary transforms (era1, RLP headers; ≤ 0.03) are decided on the trial.
            let binary = [ChainCodec.Kind.era1, .rlpHeaders].contains(ChainCodec.detect(data))
            if binary && c * 1000 <= z * choice.clearPerMille {
                let g = try Zstd.compress(data, parameters: group).count
                return .codec(expected: c + z * choice.slackPerMille / 1000, archive: nil, zstdGroup: g, zstdReal: g)
            }
            guard c * 1000 < z * choice.closePerMille,
                  let archive = ChainCodec.encodeTransformed(data, level: Int32(clamping: choice.chainLevel)) else { return .zstd }
            let real = try Zstd.compress(data, parameters: parameters).count
            guard archive.count < real else { return .zstd }
            return .codec(expected: archive.count, archive: archive, zstdGroup: try Zstd.compress(data, parameters: group).count, zstdReal: real)
        }
        var layout = Layout.solid(items.count)
        var expected = 0, zstdGroup = 0, zstdReal = 0
        for (k, i) in candidates.enumerated() {
            guard case let .codec(e, archive, g, r) = verdicts[k] else { continue }
            layout.chain[i] = true
            layout.prepared[i] = archive
            expected += e; zstdGroup += g; zstdReal += r
        }
        guard layout.chain.contains(true) else { return layout }
        // What the codec blobs add to the solid frames, at a level that finds the long-range matches
        // level 19 finds (level 3 finds about a third of them between an era1 file and its RLP),
        // scaled to the real level by the blobs' own zstd sizes at both levels.
        let all = try solidTrial(items: items, layout: .solid(items.count), trial: group, frameTarget: frameTarget, workers: choice.workers)
        let rest = try solidTrial(items: items, layout: layout, trial: group, frameTarget: frameTarget, workers: choice.workers)
        return expected * zstdGroup * 1000 <= (all - rest) * zstdReal * (1000 - choice.groupMarginPerMille) ? layout : .solid(items.count)
    }

    /// Total size of the solid frames `layout` makes, compressed with the trial parameters.
    static func solidTrial(items: [Item], layout: Layout, trial: Zstd.Parameters, frameTarget: Int, workers: Int) throws(CodecError) -> Int {
        let groups = solidGroups(items: items, layout: layout, frameTarget: frameTarget)
        return try ParallelJobs.map(groups.count, workers: workers, cost: { groups[$0].reduce(0) { $0 + items[$1].data.count } }) { g throws(CodecError) in
            try Zstd.compress(groups[g].flatMap { items[$0].data }, parameters: trial).count
        }.reduce(0, +)
    }

    /// The blobs that share solid frames, in arrival order, cut into frames of about `frameTarget` raw bytes.
    static func solidGroups(items: [Item], layout: Layout, frameTarget: Int) -> [[Int]] {
        let solid = items.indices.filter { !layout.chain[$0] }
        return frameGroups(sizes: solid.map { items[$0].data.count }, frameTarget: frameTarget).map { Array(solid[$0]) }
    }

    /// Encodes a segment with the given layout: the solid frames first (every blob not in a codec frame,
    /// in arrival order), then one chain-codec frame per codec blob; entries stay in arrival order. The
    /// frames are compressed in parallel (`choice.workers`).
    public static func encode(items: [Item], layout: Layout, namespace: Namespace, windowStart: Int64, windowEnd: Int64,
                              parameters: Zstd.Parameters, dictionary: [UInt8]?, frameTarget: Int = 32 << 20,
                              choice: EncodingChoice = EncodingChoice()) throws(CodecError) -> (bytes: [UInt8], index: SegmentIndex) {
        precondition(layout.chain.count == items.count, "a layout names every blob")
        let groups = solidGroups(items: items, layout: layout, frameTarget: frameTarget) + items.indices.filter { layout.chain[$0] }.map { [$0] }
        let solidCount = groups.count - layout.chain.filter { $0 }.count
        let frames = try ParallelJobs.map(groups.count, workers: choice.workers, cost: { groups[$0].reduce(0) { $0 + items[$1].data.count } }) { g throws(CodecError) -> (SegmentFrame.Encoding, [UInt8]) in
            if g >= solidCount, let archive = layout.prepared[groups[g][0]] ?? ChainCodec.encodeTransformed(items[groups[g][0]].data, level: Int32(clamping: choice.chainLevel)) {
                return (.chainCodec, archive)
            }
            // A solid frame, or a codec blob whose transform failed its verification at this level: zstd.
            let raw = groups[g].flatMap { items[$0].data }
            let stored = try Zstd.compress(raw, parameters: parameters, dictionary: dictionary)
            if stored.count >= raw.count { return (.stored, raw) }
            return (dictionary == nil ? .zstd : .zstdWithDictionary, stored)
        }
        var w = ByteWriter(endianness: .little)
        w.raw(magic); w.u16(formatVersion); w.u16(SegmentCodec.zstdFrames.id); w.u16(SegmentCodec.zstdFrames.version); w.u16(0)
        var records = [SegmentFrame](), placed = [Int: (frame: Int, offset: Int)]()
        for (g, (encoding, stored)) in frames.enumerated() {
            var offset = 0
            for i in groups[g] { placed[i] = (g, offset); offset += items[i].data.count }
            records.append(SegmentFrame(offset: UInt64(w.bytes.count), storedLength: UInt64(stored.count), rawLength: UInt64(offset),
                                        encoding: encoding, storedHash: SHA256.hash(stored)))
            w.raw(stored)
        }
        let entries = items.indices.map { i in
            SegmentEntry(id: items[i].id, height: items[i].height, time: items[i].time, frame: UInt32(placed[i]!.frame),
                         offset: UInt64(placed[i]!.offset), length: UInt64(items[i].data.count), originalHash: SHA256.hash(items[i].data))
        }
        let index = SegmentIndex(codec: .zstdFrames, namespace: namespace, windowStart: windowStart, windowEnd: windowEnd,
                                 dictionary: dictionary.map { SHA256.hash($0) }, parameters: parameters, frames: records, entries: entries)
        let indexOffset = w.bytes.count
        let indexBytes = encodeIndex(index)
        w.raw(indexBytes)
        w.u64(UInt64(indexOffset)); w.u64(UInt64(indexBytes.count)); w.digest(SHA256.hash(indexBytes)); w.raw(footerMagic)
        return (w.bytes, index)
    }

    static func encodeIndex(_ x: SegmentIndex) -> [UInt8] {
        var w = ByteWriter(endianness: .little)
        w.raw(x.namespace.bytes)
        w.i64(x.windowStart); w.i64(x.windowEnd)
        w.u8(x.dictionary == nil ? 0 : 1); w.digest(x.dictionary ?? .zero)
        w.u8(UInt8(clamping: x.parameters.level)); w.u8(UInt8(clamping: x.parameters.windowLog)); w.u8(x.parameters.longDistanceMatching ? 1 : 0)
        w.u32(UInt32(x.frames.count))
        for f in x.frames { w.u64(f.offset); w.u64(f.storedLength); w.u64(f.rawLength); w.u8(f.encoding.rawValue); w.digest(f.storedHash) }
        w.u32(UInt32(x.entries.count))
        for e in x.entries {
            w.digest(e.id.digest); w.u64(e.height); w.i64(e.time); w.u32(e.frame); w.u64(e.offset); w.u64(e.length); w.digest(e.originalHash)
        }
        return w.bytes
    }

    /// Decodes the header and footer of a whole segment file and returns its index. Checks every
    /// length, offset and count; never traps on corrupt input.
    public static func decodeIndex(file: [UInt8]) throws(FormatError) -> SegmentIndex {
        guard file.count >= headerSize + footerSize else { throw .truncated(what: "segment", need: headerSize + footerSize, have: file.count) }
        let codec = try decodeHeader(file.prefix(headerSize))
        let (indexOffset, indexLength, indexHash) = try decodeFooter(file.suffix(footerSize), fileSize: UInt64(file.count))
        let indexBytes = file[Int(indexOffset) ..< Int(indexOffset + indexLength)]
        guard SHA256.hash(Array(indexBytes)) == indexHash else { throw .checksumMismatch(what: "segment index") }
        return try decodeIndexBody(indexBytes, codec: codec, framesEnd: indexOffset)
    }

    /// The 16-byte header: magic, format version, codec id and version.
    public static func decodeHeader(_ bytes: ArraySlice<UInt8>) throws(FormatError) -> SegmentCodec {
        var r = ByteReader(bytes, what: "segment header")
        guard Array(try r.take(8, "magic")) == magic else { throw .badMagic(what: "segment header") }
        let version = try r.u16("format version")
        guard version == formatVersion else { throw .unsupportedVersion(what: "segment", version: Int(version)) }
        let codec = SegmentCodec(id: try r.u16("codec id"), version: try r.u16("codec version"))
        guard SegmentCodec.known.contains(codec) else { throw .unknownCodec(id: Int(codec.id)) }
        _ = try r.u16("reserved")
        return codec
    }

    /// The footer (last 56 bytes): where the index is and its hash.
    public static func decodeFooter(_ bytes: ArraySlice<UInt8>, fileSize: UInt64) throws(FormatError) -> (UInt64, UInt64, Digest) {
        var r = ByteReader(bytes, what: "segment footer")
        let offset = try r.u64("index offset"), length = try r.u64("index length"), hash = try r.digest("index hash")
        guard Array(try r.take(8, "magic")) == footerMagic else { throw .badMagic(what: "segment footer") }
        // Checked in this order so that no subtraction can underflow.
        guard fileSize >= UInt64(headerSize + footerSize), offset >= UInt64(headerSize), length <= fileSize - UInt64(footerSize),
              offset <= fileSize - UInt64(footerSize) - length, offset + length == fileSize - UInt64(footerSize) else {
            throw .inconsistent("segment footer places the index at \(offset)+\(length) in a file of \(fileSize) bytes")
        }
        return (offset, length, hash)
    }

    static func decodeIndexBody(_ bytes: ArraySlice<UInt8>, codec: SegmentCodec, framesEnd: UInt64) throws(FormatError) -> SegmentIndex {
        var r = ByteReader(bytes, what: "segment index")
        guard let ns = Namespace(bytes: Array(try r.take(Namespace.size, "namespace"))) else { throw .inconsistent("namespace") }
        let ws = try r.i64("window start"), we = try r.i64("window end")
        let hasDict = try r.u8("dictionary flag")
        guard hasDict <= 1 else { throw .inconsistent("dictionary flag \(hasDict) is neither 0 nor 1") }
        let dict = try r.digest("dictionary hash")
        let level = Int(try r.u8("level")), wlog = Int(try r.u8("window log")), ldm = try r.u8("ldm flag")
        let frameCount = Int(try r.u32("frame count"))
        guard frameCount <= maxFrames, frameCount * frameRecordSize <= r.remaining else {
            throw .limitExceeded(what: "segment frame count", value: UInt64(frameCount), limit: UInt64(min(maxFrames, r.remaining / frameRecordSize)))
        }
        var frames = [SegmentFrame]()
        var expectedOffset = UInt64(headerSize)
        for i in 0..<frameCount {
            let off = try r.u64("frame offset"), len = try r.u64("frame length"), raw = try r.u64("frame raw length")
            guard let enc = SegmentFrame.Encoding(rawValue: try r.u8("frame encoding")) else { throw .inconsistent("frame \(i) has an unknown encoding") }
            let h = try r.digest("frame hash")
            guard off == expectedOffset, len <= framesEnd - off else {
                throw .inconsistent("frame \(i) at \(off)+\(len) is not where the previous frame ends (\(expectedOffset)) or runs past the frames")
            }
            guard raw <= maxFrameRawLength else { throw .limitExceeded(what: "frame \(i) raw length", value: raw, limit: maxFrameRawLength) }
            guard enc != .stored || raw == len else { throw .inconsistent("stored frame \(i) has raw length \(raw) ≠ stored length \(len)") }
            guard enc != .zstdWithDictionary || hasDict == 1 else { throw .inconsistent("frame \(i) needs a dictionary the segment does not name") }
            frames.append(SegmentFrame(offset: off, storedLength: len, rawLength: raw, encoding: enc, storedHash: h))
            expectedOffset = off + len
        }
        guard expectedOffset == framesEnd else { throw .inconsistent("frames end at \(expectedOffset), the index starts at \(framesEnd)") }
        let entryCount = Int(try r.u32("entry count"))
        guard entryCount <= maxEntries, entryCount * entryRecordSize == r.remaining else {
            throw .inconsistent("entry count \(entryCount) does not match the \(r.remaining) index bytes left")
        }
        var entries = [SegmentEntry]()
        entries.reserveCapacity(entryCount)
        for i in 0..<entryCount {
            let id = BlobID(digest: try r.digest("blob id")), h = try r.u64("height"), t = try r.i64("time")
            let f = try r.u32("frame"), off = try r.u64("offset"), len = try r.u64("length"), oh = try r.digest("original hash")
            guard Int(f) < frames.count else { throw .inconsistent("entry \(i) names frame \(f) of \(frames.count)") }
            guard off <= frames[Int(f)].rawLength, len <= frames[Int(f)].rawLength - off else {
                throw .inconsistent("entry \(i) at \(off)+\(len) runs past its frame's \(frames[Int(f)].rawLength) bytes")
            }
            entries.append(SegmentEntry(id: id, height: h, time: t, frame: f, offset: off, length: len, originalHash: oh))
        }
        try r.finish()
        return SegmentIndex(codec: codec, namespace: ns, windowStart: ws, windowEnd: we, dictionary: hasDict == 1 ? dict : nil,
                            parameters: Zstd.Parameters(level: level, windowLog: wlog, longDistanceMatching: ldm == 1),
                            frames: frames, entries: entries)
    }

    /// Why a blob could not be read back from a segment.
    public enum ReadError: Error, Equatable, Sendable, CustomStringConvertible {
        case format(FormatError)
        case codec(CodecError)
        case chainCodec(String)
        case frameHashMismatch(frame: Int)
        case blobHashMismatch(BlobID)
        case missingDictionary(Digest)
        case notInSegment(BlobID)
        public var description: String {
            switch self {
            case let .format(e): "\(e)"
            case let .codec(e): "\(e)"
            case let .chainCodec(m): "chain codec: \(m)"
            case let .frameHashMismatch(f): "frame \(f): its bytes do not hash to the index's SHA-256 (corrupt)"
            case let .blobHashMismatch(id): "blob \(id): decompressed bytes do not hash to the original's SHA-256"
            case let .missingDictionary(d): "the segment needs dictionary \(d.hex), which is not in the archive"
            case let .notInSegment(id): "blob \(id) is not in this segment"
            }
        }
    }

    /// Decodes one frame's raw bytes (or only its first `prefix` bytes), checking the stored bytes' hash first.
    public static func decodeFrame(_ stored: ArraySlice<UInt8>, frame: SegmentFrame, index: Int, dictionary: [UInt8]?, prefix: Int? = nil) throws(ReadError) -> [UInt8] {
        guard stored.count == Int(frame.storedLength) else { throw .format(.truncated(what: "frame \(index)", need: Int(frame.storedLength), have: stored.count)) }
        guard SHA256.hash(Array(stored)) == frame.storedHash else { throw .frameHashMismatch(frame: index) }
        if frame.encoding == .stored { return Array(stored) }
        if frame.encoding == .chainCodec { // one blob: decoded whole, its own SHA-256 checked inside
            let out: [UInt8]
            do { out = try ChainCodec.decode(Array(stored), maxOutputBytes: Int(frame.rawLength)) } catch { throw .chainCodec("\(error)") }
            guard out.count == Int(frame.rawLength) else { throw .chainCodec("decoded \(out.count) bytes, the index says \(frame.rawLength)") }
            return out
        }
        if frame.encoding == .zstdWithDictionary && dictionary == nil { throw .missingDictionary(.zero) }
        let dict = frame.encoding == .zstdWithDictionary ? dictionary : nil
        do {
            if let prefix, prefix < Int(frame.rawLength) {
                return try Zstd.decompressPrefix(Array(stored), prefixSize: prefix, dictionary: dict)
            }
            return try Zstd.decompress(Array(stored), expectedSize: Int(frame.rawLength), dictionary: dict)
        } catch { throw .codec(error) }
    }

    /// Reads one blob out of a whole segment file: decompresses only its frame, verifies frame and blob hashes.
    public static func read(_ id: BlobID, file: [UInt8], dictionary: [UInt8]?) throws(ReadError) -> [UInt8] {
        let index: SegmentIndex
        do { index = try decodeIndex(file: file) } catch { throw .format(error) }
        guard let e = index.entries.first(where: { $0.id == id }) else { throw .notInSegment(id) }
        let f = index.frames[Int(e.frame)]
        let raw = try decodeFrame(file[Int(f.offset) ..< Int(f.offset + f.storedLength)], frame: f, index: Int(e.frame), dictionary: dictionary)
        let blob = Array(raw[Int(e.offset) ..< Int(e.offset + e.length)])
        guard SHA256.hash(blob) == e.originalHash else { throw .blobHashMismatch(id) }
        return blob
    }
}
