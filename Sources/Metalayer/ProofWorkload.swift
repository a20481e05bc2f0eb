import Economics
import Foundation
import Merkle

/// A reproducible cross-chain workload: R rollups with M outbox messages each, one guardian-signed
/// snapshot, and N proofs drawn from the outboxes. One seed gives the same bytes every time.
public struct ProofWorkload: Sendable {
    public enum Locality: String, CaseIterable, Sendable {
        /// adjacent messages of few rollups, as a busy bridge relays them
        case contiguous
        /// messages anywhere, uniformly
        case random
    }

    /// A workload's shape. The defaults are `caldera proof generate`'s (the CLI reads them from here).
    public struct Config: Sendable {
        public var rollups = 16, messagesPerRollup = 1024, batch = 64, guardians = 21
        public var locality = Locality.contiguous
        public var seed: UInt64 = 1
        public init() {}
        public init(rollups: Int, messagesPerRollup: Int, batch: Int, guardians: Int, locality: Locality, seed: UInt64) {
            self.rollups = rollups; self.messagesPerRollup = messagesPerRollup; self.batch = batch
            self.guardians = guardians; self.locality = locality; self.seed = seed
        }
    }

    public enum ConfigError: Error, CustomStringConvertible {
        case invalid(String)
        public var description: String { if case let .invalid(m) = self { return m }; return "" }
    }

    public let config: Config
    public let guardianSet: GuardianSet
    public let snapshot: Snapshot
    public let certificate: QuorumCertificate
    public let proofs: [CrossChainProof]

    /// The most proof bytes one workload generates (they are all held in memory until written).
    public static let maxTotalBytes = 256 << 20

    /// An upper estimate of one encoded proof: header, certificate (bitmap and > 2/3 of the signatures),
    /// entry, message, and both Merkle paths.
    public static func estimatedProofBytes(_ c: Config) -> Int {
        func depth(_ n: Int) -> Int { n <= 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount }
        let signers = c.guardians * 2 / 3 + 1
        return 256 + (c.guardians + 7) / 8 + 65 * signers + 32 * (depth(c.rollups) + depth(c.messagesPerRollup)) + 160
    }

    public init(_ c: Config) throws {
        guard c.rollups >= 1, c.rollups <= 1 << 16 else { throw ConfigError.invalid("--rollups must be 1…65536") }
        guard c.messagesPerRollup >= 1, c.messagesPerRollup <= 1 << 20 else { throw ConfigError.invalid("--messages must be 1…1048576") }
        guard c.rollups * c.messagesPerRollup <= 1 << 24 else { throw ConfigError.invalid("rollups × messages must be at most 16777216") }
        guard c.batch >= 1, c.batch <= c.rollups * c.messagesPerRollup else { throw ConfigError.invalid("--batch must be 1…rollups × messages") }
        guard c.guardians >= 1, c.guardians <= Int(ProofLimits.maxGuardians) else { throw ConfigError.invalid("--guardians must be 1…\(ProofLimits.maxGuardians)") }
        // Every proof is held until written: refuse up front what would not fit, instead of finding out.
        let each = ProofWorkload.estimatedProofBytes(c)
        guard c.batch <= ProofWorkload.maxTotalBytes / each else {
            throw ConfigError.invalid("--batch \(c.batch) proofs of about \(each) bytes each (\(c.guardians) guardians) would be about \((c.batch * each) >> 20) MiB; "
                                      + "one run generates at most \(ProofWorkload.maxTotalBytes >> 20) MiB (\(ProofWorkload.maxTotalBytes / each) such proofs)")
        }
        config = c
        var rng = SplitMix64(seed: c.seed)

        // Guardians: keys derived from the seed, stakes 500k…2M ERA.
        var signers = [Int: GuardianSigner]()
        var members = [Guardian]()
        let keySeed = withUnsafeBytes(of: c.seed.bigEndian) { Array($0) }
        for i in 0..<c.guardians {
            let signer = GuardianSigner.derived(seed: keySeed, index: UInt64(i))
            signers[i] = signer
            let era = 500_000 + rng.next() % 1_500_001
            members.append(try Guardian(address: signer.address, stake: ERA.units(era)))
        }
        guardianSet = try GuardianSet(id: 1 + c.seed % 1000, guardians: members)

        // Rollups and their outboxes: ERC-20-style bridge transfers from the rollup's bridge contract.
        let ids = (0..<c.rollups).map { UInt64(10_000 + $0 * 7 + 1) }
        let recipients = (0..<1024).map { _ in rng.bytes(20) }
        var entries = [RollupEntry]()
        var outboxes = [[CrossChainMessage]]()
        var trees = [MerkleTree]()
        for r in 0..<c.rollups {
            let bridge = rng.bytes(20)
            var msgs = [CrossChainMessage]()
            msgs.reserveCapacity(c.messagesPerRollup)
            for n in 0..<c.messagesPerRollup {
                var payload: [UInt8] = [0xa9, 0x05, 0x9c, 0xbb] + [UInt8](repeating: 0, count: 12)   // transfer(address,uint256)
                payload += recipients[Int(rng.next() % 1024)]
                payload += [UInt8](repeating: 0, count: 24) + withUnsafeBytes(of: (rng.next() % 1_000_000_000_000).bigEndian) { Array($0) }
                let dest = ids[Int(rng.next() % UInt64(c.rollups))]
                msgs.append(CrossChainMessage(source: ids[r], destination: dest, nonce: UInt64(n), sender: bridge,
                                              recipient: recipients[Int(rng.next() % 1024)], payload: payload))
            }
            let tree = MerkleTree(leaves: msgs.map(\.encoded))
            entries.append(RollupEntry(rollupId: ids[r], height: 1_000 + rng.next() % 100_000, stateRoot: Digest(bytes: rng.bytes(32))!,
                                       outboxRoot: tree.root, outboxSize: UInt64(c.messagesPerRollup)))
            outboxes.append(msgs)
            trees.append(tree)
        }
        let height = 100_000 + c.seed % 1000
        snapshot = try Snapshot(guardianSetId: guardianSet.id, height: height, timestampMillis: 1_764_000_000_000 + height * 3_000, entries: entries)
        certificate = QuorumCertificate.sign(header: snapshot.header, set: guardianSet, signers: signers)

        // Which messages get proven.
        var picks = [(rollup: Int, index: Int)]()
        switch c.locality {
        case .contiguous:
            var r = Int(rng.next() % UInt64(c.rollups)), i = Int(rng.next() % UInt64(c.messagesPerRollup))
            while picks.count < c.batch {
                picks.append((r, i))
                i += 1
                if i == c.messagesPerRollup { i = 0; r = (r + 1) % c.rollups }
            }
        case .random:
            var seen = Set<Int>()
            let total = c.rollups * c.messagesPerRollup
            while picks.count < c.batch {
                let k = Int(rng.next() % UInt64(total))
                if seen.insert(k).inserted { picks.append((k / c.messagesPerRollup, k % c.messagesPerRollup)) }
            }
        }
        let snapshot = snapshot, certificate = certificate
        proofs = try picks.map { pick in
            let entryIndex = snapshot.index(ofRollup: ids[pick.rollup])!
            return CrossChainProof(header: snapshot.header, certificate: certificate, entry: snapshot.entries[entryIndex],
                                   entryIndex: UInt64(entryIndex), snapshotPath: snapshot.tree.inclusionPath(index: entryIndex),
                                   messageIndex: UInt64(pick.index), message: outboxes[pick.rollup][pick.index],
                                   outboxPath: try trees[pick.rollup].inclusionProof(index: pick.index).path)
        }
    }
}
