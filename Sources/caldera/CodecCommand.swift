import ArgumentParser
import ChainCodec
import DurableIO
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
        @Option(parsing: .unconditional, help: "zstd level for the columns and the general path (1–22).") var level: Int32 = ChainCodec.defaultLevel
        @Flag(help: "Replace the output file if it exists.") var force = false

        func validate() throws {
            guard (1...22).contains(level) else { throw ValidationError("--level must be 1…22") }
            if file == "-" && o == nil { throw ValidationError("reading standard input needs -o") }
        }

        func run() throws {
            let target = o ?? file + ".calz"
            try checkOutput(target, force: force, inputs: [file])
            let input = try readInput(file, limit: InputLimit.codecInput)
            let archive = ChainCodec.encode(input, level: level)
            try writeOutput(archive, to: target, force: force, inputs: [file])
            let h = try attempt { try ChainCodec.header(archive) }
            let ratio = input.isEmpty ? 0 : Double(input.count) / Double(archive.count)
            try? StandardStreams.write(String(format: "%@: %d bytes -> %d bytes (%.2f×), %@ (%@)\n", file, input.count, archive.count, ratio,
                                              h.transform.description, ChainCodec.detect(input).rawValue), fd: 2)
        }
    }

    struct Decompress: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decode a .calz archive back to the original bytes (SHA-256 checked).")
        @Argument(help: "Archive file, or - for standard input.") var file: String
        @Option(name: .short, help: "Output file (default: <file> without .calz; - for standard output).") var o: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(
            "Largest original size accepted, in bytes (default: 32× the archive, at least 16 MiB, at most 1 GiB).",
            discussion: "An archive is untrusted input: a small one may declare a huge original. Raise this for archives you trust."))
        var maxBytes: Int?
        @Flag(help: "Replace the output file if it exists.") var force = false

        func validate() throws {
            if let maxBytes, maxBytes < 0 { throw ValidationError("--max-bytes must be ≥ 0") }
            if o == nil && !(file != "-" && file.hasSuffix(".calz") && file.count > 5) {
                throw ValidationError("say where to write with -o (the input does not end in .calz)")
            }
        }

        func run() throws {
            let target = o ?? String(file.dropLast(5))
            try checkOutput(target, force: force, inputs: [file])
            let archive = try readArchive(file) { original, length throws(CLIError) in
                let limit = maxBytes ?? ChainCodec.defaultLimit(forArchiveOf: length)
                guard original <= UInt64(limit) else {
                    throw failure(maxBytes == nil
                        ? "\(file): the archive declares \(original) bytes from \(length) bytes of archive; the default limit for an untrusted archive is \(limit) bytes (32× its size, at least 16 MiB): pass --max-bytes \(original) if you trust it"
                        : "\(file): the archive declares \(original) bytes, more than --max-bytes \(limit)")
                }
            }
            let out: [UInt8]
            do { out = try ChainCodec.decode(archive, maxOutputBytes: Int.max) } catch {
                throw failure("\(file): \(error)", code: error == .checksumMismatch ? ExitStatus.invalid : ExitStatus.badInput)
            }
            try writeOutput(out, to: target, force: force, inputs: [file])
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an archive's transform, sizes and per-column bytes (JSON).")
        @Argument(help: "Archive file, or - for standard input.") var file: String

        func run() throws {
            let archive = try readArchive(file) { _, _ throws(CLIError) in }
            try printJSON(try attempt(file) { try ArchiveReport(archive: archive) })
        }
    }
}

/// Reads an archive, refusing a non-archive after its first bytes (`/dev/zero` is not read to its limit)
/// and handing the declared sizes to `admit` before the payload is read. An archive is never much larger
/// than its original, so ChainCodec's largest original plus 1 MiB bounds the read.
private func readArchive(_ path: String, admit: (_ original: UInt64, _ archiveLength: UInt64) throws(CLIError) -> Void) throws(CLIError) -> [UInt8] {
    let name = path == "-" ? "standard input" : path
    let limit = ChainCodec.defaultMaxOutputBytes + (1 << 20)
    var bytes = [UInt8]()
    var admitted = false
    var refusal: CLIError?
    do {
        try InputFile.stream(path) { chunk throws(StorageError) in
            bytes.append(contentsOf: chunk)
            guard bytes.count <= limit else { throw StorageError(path: name, reason: "is larger than \(limit) bytes; no archive this codec writes is") }
            guard !admitted else { return }
            do {
                if let h = try ChainCodec.peek(prefix: bytes) {
                    admitted = true
                    try admit(h.originalLength, h.archiveLength)
                }
            } catch let e as CLIError {
                refusal = e
                throw StorageError(path: name, reason: e.message)
            } catch {
                throw StorageError(path: name, reason: "\(error)")
            }
        }
        if !admitted { _ = try ChainCodec.peek(prefix: bytes) } // a short input: say why it is not an archive
    } catch let e as StorageError {
        throw refusal ?? failure(e.description)
    } catch {
        throw failure(name, error)
    }
    return bytes
}
