import Foundation
import Merkle

public enum ColdArchiveError: Error, CustomStringConvertible {
    case storage(StorageError)
    case segment(address: Digest, Segment.ReadError)
    case missingSegment(Digest)
    case addressMismatch(Digest)
    public var description: String {
        switch self {
        case let .storage(e): "cold archive: \(e)"
        case let .segment(a, e): "cold archive: segment \(a.hex): \(e)"
        case let .missingSegment(a): "cold archive: segment \(a.hex) is missing"
        case let .addressMismatch(a): "cold archive: segment \(a.hex) does not hash to its name (corrupt or tampered)"
        }
    }
}

/// A segment as written to the archive.
public struct ArchivedSegment: Sendable {
    /// SHA-256 of the whole file: its content address.
    public var address: Digest
    public var size: UInt64
    /// The Arweave data_root of the file (what an Arweave transaction carrying it would commit to).
    public var arweaveDataRoot: Digest
    public var index: SegmentIndex
}

/// The cold tier: immutable, content-addressed segments and dictionaries. An Arweave gateway (one
/// transaction per segment, tagged with its address) can sit behind this protocol;
/// `SegmentDirectoryArchive` is the embedded default.
public protocol ColdArchive: AnyObject {
    /// Stores a segment durably under its content address (a no-op when it is already there).
    func write(segment bytes: [UInt8]) throws(ColdArchiveError) -> ArchivedSegment
    /// Stores a dictionary durably under its SHA-256.
    func write(dictionary bytes: [UInt8]) throws(ColdArchiveError) -> Digest
    func dictionary(_ digest: Digest) throws(ColdArchiveError) -> [UInt8]
    /// The index of a stored segment (footer and index only are read).
    func index(of address: Digest) throws(ColdArchiveError) -> SegmentIndex
    /// One blob: reads the index and that blob's frame only, verifies frame and blob hashes.
    func read(_ id: BlobID, from address: Digest) throws(ColdArchiveError) -> [UInt8]
    /// Reads the whole segment back, checks it hashes to its address and that every blob decodes to its hash.
    func verify(_ address: Digest) throws(ColdArchiveError) -> ArchivedSegment
    /// Addresses of all stored segments.
    func segments() throws(ColdArchiveError) -> [Digest]
    /// On-disk size of a segment, 0 if absent.
    func size(of address: Digest) -> UInt64
    /// Bytes used by dictionaries.
    func dictionaryBytes() -> UInt64
    /// Removes a segment nothing refers to (garbage from an interrupted migration).
    func remove(_ address: Digest) throws(ColdArchiveError)
}

/// The embedded cold tier: `segments/<sha256>.seg` and `dicts/<sha256>.zdict` under one directory,
/// every file written durably (temp, fsync, rename, fsync directory) and never modified.
public final class SegmentDirectoryArchive: ColdArchive {
    public let root: String
    var segmentDir: String { root + "/segments" }
    var dictDir: String { root + "/dicts" }
    var dictCache: [Digest: [UInt8]] = [:]

