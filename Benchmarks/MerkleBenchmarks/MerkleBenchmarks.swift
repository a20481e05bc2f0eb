// SHA-256 per backend, Merkle roots from 2^10 to 2^20 leaves, inclusion proofs.
// Run: swift package --allow-writing-to-package-directory benchmark --target MerkleBenchmarks
// (figures and the comparison with `openssl speed` and pymerkle: docs/benchmarks.md)
import Benchmark
import Merkle

let benchmarks: @Sendable () -> Void = {
    let message = [UInt8](repeating: 0xA5, count: 64)
    let batch = (0..<1024 * 64).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    for backend in SHA256.Backend.allCases where backend != .auto && backend.isAvailable {
        Benchmark("SHA-256 64 B single (\(backend))", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
            for _ in b.scaledIterations { blackHole(SHA256.hash(message, backend: backend)) }
        }
        // 1024 messages of 64 B per call: the shape of a Merkle level.
        Benchmark("SHA-256 64 B batch of 1024 (\(backend))", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .one)) { b in
            for _ in b.scaledIterations { blackHole(SHA256.hashMany(batch, length: 64, backend: backend)) }
        }
    }

    for log2 in stride(from: 10, through: 20, by: 2) {
        let leaves = (0..<(1 << log2)).map { i in MerkleHash.leaf(withUnsafeBytes(of: UInt64(i)) { Array($0) }) }
        Benchmark("Merkle root 2^\(log2) leaf hashes", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .one, maxDuration: .seconds(2))) { b in
            for _ in b.scaledIterations { blackHole(MerkleHash.root(leafHashes: leaves)) }
        }
    }

    let n = 1 << 20
    let tree = MerkleTree(leafHashes: (0..<n).map { i in MerkleHash.leaf(withUnsafeBytes(of: UInt64(i)) { Array($0) }) })
    let proofs = (0..<1024).map { i in try! tree.inclusionProof(index: (i &* 7919) % n) }
    Benchmark("Inclusion proof generate (2^20 leaves)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
        var i = 0
        for _ in b.scaledIterations { i = (i &+ 7919) % n; blackHole(try! tree.inclusionProof(index: i)) }
    }
    Benchmark("Inclusion proof verify (2^20 leaves)", configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo)) { b in
        var i = 0
        for _ in b.scaledIterations { i = (i + 1) & 1023; blackHole(try! proofs[i].verify()) }
    }
}
