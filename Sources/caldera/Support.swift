import ArgumentParser
import Foundation

/// Prints `error: message` to standard error and returns the exit code to throw.
func failure(_ message: String, code: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}

/// Reads a whole file, or standard input for nil or "-". Errors name the path. With `limit`, input
/// larger than that many bytes is refused before it is all read (no proof or JSON file needs more), so
/// `/dev/zero` or a runaway pipe cannot exhaust memory.
func readInput(_ path: String?, limit: Int? = nil) throws -> [UInt8] {
    let fd: Int32
    let name = path ?? "-"
    if name == "-" {
        fd = 0
    } else {
        fd = open(name, O_RDONLY)
        guard fd >= 0 else { throw failure("cannot open \(name): \(String(cString: strerror(errno)))") }
    }
    defer { if fd != 0 { close(fd) } }
    var st = stat()
    var capacity = 1 << 16
    if fstat(fd, &st) == 0 {
        if (st.st_mode & S_IFMT) == S_IFDIR { throw failure("\(name) is a directory") }
        if (st.st_mode & S_IFMT) == S_IFREG {
            if let limit, Int(st.st_size) > limit { throw failure("\(name) is \(st.st_size) bytes; at most \(limit) are accepted here") }
            capacity = max(Int(st.st_size) + 1, 1)
        }
    }
    var buffer = [UInt8](repeating: 0, count: capacity)
    var used = 0
    while true {
        if used == buffer.count { buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, 1 << 26))) }
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + used, $0.count - used) }
        if n == 0 { break }
        if n < 0 {
            if errno == EINTR { continue }
            throw failure("cannot read \(name): \(String(cString: strerror(errno)))")
        }
        used += n
        if let limit, used > limit { throw failure("\(name) is larger than \(limit) bytes; at most that is accepted here") }
    }
    buffer.removeLast(buffer.count - used)
    return buffer
}

/// Runs `body` over the bytes of a file, or of standard input for nil or "-". The file is read, not
/// memory-mapped: a mapped file that another process truncates raises SIGBUS, and one it rewrites
/// changes under the parser.
func withInput<R>(_ path: String?, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    try readInput(path).withUnsafeBytes(body)
}

/// Writes a file so that it is either wholly there or not at all: a temporary file beside it,
/// flushed to disk, then renamed over the target.
func writeAtomically(_ data: Data, to url: URL) throws {
    let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
    guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: tmp.path])
    }
    do {
        let h = try FileHandle(forWritingTo: tmp)
        try h.write(contentsOf: data)
        try h.synchronize()
        try h.close()
        if rename(tmp.path, url.path) != 0 { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
    } catch {
        unlink(tmp.path)
        throw error
    }
}

/// JSON the way every caldera command prints it: pretty, keys sorted (stable output), no escaped slashes.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
