// What every test target shares: where the shared data is, temporary directories, running the real
// `caldera` binary (optionally under a memory and time cap), byte mutation and a seeded RNG. One copy
// here instead of one per target.
import Foundation
import Merkle
#if canImport(Glibc)
import Glibc
#endif

/// The package root: this file is Tests/TestSupport/TestSupport.swift.
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Where the shared test data lives: $CALDERA_SHARED, else `../shared` beside the package root.
public enum SharedData {
    public static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["CALDERA_SHARED"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return packageRoot.appendingPathComponent("../shared").standardizedFileURL
    }()
    public static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }
    public static func path(_ relative: String) -> String { url(relative).path }
    public static func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: url(relative).path) }
    public static func json(_ relative: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative))) as! [String: Any]
    }
}

/// Opt-in long runs (soak, many kill -9 loops): `CALDERA_LONG_TESTS=1 swift test`.
public let longTests = ProcessInfo.processInfo.environment["CALDERA_LONG_TESTS"] == "1"

/// A fresh temporary directory, removed by `remove()`.
public struct TempDir {
    public let path: String
    public init(_ label: String = "test") throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-\(label)-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }
    public func file(_ name: String) -> String { path + "/" + name }
    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }
    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// What a process did.
public struct Run: Sendable {
    public let status: Int32
    /// Killed by this signal (0 if it exited).
    public let signal: Int32
    public let stdout: [UInt8]
    public let stderr: String
    public let seconds: Double
    public var text: String { String(decoding: stdout, as: UTF8.self) }
    /// Exited (not killed) with status 2 or 1 and an `error:` line: the CLI's documented failure.
    public var failedCleanly: Bool { signal == 0 && (status == 1 || status == 2) && stderr.contains("error: ") }
}

/// The directory holding the built products (`caldera`, the test bundle).
public let productsDirectory: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0])
    while url.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: url.appendingPathComponent("caldera").path) {
        url.deleteLastPathComponent()
    }
    return url
}()

public let calderaBinary = productsDirectory.appendingPathComponent("caldera").path
public var calderaAvailable: Bool { FileManager.default.isExecutableFile(atPath: calderaBinary) }

/// Limits for a child process.
public struct Limits: Sendable {
    /// Address-space cap (RLIMIT_AS), bytes.
    public var memoryBytes: Int?
    /// Killed (SIGKILL) after this many seconds.
    public var seconds: Double
    public init(memoryBytes: Int? = nil, seconds: Double = 60) { self.memoryBytes = memoryBytes; self.seconds = seconds }
    /// What the hostile-input suite holds every command to: 1 GiB, 10 s.
    public static let hostile = Limits(memoryBytes: 1 << 30, seconds: 10)
}

