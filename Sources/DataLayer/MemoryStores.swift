import Foundation
import Merkle

// In-memory tiers, as raft's MemoryStorage: the same contracts as the SQLite and segment-directory
// ones (every call all-or-nothing, snapshots unchanged by later writes), with no disk, so that
// `DataStore`'s crash-safety protocol can be tested by failing any single call. A "crash" is a call
// that throws; "reopening" is building a new `DataStore` over the same instances.

/// The hot tier in memory. Metadata (stored size and hash, commitment) is computed as
/// `SQLiteHotStore` computes it, so the fingerprints are the same.
public final class MemoryHotStore: HotStore {
    struct State {
        var blobs: [BlobID: (meta: BlobMeta, data: [UInt8])] = [:]
        var height: UInt64 = 0
        var seq: UInt64 = 0
    }
    var state = State()
    public init() {}

    public func put(_ blobs: [(namespace: Namespace, data: [UInt8])], time: Int64) throws(HotStoreError) -> [BlobMeta] {
        var next = state
        next.height += 1
        var out = [BlobMeta]()
        for b in blobs {
            let p = SQLiteHotStore.prepare(namespace: b.namespace, data: b.data)
            if let existing = next.blobs[p.id] { out.append(existing.meta); continue }
            let m = BlobMeta(id: p.id, namespace: b.namespace, height: next.height, sequence: next.seq, time: time, size: UInt64(b.data.count),
                             originalHash: p.hash, storedSize: UInt64(p.stored.count), storedHash: p.storedHash, commitment: p.commitment)
            next.seq += 1
            next.blobs[p.id] = (m, b.data)
            out.append(m)
        }
        state = next
        return out
    }

    public func delete(_ ids: [BlobID]) throws(HotStoreError) { for id in ids { state.blobs[id] = nil } }
    public func snapshot() throws(HotStoreError) -> any HotStoreReader { MemoryHotSnapshot(state) }
    public func get(_ id: BlobID) throws(HotStoreError) -> [UInt8]? { state.blobs[id]?.data }
    public func meta(_ id: BlobID) throws(HotStoreError) -> BlobMeta? { state.blobs[id]?.meta }
    public func list() throws(HotStoreError) -> [BlobMeta] { Self.list(state) }
    public func height() throws(HotStoreError) -> UInt64 { state.height }

    static func list(_ s: State) -> [BlobMeta] {
        s.blobs.values.map(\.meta).sorted { ($0.height, $0.sequence) < ($1.height, $1.sequence) }
    }
}

final class MemoryHotSnapshot: HotStoreReader {
    let state: MemoryHotStore.State
    init(_ state: MemoryHotStore.State) { self.state = state }
    func get(_ id: BlobID) throws(HotStoreError) -> [UInt8]? { state.blobs[id]?.data }
    func meta(_ id: BlobID) throws(HotStoreError) -> BlobMeta? { state.blobs[id]?.meta }
    func list() throws(HotStoreError) -> [BlobMeta] { MemoryHotStore.list(state) }
    func height() throws(HotStoreError) -> UInt64 { state.height }
}

/// The fingerprint log in memory: the same records, leaf hashes and root as `FingerprintLog`.
public final class MemoryFingerprintLog: FingerprintLogStore {
    struct State {
        var entries: [FingerprintLog.Entry] = []
        var byKey: [String: UInt64] = [:]
        var range = CompactRange()
        var hotHeight: UInt64 = 0
    }
    var state = State()
    public init() {}

    static func key(_ f: Fingerprint) -> String { "\(f.blob.hex)/\(f.kind.rawValue)" }

    public func append(_ records: [Fingerprint], coveringHotHeight: UInt64?) throws(FingerprintLog.Error) -> [UInt64] {
        var next = state
        var indices = [UInt64]()
        for r in records {
            if let i = next.byKey[Self.key(r)] { indices.append(i); continue }
            let i = next.range.size
            next.entries.append(FingerprintLog.Entry(index: i, fingerprint: r, leafHash: r.leafHash))
            next.byKey[Self.key(r)] = i
            next.range.append(leafHash: r.leafHash)
            indices.append(i)
        }
        if let h = coveringHotHeight { next.hotHeight = h }
        state = next
        return indices
    }

    public func snapshot() throws(FingerprintLog.Error) -> any FingerprintLogReader { MemoryLogSnapshot(state) }
    public func head() throws(FingerprintLog.Error) -> FingerprintLog.Head { Self.head(state) }
    public func persistedPeaks() throws(FingerprintLog.Error) -> [Digest] { state.range.peaks }
    public func entries(for blob: BlobID) throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { state.entries.filter { $0.fingerprint.blob == blob } }
    public func allEntries() throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { state.entries }
    public func blobs(kind: Fingerprint.Kind) throws(FingerprintLog.Error) -> Set<BlobID> { Self.blobs(state, kind) }
    public func leafHashes() throws(FingerprintLog.Error) -> [Digest] { state.entries.map(\.leafHash) }
    public func covers(hotHeight: UInt64) throws(FingerprintLog.Error) -> Bool { state.hotHeight == hotHeight }

