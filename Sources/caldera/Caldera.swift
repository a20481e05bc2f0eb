// caldera: the command-line face of Caldera. One file per command group; no logic that the
// library lacks. Exit codes: 0 success, 1 a verification said "invalid", 2 bad or unreadable input.
import ArgumentParser

@main
struct Caldera: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caldera",
        abstract: "Caldera: a modular rollup infrastructure — Merkle proofs, claims and the layers built on them.",
        discussion: "Run `caldera claims` to measure the design's headline numbers on this machine.",
        version: "0.1.0",
        subcommands: [MerkleCommand.self, ProofCommand.self, DataCommand.self, ExecutionCommand.self, EconomyCommand.self, ClaimsCommand.self]
    )
}
