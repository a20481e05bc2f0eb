import ArgumentParser
import ChainCodec
import Foundation

/// `caldera codec`: the chain-aware archive codec (docs/archive-codec.md) on files, like a compressor CLI.
struct CodecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Compress chain data with the chain-aware codec, decompress and inspect its archives.",
        discussion: "Archives are self-describing (transform id, original length, SHA-256); decompress checks the SHA-256. Exit codes: 0 ok, 1 archive corrupt (checksum mismatch), 2 bad input or arguments.",
        subcommands: [Compress.self, Decompress.self, Inspect.self])

    struct Compress: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Encode a file (era1, RLP headers, JSON-RPC, hex text, anything) into a .calz archive.")
        @Argument(help: "Input file, or - for standard input.") var file: String
        @Option(name: .short, help: "Output file (default: <file>.calz; required for standard input; - for standard output).") var o: String?
        @Option(help: "zstd level for the columns and the general path (1–22).") var level: Int32 = ChainCodec.defaultLevel

        func validate() throws {
            guard (1...22).contains(level) else { throw ValidationError("--level must be 1…22") }
            if file == "-" && o == nil { throw ValidationError("reading standard input needs -o") }
        }

        func run() throws {
            let input = try readInput(file, limit: ChainCodec.defaultMaxOutputBytes)
            let archive = ChainCodec.encode(input, level: level)
            try writeOutput(archive, to: o ?? file + ".calz")
            let h = try ChainCodec.header(archive)
            let ratio = input.isEmpty ? 0 : Double(input.count) / Double(archive.count)
            FileHandle.standardError.write(Data(String(format: "%@: %d bytes -> %d bytes (%.2f×), %@ (%@)\n", file, input.count, archive.count, ratio,
                                                       h.transform.description, ChainCodec.detect(input).rawValue).utf8))
        }
    }

    struct Decompress: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode a .calz archive back to the original bytes (SHA-256 checked).")
        @Argument(help: "Archive file, or - for standard input.") var file: String
        @Option(name: .short, help: "Output file (default: <file> without .calz; - for standard output).") var o: String?
        @Option(help: "Largest original size accepted, in bytes (bounds memory on untrusted archives).") var maxBytes: Int = ChainCodec.defaultMaxOutputBytes

        func validate() throws {
            guard maxBytes >= 0 else { throw ValidationError("--max-bytes must be ≥ 0") }
            if o == nil && !(file != "-" && file.hasSuffix(".calz") && file.count > 5) {
                throw ValidationError("say where to write with -o (the input does not end in .calz)")
            }
        }

        func run() throws {
            // an archive is never much larger than its original, so the same bound applies to the input
            let archive = try readInput(file, limit: maxBytes > Int.max - (1 << 20) ? Int.max : maxBytes + (1 << 20))
            let out: [UInt8]
            do { out = try ChainCodec.decode(archive, maxOutputBytes: maxBytes) } catch {
                throw failure("\(file): \(error)", code: error == .checksumMismatch ? 1 : 2)
            }
            try writeOutput(out, to: o ?? String(file.dropLast(5)))
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an archive's transform, sizes and per-column bytes (JSON).")
        @Argument(help: "Archive file, or - for standard input.") var file: String

        struct Report: Encodable {
            var formatVersion: Int
            var transform: String
            var transformId: Int
            var originalBytes: UInt64
            var archiveBytes: Int
            var ratio: Double
            var sha256: String
            var columns: [Column]
            struct Column: Encodable { var name: String; var bytes: Int }
        }

        func run() throws {
            let archive = try readInput(file, limit: ChainCodec.defaultMaxOutputBytes + (1 << 20))
            let h: ArchiveHeader
            let cols: [(name: String, bytes: Int)]
            do {
                h = try ChainCodec.header(archive)
                cols = try ChainCodec.columns(archive)
            } catch { throw failure("\(file): \(error)") }
            let report = Report(formatVersion: Int(h.formatVersion), transform: h.transform.description, transformId: Int(h.transform.rawValue),
                                originalBytes: h.originalLength, archiveBytes: archive.count,
                                ratio: archive.isEmpty ? 0 : (Double(h.originalLength) / Double(archive.count) * 1000).rounded() / 1000,
                                sha256: h.sha256.map { String(format: "%02x", $0) }.joined(),
                                columns: cols.filter { $0.bytes > 0 }.map { .init(name: $0.name, bytes: $0.bytes) })
            try printJSON(report)
        }
    }
}

/// Writes all of `bytes` to `path` atomically, or to standard output for "-".
private func writeOutput(_ bytes: [UInt8], to path: String) throws {
    if path == "-" {
        FileHandle.standardOutput.write(Data(bytes))
        return
    }
    var st = stat()
    if lstat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
        throw failure("\(path) exists and is not a regular file; not replacing it")
    }
    do { try writeAtomically(Data(bytes), to: URL(fileURLWithPath: path)) } catch {
        throw failure("cannot write \(path): \(error.localizedDescription)")
    }
}
