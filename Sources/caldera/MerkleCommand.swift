import ArgumentParser
import DurableIO
import Foundation
import Measure // Duration.seconds
import Merkle

struct MerkleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merkle",
        abstract: "RFC 6962 Merkle trees: roots, inclusion and consistency proofs.",
        discussion: """
            Input: one leaf per line in hex (FILE, or standard input for - or no FILE). An empty line is an \
            empty leaf; the final newline ends the last line. Leaves are hashed as SHA-256(0x00 || data).
            """,
        subcommands: [Root.self, Inclusion.self, Consistency.self, Verify.self]
    )

    struct Input: ParsableArguments {
        @Argument(help: "Leaves, one hex line each (- or omitted: standard input).")
        var file: String?

        @Flag(help: "Lines are leaf hashes (64 hex digits) already, not leaf data.")
        var leafHashes = false

        @Flag(help: "Print the time spent reading and hashing to standard error.")
        var timings = false

        /// Streams the input, handing each chunk's leaf hashes to `body`: memory is bounded by the longest
        /// line, not by the input.
        func stream(_ body: ([Digest]) throws(CLIError) -> Void) throws(CLIError) {
            let clock = ContinuousClock()
            let t0 = clock.now
            var leaves = LeafStream(linesAreLeafHashes: leafHashes)
            let name = file ?? "standard input"
            do {
                try InputFile.stream(file ?? "-") { chunk throws(StorageError) in
                    do { try body(try leaves.consume(chunk)) } catch let e as HexLineError {
                        throw StorageError(path: name, reason: e.description)
                    } catch let e as CLIError {
                        throw StorageError(path: name, reason: e.message)
                    } catch {
                        throw StorageError(path: name, reason: "\(error)")
                    }
                }
                try body(try leaves.finish())
            } catch let e as StorageError {
                throw failure(e.description)
            } catch let e as HexLineError {
                throw failure("\(name): \(e)")
            } catch let e as CLIError {
                throw e
            } catch {
                throw failure(name, error)
            }
            report("read and hashed \(leaves.lines) lines", clock.now - t0)
        }

        /// All leaf hashes, for the commands that need the whole tree (at most `maxTreeLeaves`).
        func load() throws(CLIError) -> [Digest] {
            var all = [Digest]()
            try stream { hashes throws(CLIError) in
                guard all.count + hashes.count <= MerkleCommand.maxTreeLeaves else {
                    throw failure("more than \(MerkleCommand.maxTreeLeaves) leaves; proofs are built over at most that many (merkle root streams any number)")
                }
                all += hashes
            }
            return all
        }

        func report(_ what: String, _ d: Duration) {
            guard timings else { return }
            try? StandardStreams.write(String(format: "timing: %@: %.1f ms\n", what, d.seconds * 1e3), fd: 2)
        }
    }

    /// Inclusion and consistency proofs keep every leaf hash and the tree's levels: 64 bytes per leaf.
    static let maxTreeLeaves = 1 << 22

    struct Root: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the root of the tree over the leaves, in hex.")
        @OptionGroup var input: Input

        func run() throws {
            var range = CompactRange()
            try input.stream { hashes throws(CLIError) in range.append(leafHashes: hashes) }
            print(range.root.hex)
        }
    }

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a JSON inclusion proof for leaf --index.")
        @Option(parsing: .unconditional, help: "0-based leaf index.") var index: UInt64
        @OptionGroup var input: Input

        func run() throws {
            let tree = MerkleTree(leafHashes: try input.load())
            guard index < UInt64(tree.size) else {
                throw failure("--index \(index) is out of range: the tree has \(tree.size) leaves")
            }
            try printJSON(try tree.inclusionProof(index: Int(index)))
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a JSON consistency proof from the first --old-size leaves to all of them.")
        @Option(parsing: .unconditional, help: "Size of the earlier tree (1 ... number of leaves).") var oldSize: UInt64
        @OptionGroup var input: Input

        func run() throws {
            let tree = MerkleTree(leafHashes: try input.load())
            guard oldSize > 0 else { throw failure("--old-size 0: a consistency proof from the empty tree proves nothing") }
            guard oldSize <= UInt64(tree.size) else {
                throw failure("--old-size \(oldSize) is larger than the tree (\(tree.size) leaves)")
            }
            try printJSON(try tree.consistencyProof(oldSize: Int(oldSize)))
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a JSON inclusion or consistency proof.",
            discussion: "Exit 0 when valid, 1 when invalid (with the reason), 2 when unreadable or malformed.")
        @Argument(help: "Proof file (as printed by `merkle inclusion` or `merkle consistency`; - for standard input).")
        var proof: String

        func run() throws {
            let parsed: ProofDocument
            do { parsed = try ProofDocument.parse(try readInput(proof, limit: ProofDocument.maxBytes)) } catch let e as ProofDocument.Malformed {
                throw failure("\(proof): \(e)")
            }
            do { try parsed.verify() } catch { throw failure("invalid proof: \(error)", code: ExitStatus.invalid) }
            switch parsed {
            case .inclusion(let p): print("valid: leaf \(p.index) is in the tree of size \(p.size) with root \(p.root.hex)")
            case .consistency(let p): print("valid: the tree of size \(p.oldSize) is a prefix of the tree of size \(p.newSize)")
            }
        }
    }
}
