// The CLI's one way to fail, read, write and print. Every command throws `CLIError` for anything the user
// must hear about; `Caldera.main` prints it once as `error: …` and exits with its code. Inputs are read
// with a limit, outputs go through the durable writer, and standard output is written with every error
// checked (a full disk or /dev/full exits 2 with an error line instead of trapping or losing output).
import ArgumentParser
import DurableIO
import Foundation
import Wire

/// Exit codes, everywhere: 0 success, 1 a verification found the input invalid, 2 anything else wrong.
enum ExitStatus {
    static let invalid: Int32 = 1
    static let badInput: Int32 = 2
}

/// A failure the user must hear about: printed once by `Caldera.main` as `error: message`.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let code: Int32
    var description: String { message }
}

/// The error to throw: `throw failure("…")` (exit 2) or `throw failure("…", code: ExitStatus.invalid)`.
func failure(_ message: String, code: Int32 = ExitStatus.badInput) -> CLIError { CLIError(message: message, code: code) }

/// Converts a thrown library error into the CLI's, prefixed with what was being done (a path, a command).
func failure(_ context: String?, _ error: any Error, code: Int32 = ExitStatus.badInput) -> CLIError {
    if let e = error as? CLIError { return e }
    let text = String(describing: error)  // the error's own description when it has one
    return CLIError(message: context.map { "\($0): \(text)" } ?? text, code: code)
}

/// Runs `body`, turning any library error into a CLIError with `context`.
func attempt<T>(_ context: String? = nil, code: Int32 = ExitStatus.badInput, _ body: () throws -> T) throws(CLIError) -> T {
    do { return try body() } catch { throw failure(context, error, code: code) }
}

/// How big an input may be, by what it is. Each limit is documented in docs/limits.md.
enum InputLimit {
    /// A JSON document (genesis, guardian set, Merkle proof).
    static let json = 16 << 20
    /// An encoded proof or meta-proof (docs/proof-format.md, Limits).
    static let proof = 256 << 20
    /// A file for `codec compress` (the encoder holds the input, its columns and candidate payloads).
    static let codecInput = 512 << 20
}

/// Reads a whole input (a file, or standard input for "-" or nil) of at most `limit` bytes.
func readInput(_ path: String?, limit: Int) throws(CLIError) -> [UInt8] {
    do { return try InputFile.read(path ?? "-", limit: limit) } catch { throw failure(error.description) }
}

/// The durable writer for every output file a command writes. Refuses special files and the command's
/// own inputs; replaces an existing file only with `--force`.
func writeOutput(_ bytes: [UInt8], to path: String, force: Bool, inputs: [String] = [], mode: mode_t = 0o644) throws(CLIError) {
    if path == "-" { try Output.write(bytes); return }
    do {
        try DurableFile.write(bytes, to: path, mode: mode, existing: force ? .replace : .refuse(hint: "pass --force to replace it"), inputs: inputs)
    } catch { throw failure("cannot write \(error.description)") }
}

/// Checks an output path before the work that produces it, so a refused target fails fast.
func checkOutput(_ path: String, force: Bool, inputs: [String] = []) throws(CLIError) {
    guard path != "-" else { return }
    do {
        _ = try DurableFile.split(path)
        try DurableFile.checkTarget(path, existing: force ? .replace : .refuse(hint: "pass --force to replace it"), inputs: inputs)
    } catch { throw failure("cannot write \(error.description)") }
}

/// Standard output with every write checked.
enum Output {
    /// The first failed `print`, reported by `Caldera.main` when the command returns.
    nonisolated(unsafe) static var printFailure: StorageError?

    static func write(_ bytes: [UInt8]) throws(CLIError) {
        do { try StandardStreams.write(bytes) } catch { throw failure(error.description) }
    }
}

/// Shadows Swift's `print` in this module: writes straight to file descriptor 1 and records a failure
/// (Swift's print buffers through stdio and loses write errors silently).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    guard Output.printFailure == nil else { return }
    do { try StandardStreams.write(text) } catch { Output.printFailure = error }
}

/// Prints a warning line to standard error (a failure to do so is not worth failing for).
func warn(_ text: String) {
    try? StandardStreams.write("warning: \(text)\n", fd: 2)
}

/// JSON the way every caldera command prints it: pretty, keys sorted (stable output), no escaped slashes.
func printJSON<T: Encodable>(_ value: T) throws(CLIError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try attempt("cannot encode the output") { try encoder.encode(value) }
    try Output.write([UInt8](data) + [0x0a])
}

/// `--json` for every command that prints a report: the same value as text, or as JSON (pretty, keys
/// sorted). Each command's discussion says what its JSON holds.
struct ReportFormat: ParsableArguments {
    @Flag(help: "Print the result as JSON instead of text.") var json = false

    /// Prints `value` as JSON, or as the lines `text` writes.
    func emit<T: Encodable>(_ value: T, text: (T) -> Void) throws(CLIError) {
        if json { try printJSON(value) } else { text(value) }
    }
}

/// Decodes a JSON input with the strict decoder (duplicate or unknown keys, 2.0 for an integer: errors).
func decodeJSON<T: Decodable>(_ type: T.Type, from bytes: [UInt8], name: String) throws(CLIError) -> T {
    do { return try StrictJSONDecoder(maxBytes: InputLimit.json).decode(type, from: bytes) } catch { throw failure("\(name): \(error)") }
}
