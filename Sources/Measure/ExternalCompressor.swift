import Foundation

/// A general-purpose compressor's command line (`zstd`, `xz`, `brotli`, found on PATH), run as an external
/// process to compare against on the same bytes in the same run: the one runner for claims and benchmarks.
public struct ExternalCompressor: Sendable {
    public let command: [String]
    public init(command: [String]) { self.command = command }

    public static let zstd19 = ExternalCompressor(command: ["zstd", "-19", "--long=27", "-c", "-q"])
    public static let xz9 = ExternalCompressor(command: ["xz", "-9", "-c"])
    public static let brotli11 = ExternalCompressor(command: ["brotli", "-q", "11", "-c"])

    /// What the compressor reads: one file, named on its command line, or files concatenated in order on its
    /// standard input (as a tar would hold them).
    public enum Input: Sendable {
        case file(URL)
        case concatenation([URL])
    }

    /// Size of the compressor's output, or nil when the tool is missing or fails.
    public func compressedSize(_ input: Input) -> Int? { start(input)?.wait() }

    /// Starts the compressor now (so several can run while the caller works); `wait()` gives the size.
    public func start(_ input: Input) -> Running? { Running(command, input) }

    /// One started run, counting the bytes the compressor writes.
    public final class Running: @unchecked Sendable {
        private let process = Process()
        private let done = DispatchSemaphore(value: 0)
        private var size = 0

        init?(_ command: [String], _ input: Input) {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            switch input {
            case .file(let url):
                process.arguments = command + [url.path]
                process.standardInput = FileHandle.nullDevice
                do { try process.run() } catch { return nil }
            case .concatenation(let files):
                // `cat` feeds the compressor through a pipe between the two children: a compressor that is
                // missing or exits early ends `cat`, never this process (no SIGPIPE here).
                process.arguments = command
                let cat = Process()
                cat.executableURL = URL(fileURLWithPath: "/bin/cat")
                cat.arguments = ["--"] + files.map(\.path)
                let link = Pipe()
                cat.standardOutput = link
                cat.standardError = FileHandle.nullDevice
                process.standardInput = link
                do { try process.run(); try cat.run() } catch {
                    if process.isRunning { process.terminate() }
                    return nil
                }
                // Only the children hold the pipe now (the compressor sees end of input when `cat` is done).
                try? link.fileHandleForWriting.close()
                try? link.fileHandleForReading.close()
            }
            let reader = out.fileHandleForReading
            DispatchQueue.global().async { [self] in
                var total = 0
                while true {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    total += chunk.count
                }
                size = total
                done.signal()
            }
        }

        /// Waits for the compressor: its output size, or nil when it failed (a missing tool exits 127).
        public func wait() -> Int? {
            done.wait()
            process.waitUntilExit()
            return process.terminationStatus == 0 ? size : nil
        }
    }
}
