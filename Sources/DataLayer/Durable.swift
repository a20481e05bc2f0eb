import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a file operation failed, with the path and the system's reason.
public struct StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    static func errno(_ path: String, _ what: String) -> StorageError {
        StorageError(path: path, reason: "\(what): \(String(cString: strerror(Foundation.errno)))")
    }
}

/// Durable file writes: temp file in the same directory, write, fsync, rename over the name, fsync the
/// directory. After `write` returns, the file survives a crash or power cut with exactly these bytes;
/// before it returns, the name is either absent or holds its previous bytes. Leftover `*.tmp` files
/// from a crash are garbage that `removeTemporaries` clears.
public enum DurableFile {
    /// - Parameter mode: permissions of the new file (archive files are read-only, 0444).
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o444) throws(StorageError) {
        let parent = (path as NSString).deletingLastPathComponent
        let dir = parent.isEmpty ? "." : parent // a bare file name lives in the current directory
        // Renaming over a device, FIFO or symlink would replace it with a regular file: refuse instead.
        var st = stat()
        if lstat(path, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
            throw StorageError(path: path, reason: "exists and is not a regular file; refusing to replace it")
        }
        let tmp = path + ".\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .errno(tmp, "cannot create") }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 { if errno == EINTR { continue }; close(fd); throw .errno(tmp, "write failed") }
            written += n
        }
        if fsync(fd) != 0 { close(fd); throw .errno(tmp, "fsync failed") }
        close(fd)
        guard rename(tmp, path) == 0 else { throw .errno(path, "rename failed") }
        ok = true
        try syncDirectory(dir)
    }

    public static func syncDirectory(_ dir: String) throws(StorageError) {
        let d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard d >= 0 else { throw .errno(dir, "cannot open directory") }
        defer { close(d) }
        guard fsync(d) == 0 else { throw .errno(dir, "fsync of directory failed") }
    }

    /// Opens a file for reading only if it is a regular file. O_NONBLOCK keeps a FIFO put in its place
    /// from blocking the open; the type check then refuses it (and devices). Returns -1 with errno set.
    public static func openRegular(_ path: String) -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return -1 }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { close(fd); errno = EINVAL; return -1 }
        return fd
    }

    /// Reads a whole regular file.
    public static func read(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = openRegular(path)
        guard fd >= 0 else { throw .errno(path, "cannot open as a regular file") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .errno(path, "cannot stat") }
        return try readRange(fd: fd, path: path, offset: 0, count: Int(st.st_size))
    }

    /// Reads `count` bytes at `offset` (pread), failing on a short file.
    static func readRange(fd: Int32, path: String, offset: UInt64, count: Int) throws(StorageError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset) + off_t(got)) }
            if n < 0 { if errno == EINTR { continue }; throw .errno(path, "read failed") }
            if n == 0 { throw StorageError(path: path, reason: "file ends \(count - got) bytes early (truncated)") }
            got += n
        }
        return out
    }

    /// Removes `*.tmp` files left by a crash in `dir`.
    public static func removeTemporaries(in dir: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for n in names where n.hasSuffix(".tmp") { unlink(dir + "/" + n) }
    }
}

/// An exclusive advisory lock on a file (flock), released when the process exits — even by SIGKILL.
final class FileLock {
    let fd: Int32
    init(path: String) throws(StorageError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .errno(path, "cannot open lock file") }
        guard flock(fd, LOCK_EX) == 0 else { close(fd); throw .errno(path, "cannot lock") }
    }
    deinit { flock(fd, LOCK_UN); close(fd) }
}
