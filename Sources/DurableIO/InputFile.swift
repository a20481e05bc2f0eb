import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading a command's input: a regular file, a pipe or standard input ("-"), always against a limit.
/// A regular file larger than the limit is refused from its size before a byte is read; a stream is read
/// in chunks and refused as soon as it passes the limit, so `/dev/zero` or a runaway pipe costs at most
/// the limit, and peak memory stays within about twice what is kept.
public enum InputFile {
    /// Refuses directories. A FIFO's open waits for its writer, as `cat`'s does (a pipe is a legitimate
    /// input); every read after that is bounded by the caller's limit.
    public static func open(_ path: String) throws(StorageError) -> Int32 {
        if path == "-" { return 0 }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .errno(path, "cannot open") }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw StorageError(path: path, reason: "is a directory")
        }
        return fd
    }

    /// The whole input, at most `limit` bytes. Errors call "-" "standard input".
    public static func read(_ path: String, limit: Int) throws(StorageError) -> [UInt8] {
        let name = path == "-" ? "standard input" : path
        let fd = try open(path)
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG {
            guard Int(st.st_size) <= limit else {
                throw StorageError(path: name, reason: "is \(st.st_size) bytes; at most \(limit) are accepted here")
            }
            // Files under /proc report size 0 and still have content: read those as a stream.
            if st.st_size > 0 { return try readRegular(fd: fd, size: Int(st.st_size), name: name) }
        }
        // A stream of unknown length: chunks, refused as soon as they pass the limit (nothing is copied
        // until the end, so an endless stream costs the limit, a finished one about twice its size).
        var chunks = [[UInt8]]()
        var total = 0
        try forEachChunk(fd: fd, name: name) { chunk throws(StorageError) in
            total += chunk.count
            guard total <= limit else { throw StorageError(path: name, reason: "is larger than \(limit) bytes; at most that is accepted here") }
            chunks.append(Array(chunk))
        }
        if chunks.count == 1 { return chunks[0] }
        var out = [UInt8]()
        out.reserveCapacity(total)
        for c in chunks { out += c }
        return out
    }

    /// A regular file in one allocation of its size; a file that grows while it is read is an error.
    static func readRegular(fd: Int32, size: Int, name: String) throws(StorageError) -> [UInt8] {
        var failure: StorageError?
        let out = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let n = Glibc.read(fd, buffer.baseAddress! + count, size - count)
                if n < 0 { if errno == EINTR { continue }; failure = .errno(name, "cannot read"); return }
                if n == 0 { failure = StorageError(path: name, reason: "shrank while it was read"); return }
                count += n
            }
        }
        if let failure { throw failure }
        var extra: UInt8 = 0
        if Glibc.read(fd, &extra, 1) > 0 { throw StorageError(path: name, reason: "grew while it was read") }
        return out
    }

    /// Calls `body` with successive chunks of the input (at most 1 MiB each) until end of input: for
    /// formats that can be consumed as a stream (one hex line per leaf), so memory does not grow with it.
    public static func stream(_ path: String, _ body: (UnsafeRawBufferPointer) throws(StorageError) -> Void) throws(StorageError) {
        let name = path == "-" ? "standard input" : path
        let fd = try open(path)
        defer { if fd != 0 { close(fd) } }
        try forEachChunk(fd: fd, name: name, body)
    }

    static func forEachChunk(fd: Int32, name: String, _ body: (UnsafeRawBufferPointer) throws(StorageError) -> Void) throws(StorageError) {
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress!, size)
            if n == 0 { return }
            if n < 0 {
                if errno == EINTR { continue }
                throw .errno(name, "cannot read")
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0 ..< n]))
        }
    }
}

/// Standard output and standard error, written with every error checked: a full disk, a closed pipe or
/// `/dev/full` is an error the caller reports, not a trap (FileHandle.write) or a silent loss (print).
public enum StandardStreams {
    /// Writes all of `bytes` to file descriptor `fd`.
    public static func write(_ bytes: UnsafeRawBufferPointer, fd: Int32 = 1) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .errno(fd == 1 ? "standard output" : "standard error", "cannot write")
            }
            done += n
        }
    }

    public static func write(_ bytes: [UInt8], fd: Int32 = 1) throws(StorageError) {
        let result = bytes.withUnsafeBytes { b in Result { () throws(StorageError) in try write(b, fd: fd) } }
        try result.get()
    }

    public static func write(_ text: String, fd: Int32 = 1) throws(StorageError) {
        try write(Array(text.utf8), fd: fd)
    }
}
