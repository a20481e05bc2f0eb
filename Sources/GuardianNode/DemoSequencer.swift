import Consensus
import Merkle
import Metalayer
import Wire

/// A stand-in sequencer for local testnets: at wall-clock time t its rollup is at height
/// ⌊(t − genesis) / 1 s⌋ + 1 with roots derived from (rollup, height), signed with a key every guardian's
/// file carries. Every guardian process runs the same ones, so all see the same reports without a network of
/// sequencers (real sequencers arrive with the devnet).
public struct DemoSequencer: Sendable {
    public static let intervalMillis: UInt64 = 1000
    public let rollupId: UInt64
    let key: MetalayerKey

    public init(rollupId: UInt64, key: MetalayerKey) { self.rollupId = rollupId; self.key = key }

    public static func height(now: UInt64, genesisMillis: UInt64) -> UInt64 {
        now < genesisMillis ? 1 : (now - genesisMillis) / intervalMillis + 1
    }

    static func root(_ label: String, _ rollup: UInt64, _ height: UInt64) -> Digest {
        var w = ByteWriter(endianness: .big)
        w.raw(Array("caldera/demo-\(label)/v1\0".utf8)); w.u64(rollup); w.u64(height)
        return SHA256.hash(w.bytes)
    }

    public func report(height: UInt64) -> RollupReport {
        let e = RollupEntry(rollupId: rollupId, height: height, stateRoot: DemoSequencer.root("state", rollupId, height),
                            outboxRoot: DemoSequencer.root("outbox", rollupId, height), outboxSize: height)
        return key.signReport(e)
    }
}
