// caldera: the command-line face of Caldera. One file per command group; no logic that the
// library lacks. Exit codes: 0 success, 1 a verification said "invalid", 2 bad or unreadable input.
import ArgumentParser
import DurableIO
import Foundation

@main
struct Caldera: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caldera",
        abstract: "Caldera: a modular rollup infrastructure — Merkle proofs, claims and the layers built on them.",
        discussion: "Run `caldera claims` to measure the design's headline numbers on this machine.",
        version: "0.1.0",
        subcommands: [DevnetCommand.self, MerkleCommand.self, ProofCommand.self, DataCommand.self, CodecCommand.self, ExecutionCommand.self, NodeCommand.self, EconomyCommand.self, GuardianCommand.self, ClaimsCommand.self]
    )

    /// ArgumentParser's `main()` with one error path: a `CLIError` prints `error: message` and exits with
    /// its code; usage errors (an unknown option, a value that does not parse, a failed validation) and any
    /// unexpected error exit 2 with an `error:` line too; only help and version exit 0 through ArgumentParser.
    static func main() {
        // A closed pipe is a write error (EPIPE) that exits 2 with a message, not a silent death by signal.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
            if let e = Output.printFailure { throw failure(e.description) }
        } catch let e as CLIError {
            exitWith(e)
        } catch let e as ExitCode {
            Foundation.exit(e.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) } // --help, --version
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message = String(message.dropFirst(7)) }
            exitWith(CLIError(message: message, code: ExitStatus.badInput))
        }
        Foundation.exit(0)
    }

    static func exitWith(_ e: CLIError) -> Never {
        // If even standard error is gone there is nobody left to tell; the exit code still says it.
        try? StandardStreams.write("error: \(e.message)\n", fd: 2)
        Foundation.exit(e.code)
    }
}