    static func head(_ s: State) -> FingerprintLog.Head { FingerprintLog.Head(size: s.range.size, root: s.range.root) }
    static func blobs(_ s: State, _ kind: Fingerprint.Kind) -> Set<BlobID> { Set(s.entries.filter { $0.fingerprint.kind == kind }.map(\.fingerprint.blob)) }
}

final class MemoryLogSnapshot: FingerprintLogReader {
    let state: MemoryFingerprintLog.State
    init(_ state: MemoryFingerprintLog.State) { self.state = state }
    func head() throws(FingerprintLog.Error) -> FingerprintLog.Head { MemoryFingerprintLog.head(state) }
    func persistedPeaks() throws(FingerprintLog.Error) -> [Digest] { state.range.peaks }
    func entries(for blob: BlobID) throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { state.entries.filter { $0.fingerprint.blob == blob } }
    func allEntries() throws(FingerprintLog.Error) -> [FingerprintLog.Entry] { state.entries }
    func blobs(kind: Fingerprint.Kind) throws(FingerprintLog.Error) -> Set<BlobID> { MemoryFingerprintLog.blobs(state, kind) }
    func leafHashes() throws(FingerprintLog.Error) -> [Digest] { state.entries.map(\.leafHash) }
    func covers(hotHeight: UInt64) throws(FingerprintLog.Error) -> Bool { state.hotHeight == hotHeight }
}

/// The cold archive in memory: content-addressed segments and dictionaries, checked on every read as
/// `SegmentDirectoryArchive` checks its files.
public final class MemoryColdArchive: ColdArchive {
    var segmentBytes: [Digest: [UInt8]] = [:]
    var dictionaries: [Digest: [UInt8]] = [:]
    public init() {}

    public func write(segment bytes: [UInt8]) throws(ColdArchiveError) -> ArchivedSegment {
        let address = SHA256.hash(bytes)
        let index: SegmentIndex
        do { index = try Segment.decodeIndex(file: bytes) } catch { throw .segment(address: address, .format(error)) }
        if segmentBytes[address] == nil { segmentBytes[address] = bytes }
        return ArchivedSegment(address: address, size: UInt64(bytes.count), arweaveDataRoot: ArweaveDataRoot(data: bytes).root, index: index)
    }

    public func write(dictionary bytes: [UInt8]) throws(ColdArchiveError) -> Digest {
        let d = SHA256.hash(bytes)
        dictionaries[d] = bytes
        return d
    }

    public func dictionary(_ digest: Digest) throws(ColdArchiveError) -> [UInt8] {
        guard let d = dictionaries[digest] else { throw .segment(address: digest, .missingDictionary(digest)) }
        return d
    }

    func file(_ address: Digest) throws(ColdArchiveError) -> [UInt8] {
        guard let b = segmentBytes[address] else { throw .missingSegment(address) }
        guard SHA256.hash(b) == address else { throw .addressMismatch(address) }
        return b
    }

    public func index(of address: Digest) throws(ColdArchiveError) -> SegmentIndex {
        let bytes = try file(address)
        do { return try Segment.decodeIndex(file: bytes) } catch { throw .segment(address: address, .format(error)) }
    }

    public func read(_ id: BlobID, from address: Digest) throws(ColdArchiveError) -> [UInt8] {
        let bytes = try file(address)
        let index = try self.index(of: address)
        let dict = try index.dictionary.map { d throws(ColdArchiveError) in try dictionary(d) }
        do { return try Segment.read(id, file: bytes, dictionary: dict) } catch { throw .segment(address: address, error) }
    }

    public func verify(_ address: Digest) throws(ColdArchiveError) -> ArchivedSegment {
        let bytes = try file(address)
        let index = try self.index(of: address)
        let dict = try index.dictionary.map { d throws(ColdArchiveError) in try dictionary(d) }
        for e in index.entries {
            do { _ = try Segment.read(e.id, file: bytes, dictionary: dict) } catch { throw .segment(address: address, error) }
        }
        return ArchivedSegment(address: address, size: UInt64(bytes.count), arweaveDataRoot: ArweaveDataRoot(data: bytes).root, index: index)
    }

    public func segments() throws(ColdArchiveError) -> [Digest] { segmentBytes.keys.sorted() }
    public func size(of address: Digest) -> UInt64 { UInt64(segmentBytes[address]?.count ?? 0) }
    public func dictionaryBytes() -> UInt64 { dictionaries.values.reduce(0) { $0 + UInt64($1.count) } }
    public func remove(_ address: Digest) throws(ColdArchiveError) { segmentBytes[address] = nil }
}
