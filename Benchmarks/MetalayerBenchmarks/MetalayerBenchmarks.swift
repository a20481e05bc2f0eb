// Ed25519 (swift-crypto vs OpenSSL: the measurement behind the metalayer's choice), and proof verification.
// Run: swift package benchmark --target MetalayerBenchmarks
import Benchmark
import CCalderaBench
import Crypto
import Metalayer

let benchmarks: @Sendable () -> Void = {
    let key = Curve25519.Signing.PrivateKey()
    let message = Array("caldera/snapshot/v1\0".utf8) + [UInt8](repeating: 7, count: 64)
    let signature = Array(try! key.signature(for: message))
    let publicKey = key.publicKey
    let raw = Array(publicKey.rawRepresentation)

    Benchmark("Ed25519 verify, swift-crypto", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
        for _ in b.scaledIterations { blackHole(publicKey.isValidSignature(signature, for: message)) }
    }
    let osslKey = raw.withUnsafeBytes { cal_ed25519_key_new($0.baseAddress) }
    Benchmark("Ed25519 verify, OpenSSL", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
        for _ in b.scaledIterations {
            blackHole(message.withUnsafeBytes { m in signature.withUnsafeBytes { s in cal_ed25519_verify(osslKey, m.baseAddress, m.count, s.baseAddress) } })
        }
    }
    Benchmark("Ed25519 sign, swift-crypto", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
        for _ in b.scaledIterations { blackHole(try! key.signature(for: message)) }
    }

    let w = try! ProofWorkload(.init(rollups: 64, messagesPerRollup: 1024, batch: 1024, guardians: 21, locality: .contiguous, seed: 7))
    let single = w.proofs[0].encoded
    let meta = try! MetaProof(proofs: w.proofs).encoded()
    Benchmark("Individual proof decode + verify (21 guardians, 13 signatures)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .one)) { b in
        for _ in b.scaledIterations { blackHole(try! CrossChainProof(encoded: single).verify(guardians: w.guardianSet)) }
    }
    Benchmark("Meta-proof of 1024 decode + verify (21 guardians)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .one)) { b in
        for _ in b.scaledIterations { blackHole(try! MetaProof(encoded: meta).verify(guardians: w.guardianSet)) }
    }
}
