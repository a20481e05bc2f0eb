import Foundation
import Merkle
import Metalayer

/// The metalayer's measurements — meta-proof size and L1 gas against the proofs it carries, and verification
/// throughput — on generated workloads (64 rollups × 1,024 outbox messages of ERC-20-style transfers, guardian
/// sets of 4, 21 and 100 with quorum-trimmed certificates). `caldera claims --only proof` and `proof-curves` print them.
public enum ProofMeasure {
    public static let batches = [1, 8, 64, 256, 1024]
    public static let guardianCounts = [4, 21, 100]

    /// One point of the size and gas curves.
    public struct Point: Sendable, Codable {
        public var batch: Int
        public var locality: String
        public var guardians: Int
        public var signatures: Int
        public var individualBytes: Int
        public var metaBytes: Int          // with the zstd stage (kept only where it helps)
        public var metaBytesRaw: Int       // without it
        public var individualGas: Int
        public var metaGas: Int
        public var sizeRatio: Double { Double(individualBytes) / Double(metaBytes) }
        public var sizeRatioRaw: Double { Double(individualBytes) / Double(metaBytesRaw) }
        public var gasSaving: Double { 1 - Double(metaGas) / Double(individualGas) }
    }

    public static func workload(guardians: Int, locality: ProofWorkload.Locality, batch: Int = 1024) -> ProofWorkload {
        // Configuration errors here are programming errors: the values are constants above.
        try! ProofWorkload(.init(rollups: 64, messagesPerRollup: 1024, batch: batch, guardians: guardians, locality: locality, seed: 7))
    }

    /// Every (batch, locality, guardians) point; batches are prefixes of one 1,024-proof draw.
    public static func curve(gas: GasModel = GasModel()) -> [Point] {
        var points = [Point]()
        for g in guardianCounts {
            for loc in ProofWorkload.Locality.allCases {
                let w = workload(guardians: g, locality: loc)
                for n in batches {
                    let proofs = Array(w.proofs.prefix(n))
                    let meta = try! MetaProof(proofs: proofs)
                    points.append(Point(batch: n, locality: loc.rawValue, guardians: g, signatures: w.certificate.signers.count,
                                        individualBytes: proofs.reduce(0) { $0 + $1.encoded.count },
                                        metaBytes: meta.encoded(compression: .zstd).count,
                                        metaBytesRaw: meta.encoded(compression: .none).count,
                                        individualGas: proofs.reduce(0) { $0 + gas.individual($1) }, metaGas: gas.meta(meta)))
                }
            }
        }
        return points
    }

    /// Proofs verified per second, individually (each checks its own certificate; and with the
    /// certificate cached per snapshot) and inside one meta-proof, decoding included.
    public struct Throughput: Sendable {
        public var batch: Int
        public var individualPerSecond: Double
        public var individualCachedPerSecond: Double
        public var metaPerSecond: Double
    }

    public static func throughput(guardians: Int = 21, locality: ProofWorkload.Locality = .contiguous, batch: Int = 1024,
                                  seconds: Double = 0.7) -> Throughput {
        let w = workload(guardians: guardians, locality: locality, batch: batch)
        let set = w.guardianSet
        let encoded = w.proofs.map(\.encoded)
        let metaBytes = try! MetaProof(proofs: w.proofs).encoded()
        func rate(_ perRound: Int, _ body: () -> Void) -> Double {
            let clock = ContinuousClock()
            let start = clock.now
            var rounds = 0
            repeat { body(); rounds += 1 } while clock.now - start < .seconds(seconds)
            return Double(rounds * perRound) / (clock.now - start).seconds
        }
        var ok = true
        let individual = rate(encoded.count) {
            for b in encoded { ok = ok && (try? CrossChainProof(encoded: b).verify(guardians: set)) != nil }
        }
        let cached = rate(encoded.count) {
            var verified = Set<SnapshotHeader>()
            for b in encoded {
                guard let p = try? CrossChainProof(encoded: b) else { ok = false; continue }
                if verified.contains(p.header) { ok = ok && (try? p.verifyPaths()) != nil }
                else { ok = ok && (try? p.verify(guardians: set)) != nil; verified.insert(p.header) }
            }
        }
        let meta = rate(batch) { ok = ok && (try? MetaProof(encoded: metaBytes).verify(guardians: set)) != nil }
        precondition(ok, "generated proofs must verify")
        return Throughput(batch: batch, individualPerSecond: individual, individualCachedPerSecond: cached, metaPerSecond: meta)
    }
}

extension ProofMeasure {
    /// secp256k1 signatures per CPU-second of the calling thread (robust to other load on the machine):
    /// signing a snapshot header's digest, and recovering the signer's address from it (what verifying one
    /// certificate signature costs). Fixed keys derived from seed 7, one digest per header height.
    public struct SignatureRates: Sendable {
        public var signPerSecond: Double
        public var recoverPerSecond: Double
    }

    public static func signatureRates(seconds: Double = 1.0) -> SignatureRates {
        let signer = GuardianSigner.derived(seed: [7], index: 0)
        let digests = (0..<64).map { Keccak256.hash([UInt8(truncatingIfNeeded: $0)]) }
        let signatures = digests.map { signer.key.sign(digest: $0) }
        func rate(_ body: (Int) -> Bool) -> Double {
            var n = 0, ok = true
            let start = ThreadCPUClock.seconds()
            while ThreadCPUClock.seconds() - start < seconds { for i in 0..<64 { ok = body(i) && ok }; n += 64 }
            precondition(ok, "signatures must recover to their signer")
            return Double(n) / (ThreadCPUClock.seconds() - start)
        }
        let sign = rate { signer.key.sign(digest: digests[$0]).bytes.count == 65 }
        let recover = rate { (try? signatures[$0].recover(digest: digests[$0])) == signer.address }
        return SignatureRates(signPerSecond: sign, recoverPerSecond: recover)
    }
}
