// secp256k1 signing and recovery (the guardians' certificate scheme), and proof verification.
// Run: swift package benchmark --target MetalayerBenchmarks
import Benchmark
import Merkle
import Metalayer

let benchmarks: @Sendable () -> Void = {
    let signer = GuardianSigner.derived(seed: [7], index: 0)
    let digest = Keccak256.hash(Array("caldera/snapshot/v2\0".utf8) + [UInt8](repeating: 7, count: 64))
    let signature = signer.key.sign(digest: digest)

    Benchmark("secp256k1 sign (libsecp256k1)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
        for _ in b.scaledIterations { blackHole(signer.key.sign(digest: digest)) }
    }
    Benchmark("secp256k1 recover address (libsecp256k1)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
        for _ in b.scaledIterations { blackHole(try! signature.recover(digest: digest)) }
    }

    let w = try! ProofWorkload(.init(rollups: 64, messagesPerRollup: 1024, batch: 1024, guardians: 21, locality: .contiguous, seed: 7))
    let single = w.proofs[0].encoded
    let meta = try! MetaProof(proofs: w.proofs).encoded()
    Benchmark("Individual proof decode + verify (21 guardians, \(w.certificate.signers.count) signatures)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .one)) { b in
        for _ in b.scaledIterations { blackHole(try! CrossChainProof(encoded: single).verify(guardians: w.guardianSet)) }
    }
    Benchmark("Meta-proof of 1024 decode + verify (21 guardians)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .one)) { b in
        for _ in b.scaledIterations { blackHole(try! MetaProof(encoded: meta).verify(guardians: w.guardianSet)) }
    }
}
