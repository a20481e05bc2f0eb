import CCalderaBench
import Foundation
import Measure
import Merkle

/// `merkle.throughput`: Merkle node hashes per second on one core, as a ratio to the SHA-256 limit
/// of the same machine measured in the same run (`openssl speed -evp sha256 -bytes 64`).
public enum MerkleClaims {
    /// Node hashes per CPU-second (CPU time of this thread, as `openssl speed` counts) building roots over `leaves` leaf hashes, for about `seconds` of CPU.
    public static func nodeHashRate(leaves: Int = 1 << 16, seconds: Double = 1.0, backend: SHA256.Backend = .auto) -> Double {
        var rng = SplitMix64(seed: 42)
        let hashes = (0..<leaves).map { _ in MerkleHash.leaf(withUnsafeBytes(of: rng.next()) { Array($0) }) }
        var roots = 0
        let start = ThreadCPUClock.seconds()
        var elapsed = 0.0
        var sink = Digest.zero
        repeat {
            sink = MerkleHash.root(leafHashes: hashes, backend: backend)
            roots += 1
            elapsed = ThreadCPUClock.seconds() - start
        } while elapsed < seconds
        precondition(sink != .zero)
        return Double(roots * (leaves - 1)) / elapsed
    }

    /// Hashes per CPU-second of one 65-byte node at a time (no interleaving), for the conditions text.
    public static func singleStreamRate(seconds: Double = 0.5) -> Double {
        var h = MerkleHash.leaf([UInt8]())
        var n = 0
        let start = ThreadCPUClock.seconds()
        var elapsed = 0.0
        repeat {
            for _ in 0..<10_000 { h = MerkleHash.node(h, h) }
            n += 10_000
            elapsed = ThreadCPUClock.seconds() - start
        } while elapsed < seconds
        return Double(n) / elapsed
    }

    /// `openssl speed -mr -evp sha256 -bytes 64 -seconds 1`, parsed; nil if the CLI is missing.
    public static func opensslSpeed64() -> Double? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl", "speed", "-mr", "-evp", "sha256", "-bytes", "64", "-seconds", "1"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe // the "+R:" result line goes to stderr
        do { try p.run() } catch { return nil }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        // "+R:<count>:sha256:<seconds>"
        for line in out.split(separator: "\n") where line.hasPrefix("+R:") {
            let f = line.split(separator: ":")
            if f.count >= 4, let count = Double(f[1]), let secs = Double(f[3]), secs > 0 { return count / secs }
        }
        return nil
    }

    public static func measure(_ context: ClaimContext) -> [ClaimResult] {
        let ours = nodeHashRate()
        let single = singleStreamRate()
        var inProcess = -1.0 // as before: -1 when libcrypto fails
        _ = cal_openssl_sha256_rate(64, 1.0, &inProcess)
        let cli = opensslSpeed64()
        let limit = cli ?? inProcess
        let ratio = ours / limit
        let m = { (x: Double) in String(format: "%.2f M/s", x / 1e6) }
        let cpu = cpuModel() ?? "unknown CPU"
        var conditions = "one core, rates per CPU-second of the measuring thread (as openssl speed counts); \(cpu); SHA-256 backend \(SHA256.Backend.resolvedAuto); roots over 2^16 leaf hashes "
        let lanes = SHA256.Backend.resolvedAuto == .shaNI ? "four interleaved SHA-NI streams" : "backend \(SHA256.Backend.resolvedAuto), no interleaving"
        conditions += "repeated for 1 s: \(m(ours)) node hashes (65-byte messages, \(lanes)); "
        conditions += "limit = " + (cli != nil ? "`openssl speed -evp sha256 -bytes 64`: \(m(cli!))" : "`openssl` CLI not found, in-process EVP loop")
        conditions += "; in-process EVP 64 B: \(m(inProcess)); one node at a time: \(m(single)); goal ≥ 2×"
        return [ClaimResult(id: "merkle.throughput",
                            claim: "Merkle hashing runs well past a general-purpose SHA-256 call on one core",
                            target: "≥ 1.5× openssl speed (64 B)", measured: ratio, unit: "×",
                            holds: ratio >= 1.5, conditions: conditions)]
    }

    static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
