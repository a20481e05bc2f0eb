import ArgumentParser
import Foundation

/// Prints `error: message` to standard error and returns the exit code to throw.
func failure(_ message: String, code: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}

/// Reads a whole file, or standard input for nil or "-". Errors name the path.
func readInput(_ path: String?) throws -> [UInt8] {
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
        if (st.st_mode & S_IFMT) == S_IFREG { capacity = max(Int(st.st_size) + 1, 1) }
    }
    var buffer = [UInt8](repeating: 0, count: capacity)
    var used = 0
    while true {
        if used == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + used, $0.count - used) }
        if n == 0 { break }
        if n < 0 {
            if errno == EINTR { continue }
            throw failure("cannot read \(name): \(String(cString: strerror(errno)))")
        }
        used += n
    }
    buffer.removeLast(buffer.count - used)
    return buffer
}

/// JSON the way every caldera command prints it: pretty, keys sorted (stable output), no escaped slashes.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
