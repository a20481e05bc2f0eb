// caldera: the command-line face of Caldera. One file per command group; no logic that the
// library lacks. Exit codes: 0 success, 1 a verification said "invalid", 2 bad or unreadable input.
import ArgumentParser
import Foundation

@main
struct Caldera: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caldera",
        abstract: "Caldera: a modular rollup infrastructure — Merkle proofs, claims and the layers built on them.",
        discussion: "Run `caldera claims` to measure the design's headline numbers on this machine.",
        version: "0.1.0",
        subcommands: [MerkleCommand.self, ProofCommand.self, DataCommand.self, CodecCommand.self, ExecutionCommand.self, EconomyCommand.self, ClaimsCommand.self]
    )

    /// Like ArgumentParser's `main()`, except that usage errors (an unknown option, a value that does not
    /// parse, a failed validation) exit 2 like every other kind of bad input here, not 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
