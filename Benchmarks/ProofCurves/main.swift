// Prints the full meta-proof curves behind `caldera claims --only proof`: size ratio and L1 gas for
// N ∈ {1, 8, 64, 256, 1024} × {contiguous, random} × {4, 21, 100} guardians, and verification throughput.
// Run: swift run -c release proof-curves
import Foundation
import Measure

let points = ProofMeasure.curve()
print("| guardians (sigs) | locality | N | individual B | meta B (zstd) | meta B (raw) | size ratio | ratio w/o zstd | individual gas | meta gas | gas saved |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for p in points {
    print(String(format: "| %d (%d) | %@ | %d | %d | %d | %d | %.1f× | %.1f× | %d | %d | %.1f%% |", p.guardians, p.signatures, p.locality, p.batch,
                 p.individualBytes, p.metaBytes, p.metaBytesRaw, p.sizeRatio, p.sizeRatioRaw, p.individualGas, p.metaGas, p.gasSaving * 100))
}
print()
print("| guardians | N | individual proofs/s | individual, certificate cached | in meta-proof | meta ÷ individual | meta ÷ cached |")
print("|---:|---:|---:|---:|---:|---:|---:|")
for g in [4, 21, 100] {
    for n in [1, 8, 64, 1024] {
        let t = ProofMeasure.throughput(guardians: g, batch: n, seconds: 0.4)
        print(String(format: "| %d | %d | %.0f | %.0f | %.0f | %.1f× | %.1f× |", g, n, t.individualPerSecond, t.individualCachedPerSecond,
                     t.metaPerSecond, t.metaPerSecond / t.individualPerSecond, t.metaPerSecond / t.individualCachedPerSecond))
    }
}

// Ed25519 verification per CPU-second of this thread (robust to other load on the machine): the
// measurement behind using swift-crypto rather than OpenSSL in the metalayer.
import CCalderaBench
import Crypto

let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 32)) // fixed, for reproducibility
let message = Array("caldera/snapshot/v1\0".utf8) + [UInt8](repeating: 7, count: 64)
let signature = Array(try key.signature(for: message))
let publicKey = key.publicKey
let opensslKey = Array(publicKey.rawRepresentation).withUnsafeBytes { cal_ed25519_key_new($0.baseAddress) }
func rate(_ body: () -> Bool) -> Double {
    var n = 0
    let start = ThreadCPUClock.seconds()
    while ThreadCPUClock.seconds() - start < 1.0 { for _ in 0..<200 { precondition(body()) }; n += 200 }
    return Double(n) / (ThreadCPUClock.seconds() - start)
}
let swiftCrypto = rate { publicKey.isValidSignature(signature, for: message) }
let openssl = rate { message.withUnsafeBytes { m in signature.withUnsafeBytes { s in cal_ed25519_verify(opensslKey, m.baseAddress, m.count, s.baseAddress) == 0 } } }
let signRate = rate { (try? key.signature(for: message)) != nil }
print()
print("| Ed25519 (84-byte message), per CPU-second | swift-crypto | OpenSSL |")
print("|---|---:|---:|")
print(String(format: "| verify | %.0f/s | %.0f/s |", swiftCrypto, openssl))
print(String(format: "| sign | %.0f/s | — |", signRate))