/// Runs a program with arguments, optional standard input (a file path or bytes), capturing output.
/// With a memory limit the program runs under `prlimit --as`, so the cap binds the child alone.
@discardableResult
public func run(_ program: String, _ args: [String], stdin: [UInt8]? = nil, stdinPath: String? = nil, stdoutPath: String? = nil,
                limits: Limits = Limits(), environment: [String: String]? = nil, workingDirectory: String? = nil) throws -> Run {
    let p = Process()
    if let m = limits.memoryBytes {
        p.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
        p.arguments = ["--as=\(m)", "--core=0", "--", program] + args
    } else {
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
    }
    if let environment { p.environment = environment }
    if let workingDirectory { p.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
    var env = p.environment ?? ProcessInfo.processInfo.environment
    env["SWIFT_BACKTRACE"] = "enable=no" // a crash shows as a signal, quickly
    p.environment = env
    let out = Pipe(), err = Pipe()
    if let stdoutPath {
        guard let h = FileHandle(forWritingAtPath: stdoutPath) else { throw CocoaError(.fileNoSuchFile) }
        p.standardOutput = h
    } else {
        p.standardOutput = out
    }
    p.standardError = err
    let inp = Pipe()
    if let stdinPath { p.standardInput = FileHandle(forReadingAtPath: stdinPath) } else { p.standardInput = inp }
    let start = Date()
    try p.run()
    // Drain both pipes concurrently so a chatty child cannot block on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var o = Data(), e = Data()
    if stdoutPath == nil { DispatchQueue.global().async(group: group) { o = out.fileHandleForReading.readDataToEndOfFile() } }
    DispatchQueue.global().async(group: group) { e = err.fileHandleForReading.readDataToEndOfFile() }
    if stdinPath == nil {
        if let stdin { try? inp.fileHandleForWriting.write(contentsOf: Data(stdin)) }
        try? inp.fileHandleForWriting.close()
    }
    let deadline = DispatchTime.now() + limits.seconds
    let killer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
    DispatchQueue.global().asyncAfter(deadline: deadline, execute: killer)
    p.waitUntilExit()
    killer.cancel()
    group.wait()
    let signaled = p.terminationReason == .uncaughtSignal
    return Run(status: signaled ? -1 : p.terminationStatus, signal: signaled ? p.terminationStatus : 0, stdout: [UInt8](o),
               stderr: String(decoding: e, as: UTF8.self), seconds: Date().timeIntervalSince(start))
}

/// Runs the built `caldera` binary.
@discardableResult
public func caldera(_ args: [String], stdin: [UInt8]? = nil, stdinPath: String? = nil, stdoutPath: String? = nil,
                    limits: Limits = Limits(), workingDirectory: String? = nil) throws -> Run {
    try run(calderaBinary, args, stdin: stdin, stdinPath: stdinPath, stdoutPath: stdoutPath, limits: limits, workingDirectory: workingDirectory)
}

/// Deterministic test randomness: the library's SplitMix64, so a test and a workload share one generator.
public typealias TestRNG = SplitMix64

extension SplitMix64 {
    public init(_ seed: UInt64) { self.init(seed: seed) }
}

/// Byte mutations of a valid input, for decoders: every prefix, and `count` seeded single-byte changes.
public enum Mutations {
    public static func prefixes(_ b: [UInt8]) -> [[UInt8]] { (0..<b.count).map { Array(b.prefix($0)) } }
    public static func flips(_ b: [UInt8], count: Int, seed: UInt64) -> [[UInt8]] {
        guard !b.isEmpty else { return [] }
        var rng = TestRNG(seed)
        return (0..<count).map { _ in
            var m = b
            let i = Int.random(in: 0..<b.count, using: &rng)
            m[i] ^= UInt8.random(in: 1...255, using: &rng)
            return m
        }
    }
}

/// A file's identity and content, to assert that a command left it untouched.
public struct FileSnapshot: Equatable {
    public let type: mode_t
    public let inode: UInt
    public let bytes: [UInt8]?
    public init(_ path: String) {
        var st = stat()
        if lstat(path, &st) != 0 { type = 0; inode = 0; bytes = nil; return }
        type = st.st_mode & S_IFMT
        inode = UInt(st.st_ino)
        bytes = type == S_IFREG ? (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) : nil
    }
}

/// secp256k1 signature bytes (r ‖ s ‖ v, 65 bytes) for tests that forge refusals.
public enum SignatureBytes {
    /// The group order n, big-endian.
    public static let groupOrder: [UInt8] = Hex.decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")!

    /// a − b for 32-byte big-endian numbers, a ≥ b.
    public static func subtract<A: Collection, B: Collection>(_ a: A, _ b: B) -> [UInt8] where A.Element == UInt8, B.Element == UInt8 {
        let a = Array(a), b = Array(b)
        var out = [UInt8](repeating: 0, count: 32), borrow = 0
        for i in (0..<32).reversed() {
            var d = Int(a[i]) - Int(b[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }

    /// The same key's other signature over the same digest, (r, n − s, v flipped): valid ECDSA, but high-s,
    /// which EIP-2 forbids.
    public static func highSTwin(_ sig: [UInt8]) -> [UInt8] {
        Array(sig[0..<32]) + subtract(groupOrder, sig[32..<64]) + [sig[64] == 27 ? 28 : 27]
    }
}