    /// - Parameter removeTemporaries: clear `*.tmp` files left by a killed writer; only a process that
    ///   holds the store's writer lock may do this (a reader could delete a live writer's temp file).
    public init(root: String, removeTemporaries: Bool = false) throws(ColdArchiveError) {
        self.root = root
        for d in [root, root + "/segments", root + "/dicts"] {
            do { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) } catch {
                throw .storage(StorageError(path: d, reason: "cannot create directory: \(error.localizedDescription)"))
            }
        }
        if removeTemporaries {
            DurableFile.removeTemporaries(in: segmentDir)
            DurableFile.removeTemporaries(in: dictDir)
        }
    }

    func path(_ a: Digest) -> String { "\(segmentDir)/\(a.hex).seg" }

    public func write(segment bytes: [UInt8]) throws(ColdArchiveError) -> ArchivedSegment {
        let address = SHA256.hash(bytes)
        let index: SegmentIndex
        do { index = try Segment.decodeIndex(file: bytes) } catch { throw .segment(address: address, .format(error)) }
        let p = path(address)
        if !FileManager.default.fileExists(atPath: p) {
            do { try DurableFile.write(bytes, to: p) } catch { throw .storage(error) }
        }
        return ArchivedSegment(address: address, size: UInt64(bytes.count), arweaveDataRoot: ArweaveDataRoot(data: bytes).root, index: index)
    }

    public func write(dictionary bytes: [UInt8]) throws(ColdArchiveError) -> Digest {
        let d = SHA256.hash(bytes)
        let p = "\(dictDir)/\(d.hex).zdict"
        if !FileManager.default.fileExists(atPath: p) {
            do { try DurableFile.write(bytes, to: p) } catch { throw .storage(error) }
        }
        dictCache[d] = bytes
        return d
    }

    public func dictionary(_ digest: Digest) throws(ColdArchiveError) -> [UInt8] {
        if let d = dictCache[digest] { return d }
        let bytes: [UInt8]
        do { bytes = try DurableFile.read("\(dictDir)/\(digest.hex).zdict") } catch {
            throw .segment(address: digest, .missingDictionary(digest))
        }
        guard SHA256.hash(bytes) == digest else { throw .addressMismatch(digest) }
        dictCache[digest] = bytes
        return bytes
    }

    /// Opens a segment and reads its header, footer and index (not its frames).
    func openIndex(_ address: Digest) throws(ColdArchiveError) -> (fd: Int32, index: SegmentIndex) {
        let p = path(address)
        let fd = DurableFile.openRegular(p)
        guard fd >= 0 else {
            if errno == ENOENT { throw .missingSegment(address) }
            throw .storage(.errno(p, "cannot open as a regular file"))
        }
        do {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw ColdArchiveError.storage(.errno(p, "cannot stat")) }
            let size = UInt64(st.st_size)
            guard size >= UInt64(Segment.headerSize + Segment.footerSize) else {
                throw ColdArchiveError.segment(address: address, .format(.truncated(what: "segment", need: Segment.headerSize + Segment.footerSize, have: Int(size))))
            }
            let header = try rd(fd, p, 0, Segment.headerSize)
            let footer = try rd(fd, p, size - UInt64(Segment.footerSize), Segment.footerSize)
            do {
                let codec = try Segment.decodeHeader(header[...])
                let (off, len, hash) = try Segment.decodeFooter(footer[...], fileSize: size)
                let ib = try rd(fd, p, off, Int(len))
                guard SHA256.hash(ib) == hash else { throw FormatError.checksumMismatch(what: "segment index") }
                return (fd, try Segment.decodeIndexBody(ib[...], codec: codec, framesEnd: off))
            } catch let e as FormatError { throw ColdArchiveError.segment(address: address, .format(e)) }
        } catch let e as ColdArchiveError {
            close(fd); throw e
        } catch { close(fd); throw .storage(StorageError(path: p, reason: "\(error)")) }
    }

    func rd(_ fd: Int32, _ p: String, _ off: UInt64, _ n: Int) throws(ColdArchiveError) -> [UInt8] {
        do { return try DurableFile.readRange(fd: fd, path: p, offset: off, count: n) } catch { throw .storage(error) }
    }

    public func index(of address: Digest) throws(ColdArchiveError) -> SegmentIndex {
        let (fd, index) = try openIndex(address)
        close(fd)
        return index
    }

    public func read(_ id: BlobID, from address: Digest) throws(ColdArchiveError) -> [UInt8] {
        let (fd, index) = try openIndex(address)
        defer { close(fd) }
        guard let e = index.entries.first(where: { $0.id == id }) else { throw .segment(address: address, .notInSegment(id)) }
        let f = index.frames[Int(e.frame)]
        let stored = try rd(fd, path(address), f.offset, Int(f.storedLength))
        let dict = try index.dictionary.map { d throws(ColdArchiveError) in try dictionary(d) }
        let raw: [UInt8]
        do { raw = try Segment.decodeFrame(stored[...], frame: f, index: Int(e.frame), dictionary: dict, prefix: Int(e.offset + e.length)) } catch { throw .segment(address: address, error) }
        let blob = Array(raw[Int(e.offset) ..< Int(e.offset + e.length)])
        guard SHA256.hash(blob) == e.originalHash else { throw .segment(address: address, .blobHashMismatch(id)) }
        return blob
    }

    public func verify(_ address: Digest) throws(ColdArchiveError) -> ArchivedSegment {
        let bytes: [UInt8]
        do { bytes = try DurableFile.read(path(address)) } catch {
            if !FileManager.default.fileExists(atPath: path(address)) { throw .missingSegment(address) }
            throw .storage(error)
        }
        guard SHA256.hash(bytes) == address else { throw .addressMismatch(address) }
        let index: SegmentIndex
        do { index = try Segment.decodeIndex(file: bytes) } catch { throw .segment(address: address, .format(error)) }
        let dict = try index.dictionary.map { d throws(ColdArchiveError) in try dictionary(d) }
        for (i, f) in index.frames.enumerated() {
            let raw: [UInt8]
            do { raw = try Segment.decodeFrame(bytes[Int(f.offset) ..< Int(f.offset + f.storedLength)], frame: f, index: i, dictionary: dict) } catch {
                throw .segment(address: address, error)
            }
            for e in index.entries where Int(e.frame) == i {
                guard SHA256.hash(Array(raw[Int(e.offset) ..< Int(e.offset + e.length)])) == e.originalHash else {
                    throw .segment(address: address, .blobHashMismatch(e.id))
                }
            }
        }
        return ArchivedSegment(address: address, size: UInt64(bytes.count), arweaveDataRoot: ArweaveDataRoot(data: bytes).root, index: index)
    }

    public func segments() throws(ColdArchiveError) -> [Digest] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: segmentDir).compactMap { n in
                n.hasSuffix(".seg") ? Digest(hex: String(n.dropLast(4))) : nil
            }.sorted()
        } catch { throw .storage(StorageError(path: segmentDir, reason: "cannot list: \(error.localizedDescription)")) }
    }

    public func size(of address: Digest) -> UInt64 {
        var st = stat()
        return stat(path(address), &st) == 0 ? UInt64(st.st_size) : 0
    }

    public func dictionaryBytes() -> UInt64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dictDir)) ?? []
        return names.filter { $0.hasSuffix(".zdict") }.reduce(0) { acc, n in
            var st = stat()
            return acc + (stat("\(dictDir)/\(n)", &st) == 0 ? UInt64(st.st_size) : 0)
        }
    }

    public func remove(_ address: Digest) throws(ColdArchiveError) {
        guard unlink(path(address)) == 0 || errno == ENOENT else { throw .storage(.errno(path(address), "cannot remove")) }
        do { try DurableFile.syncDirectory(segmentDir) } catch { throw .storage(error) }
    }
}
