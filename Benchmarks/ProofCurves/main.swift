// Prints the full meta-proof curves behind `caldera claims --only proof`: size ratio and L1 gas for
// N ∈ {1, 8, 64, 256, 1024} × {contiguous, random} × {4, 21, 100} guardians, and verification throughput.
// Run: swift run -c release proof-curves   (--signatures: only the secp256k1 sign and recover rates)
import Foundation
import Measure

let signaturesOnly = CommandLine.arguments.contains("--signatures")
if !signaturesOnly {
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

}

// secp256k1 (libsecp256k1 through the C core) per CPU-second of this thread: what signing a header and
// checking one certificate signature cost. `proof-curves --signatures` prints only this table.
let sig = ProofMeasure.signatureRates()
print()
print("| secp256k1 (32-byte digest), per CPU-second, one core | rate |")
print("|---|---:|")
print(String(format: "| sign (RFC 6979, low-s) | %.0f/s |", sig.signPerSecond))
print(String(format: "| recover address (ecrecover's work + keccak) | %.0f/s |", sig.recoverPerSecond))
