// DurableIO: the one way Caldera touches files it does not own the format of. A durable writer (temp
// file beside the target, fsync, rename, fsync of the directory) that refuses to replace anything but a
// regular file, refuses to overwrite unless asked and never overwrites one of the command's own inputs;
// a bounded reader for inputs (regular files, pipes, standard input) whose peak memory stays within a
// small constant of its limit; standard output with every write checked.
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
    public static func errno(_ path: String, _ what: String) -> StorageError {
        StorageError(path: path, reason: "\(what): \(String(cString: strerror(Foundation.errno)))")
    }
}

/// Durable file writes: temp file in the same directory, write, fsync, rename over the name, fsync the
/// directory. After `write` returns, the file survives a crash or power cut with exactly these bytes;
/// before it returns, the name is either absent or holds its previous bytes. Leftover `*.tmp` files
/// from a crash are garbage that `removeTemporaries` clears.
public enum DurableFile {
    /// What to do when the target name already exists as a regular file.
    public enum Existing: Sendable {
        /// Replace it (a store's own files; a user's `--force`).
        case replace
        /// Refuse, naming the file and the flag that would allow it.
        case refuse(hint: String)
    }

    /// The directory holding `path` and the last component, split without Foundation's URL rules (which
    /// trap on some one-character names). A path ending in "/" names a directory and is refused.
    public static func split(_ path: String) throws(StorageError) -> (directory: String, name: String) {
        guard !path.isEmpty else { throw StorageError(path: path, reason: "empty path") }
        guard !path.hasSuffix("/") else { throw StorageError(path: path, reason: "names a directory, not a file") }
        let u = Array(path.utf8)
        guard let slash = u.lastIndex(of: UInt8(ascii: "/")) else { return (".", path) }
        let dir = slash == 0 ? "/" : String(decoding: u[..<slash], as: UTF8.self)
        return (dir, String(decoding: u[(slash + 1)...], as: UTF8.self))
    }

    /// The name of the temporary file a write to `name` uses: hidden, beside it, unique to the writer.
    static func temporaryName(for name: String) -> String { ".\(name).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp" }

    /// Whether a directory entry is a write in progress (or left by a crash) of the file `name`.
    public static func isTemporary(_ entry: String, of name: String) -> Bool {
        entry.hasPrefix(".\(name).") && entry.hasSuffix(".tmp")
    }

    /// Writes `bytes` as the whole content of `path`, durably and atomically.
    /// - Parameters:
    ///   - mode: permissions of the new file (archive files are read-only, 0444).
    ///   - existing: whether an existing regular file may be replaced.
    ///   - inputs: files this command read; the target may not be one of them (same device and inode),
    ///     whatever `existing` says, since replacing an input while it is still needed loses it.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o444, existing: Existing = .replace,
                             inputs: [String] = []) throws(StorageError) {
        let (dir, name) = try split(path)
        guard name != "." && name != ".." else { throw StorageError(path: path, reason: "names a directory, not a file") }
        try checkTarget(path, existing: existing, inputs: inputs)
        let tmp = (dir == "/" ? "/" : dir + "/") + temporaryName(for: name)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .errno(dir, "cannot create a file in this directory") }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 { if errno == EINTR { continue }; let e = StorageError.errno(path, "write failed"); close(fd); throw e }
            written += n
        }
        if fsync(fd) != 0 { let e = StorageError.errno(path, "fsync failed"); close(fd); throw e }
        close(fd)
        // Checked again right before the rename: something may have appeared at the name meanwhile.
        try checkTarget(path, existing: existing, inputs: inputs)
        guard rename(tmp, path) == 0 else { throw .errno(path, "rename failed") }
        ok = true
        try syncDirectory(dir)
    }

    /// Refuses a target that is not a regular file (a device, FIFO, socket, directory or symlink: renaming
    /// over it would replace the special file), one of the inputs, or an existing file without permission.
    public static func checkTarget(_ path: String, existing: Existing, inputs: [String] = []) throws(StorageError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw .errno(path, "cannot inspect")
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            let what = type == S_IFLNK ? "a symbolic link" : type == S_IFDIR ? "a directory" : type == S_IFIFO ? "a FIFO"
                : type == S_IFCHR || type == S_IFBLK ? "a device" : "not a regular file"
            throw StorageError(path: path, reason: "exists and is \(what); refusing to replace it")
        }
        for input in inputs where input != "-" {
            var si = stat()
            if stat(input, &si) == 0, si.st_dev == st.st_dev, si.st_ino == st.st_ino {
                throw StorageError(path: path, reason: "is also an input of this command; refusing to overwrite it")
            }
        }
        if case let .refuse(hint) = existing {
            throw StorageError(path: path, reason: "already exists; \(hint)")
        }
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
    public static func readRange(fd: Int32, path: String, offset: UInt64, count: Int) throws(StorageError) -> [UInt8] {
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
