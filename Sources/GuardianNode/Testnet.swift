import Consensus
import Economics
import Merkle

/// A local testnet: N guardians on 127.0.0.1, ports base…base+N−1, equal stakes at the guardian minimum,
/// R demo rollups whose sequencer keys every guardian's file carries, so that all run the same sequencers.
public enum Testnet {
    public struct Plan: Sendable {
        public var guardians: Int
        public var basePort: Int
        public var rollups: Int = 4
        public var slotMillis: UInt64 = 3000
        public var genesisMillis: UInt64
        public var stake: UInt128 = ERA.guardianMinimumStake
        /// With a relay in front of each guardian: peers dial relayBasePort + i, the guardian listens on basePort + i.
        public var relayBasePort: Int?
        public var guardianSetId: UInt64 = 1
        public init(guardians: Int, basePort: Int, genesisMillis: UInt64) {
            self.guardians = guardians; self.basePort = basePort; self.genesisMillis = genesisMillis
        }
    }

    /// One configuration per guardian, in order; keys come from `newKey` (random in the CLI, seeded in tests).
    public static func configs(_ p: Plan, newKey: () -> MetalayerKey = MetalayerKey.generate) -> [GuardianConfig] {
        let keys = (0..<p.guardians).map { _ in newKey() }
        let sequencers = (0..<p.rollups).map { _ in newKey() }
        let members = keys.enumerated().map { i, k in
            GuardianConfig.Member(signer: k.address.checksummed, stake: String(p.stake),
                                  address: "127.0.0.1:\((p.relayBasePort ?? p.basePort) + i)",
                                  listen: p.relayBasePort == nil ? nil : "127.0.0.1:\(p.basePort + i)")
        }
        let seq = sequencers.enumerated().map { i, k in
            GuardianConfig.Sequencer(rollupId: UInt64(i + 1), signer: k.address.checksummed, demoPrivateKey: Hex.encode(k.privateKey))
        }
        return keys.map { k in
            GuardianConfig(guardianSetId: p.guardianSetId, privateKey: Hex.encode(k.privateKey), guardians: members, slotMillis: p.slotMillis,
                           genesisMillis: p.genesisMillis, sequencers: seq)
        }
    }
}
