import ArgumentParser
import Foundation
import Merkle
import Metalayer

struct ProofCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Cross-chain proofs against guardian-signed snapshots, and meta-proofs that carry many of them.",
        discussion: "Formats: docs/proof-format.md. Exit codes: 0 valid, 1 invalid, 2 unreadable or malformed input.",
        subcommands: [Generate.self, Compress.self, Verify.self, Inspect.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a reproducible workload: guardians.json and N individual proofs proof-000001.bin….")
        static let defaults = ProofWorkload.Config()
        @Option(parsing: .unconditional, help: "Number of rollups.") var rollups = defaults.rollups
        @Option(parsing: .unconditional, help: "Messages in each rollup's outbox.") var messages = defaults.messagesPerRollup
        @Option(parsing: .unconditional, help: "Number of proofs to draw.") var batch = defaults.batch
        @Option(parsing: .unconditional, help: "Number of guardians.") var guardians = defaults.guardians
        @Option(help: "Which messages the batch proves: adjacent messages of few rollups, or random ones.") var locality = defaults.locality
        @Option(parsing: .unconditional, help: "Seed: the same seed writes the same bytes.") var seed = defaults.seed
        @Option(help: "Output directory (created if missing).") var out: String

        func run() throws {
            let w = try attempt {
                try ProofWorkload(.init(rollups: rollups, messagesPerRollup: messages, batch: batch, guardians: guardians, locality: locality, seed: seed))
            }
            let dir = URL(fileURLWithPath: out)
            // Leftovers of an earlier run would mix two snapshots under one `proof-*.bin` glob.
            if let existing = try? FileManager.default.contentsOfDirectory(atPath: out),
               existing.contains(where: { $0 == "guardians.json" || ($0.hasPrefix("proof-") && $0.hasSuffix(".bin")) }) {
                throw failure("\(out) already holds a workload (guardians.json or proof-*.bin); choose an empty or new directory")
            }
            try attempt("cannot create \(out)") { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
            let set = try attempt("cannot encode the guardian set") { try w.guardianSet.jsonData() }
            try writeOutput([UInt8](set) + [0x0a], to: dir.appendingPathComponent("guardians.json").path, force: false)
            for (i, p) in w.proofs.enumerated() {
                try writeOutput(p.encoded, to: dir.appendingPathComponent(String(format: "proof-%06d.bin", i + 1)).path, force: false)
            }
            print("wrote guardians.json and \(w.proofs.count) proofs to \(out) (snapshot height \(w.snapshot.header.height), \(w.snapshot.entries.count) rollups, \(guardians) guardians, \(w.certificate.signers.count) signatures)")
        }
    }

    struct Compress: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Combine individual proofs of one snapshot into a meta-proof.")
        @Argument(help: "Individual proof files.") var files: [String]
        @Option(name: .short, help: "Output file for the meta-proof.") var o: String
        @Flag(help: "Skip the zstd stage (it is kept only when it makes the proof smaller).") var noZstd = false
        @Flag(help: "Replace the output file if it exists.") var force = false

        func run() throws {
            guard !files.isEmpty else { throw failure("no proof files given") }
            try checkOutput(o, force: force, inputs: files)
            var proofs = [CrossChainProof]()
            for f in files {
                let bytes = try readInput(f, limit: InputLimit.proof)
                do { proofs.append(try CrossChainProof(encoded: bytes)) } catch {
                    throw failure("\(f): \(error)")
                }
            }
            let meta: MetaProof
            do { meta = try MetaProof(proofs: proofs) } catch { throw failure(describe(error, files: files)) }
            let bytes = meta.encoded(compression: noZstd ? .none : .zstd)
            try writeOutput(bytes, to: o, force: force, inputs: files)
            let total = proofs.reduce(0) { $0 + $1.encoded.count }
            print(String(format: "%d proofs, %d bytes -> meta-proof %d bytes (%.1f× smaller), %d rollups", proofs.count, total, bytes.count,
                         Double(total) / Double(bytes.count), meta.rollups.count))
        }

        func describe(_ e: MetaProof.BuildError, files: [String]) -> String {
            switch e {
            case let .differentSnapshots(a, b): "\(files[b]) is against a different snapshot than \(files[a]); a meta-proof covers one snapshot"
            case let .differentCertificates(a, b): "\(files[b]) carries a different certificate than \(files[a]) for the same snapshot"
            case let .invalidProof(i, r): "\(files[i]) does not verify: \(r)"
            case let .duplicateMessage(a, b): "\(files[a]) and \(files[b]) prove the same message"
            case let .conflictingEntries(a, b): "\(files[a]) and \(files[b]) disagree on a rollup's state"
            case .noProofs: "no proofs"
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify an individual proof or a meta-proof against a guardian set.")
        @Argument(help: "Proof or meta-proof file.") var file: String
        @Option(help: "guardians.json (as written by `proof generate`).") var guardians: String

        func run() throws {
            let setBytes = try readInput(guardians, limit: 1 << 20)
            let set = try attempt(guardians) { try GuardianSet(json: Data(setBytes)) }
            let bytes = try readInput(file, limit: InputLimit.proof)
            let decoded = try attempt(file) { try EncodedProof(bytes) }
            do {
                switch decoded {
                case .individual(let p):
                    try p.verify(guardians: set)
                    print("valid: message \(p.messageIndex) of rollup \(p.entry.rollupId) in snapshot \(p.header.height)")
                case .meta(let m, _):
                    try m.verify(guardians: set)
                    print("valid: \(m.messageCount) messages of \(m.rollups.count) rollups in snapshot \(m.header.height)")
                }
            } catch { throw failure("invalid proof: \(error)", code: ExitStatus.invalid) }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what a proof holds: kind, snapshot, rollups, messages, bytes by section.")
        @Argument(help: "Proof or meta-proof file.") var file: String
        @OptionGroup var format: ReportFormat

        func run() throws {
            let bytes = try readInput(file, limit: InputLimit.proof)
            try format.emit(ProofReport(try attempt(file) { try EncodedProof(bytes) }, byteCount: bytes.count)) { r in
                print("kind:        \(r.kind) (\(r.bytes) bytes, compression \(r.compression))")
                print("snapshot:    height \(r.snapshot.height), guardian set \(r.snapshot.guardianSetId), \(r.snapshot.entryCount) rollups, root \(r.snapshot.root)")
                print("certificate: \(r.signers) of \(r.guardians) guardians signed")
                print("carries:     \(r.messages) messages from \(r.rollups.count) rollups")
                print("sections (uncompressed bytes):")
                for (k, v) in r.sections.sorted(by: { $0.value > $1.value }) { print("  \(k.padding(toLength: 22, withPad: " ", startingAt: 0)) \(v)") }
            }
        }
    }
}

extension ProofWorkload.Locality: ExpressibleByArgument {}
