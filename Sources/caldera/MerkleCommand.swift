import ArgumentParser
import Foundation
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

        @Flag(help: "Print the time spent reading, decoding and hashing to standard error.")
        var timings = false

        func load() throws -> [Digest] {
            let clock = ContinuousClock()
            let t0 = clock.now
            return try withInput(file) { text in
                let t1 = clock.now
                do {
                    let lines = try HexLines(text: text)
                    let t2 = clock.now
                    let hashes = leafHashes ? try lines.digests() : lines.leafHashes()
                    report("opened \(text.count) bytes", t1 - t0)
                    report("decoded \(lines.count) lines", t2 - t1)
                    report(leafHashes ? "parsed leaf hashes" : "hashed leaves", clock.now - t2)
                    return hashes
                } catch {
                    throw failure("\(file ?? "standard input"): \(error)")
                }
            }
        }

        func report(_ what: String, _ d: Duration) {
            guard timings else { return }
            let ms = Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
            FileHandle.standardError.write(Data(String(format: "timing: %@: %.1f ms\n", what, ms).utf8))
        }
    }

    struct Root: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the root of the tree over the leaves, in hex.")
        @OptionGroup var input: Input

        func run() throws {
            let leaves = try input.load()
            let clock = ContinuousClock()
            let start = clock.now
            let root = MerkleHash.root(leafHashes: leaves)
            input.report("hashed \(max(leaves.count - 1, 0)) nodes", clock.now - start)
            print(root.hex)
        }
    }

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a JSON inclusion proof for leaf --index.")
        @Option(help: "0-based leaf index.") var index: UInt64
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
        @Option(help: "Size of the earlier tree (1 ... number of leaves).") var oldSize: UInt64
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
            let bytes = try readInput(proof, limit: 1 << 20)
            let parsed: ProofDocument
            do { parsed = try ProofDocument.parse(Data(bytes)) } catch { throw failure("\(proof): \(error)") }
            do {
                switch parsed {
                case .inclusion(let p):
                    try p.verify()
                    print("valid: leaf \(p.index) is in the tree of size \(p.size) with root \(p.root.hex)")
                case .consistency(let p):
                    try p.verify()
                    print("valid: the tree of size \(p.oldSize) is a prefix of the tree of size \(p.newSize)")
                }
            } catch {
                throw failure("invalid proof: \(error)", code: 1)
            }
        }
    }
}

/// A proof file: which kind is told by its keys; anything else is malformed.
enum ProofDocument {
    case inclusion(InclusionProof)
    case consistency(ConsistencyProof)

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static let inclusionKeys: Set<String> = ["index", "size", "leafHash", "path", "root"]
    static let consistencyKeys: Set<String> = ["oldSize", "newSize", "oldRoot", "newRoot", "path"]

    static func parse(_ data: Data) throws -> ProofDocument {
        guard data.count <= 1 << 20 else { throw Malformed(description: "larger than 1 MiB; no valid proof is") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw Malformed(description: "not JSON")
        }
        guard let dict = object as? [String: Any] else { throw Malformed(description: "not a JSON object") }
        let keys = Set(dict.keys)
        // JSONDecoder reads 1.0 or 1e0 into an integer; the format says integers are written as digits.
        for key in ["index", "size", "oldSize", "newSize"] where keys.contains(key) {
            guard let token = rawToken(after: key, in: data), !token.isEmpty, token.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw Malformed(description: "\(key): must be a non-negative integer written in digits")
            }
        }
        do {
            if keys == inclusionKeys { return .inclusion(try JSONDecoder().decode(InclusionProof.self, from: data)) }
            if keys == consistencyKeys { return .consistency(try JSONDecoder().decode(ConsistencyProof.self, from: data)) }
        } catch let DecodingError.dataCorrupted(ctx) {
            throw Malformed(description: "\(path(ctx.codingPath)): \(ctx.debugDescription)")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw Malformed(description: "\(path(ctx.codingPath)): wrong type (\(ctx.debugDescription))")
        } catch {
            throw Malformed(description: "\(error)")
        }
        throw Malformed(description: "keys \(keys.sorted()) are neither an inclusion proof \(inclusionKeys.sorted()) nor a consistency proof \(consistencyKeys.sorted())")
    }

    /// The raw bytes of the value after `"key":` (keys here are unique, and every other value is a hex string).
    static func rawToken(after key: String, in data: Data) -> [UInt8]? {
        let bytes = [UInt8](data), needle = Array("\"\(key)\"".utf8)
        guard bytes.count >= needle.count else { return nil }
        var i = 0
        while i + needle.count <= bytes.count {
            if bytes[i..<(i + needle.count)].elementsEqual(needle) { break }
            i += 1
        }
        guard i + needle.count <= bytes.count else { return nil }
        var j = i + needle.count
        let space: Set<UInt8> = [0x20, 0x09, 0x0a, 0x0d]
        while j < bytes.count && space.contains(bytes[j]) { j += 1 }
        guard j < bytes.count && bytes[j] == UInt8(ascii: ":") else { return nil }
        j += 1
        while j < bytes.count && space.contains(bytes[j]) { j += 1 }
        var k = j
        while k < bytes.count && !space.contains(bytes[k]) && bytes[k] != UInt8(ascii: ",") && bytes[k] != UInt8(ascii: "}") { k += 1 }
        return Array(bytes[j..<k])
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
