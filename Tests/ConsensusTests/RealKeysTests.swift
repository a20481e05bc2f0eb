import Consensus
import Merkle
import Metalayer
import Testing

/// Four cores with real secp256k1 keys, messages passed by hand in order: the certificate they commit is
/// a Metalayer QuorumCertificate that `QuorumCertificate.verify` accepts, as cross-chain proofs need.
@Suite struct RealKeysTests {
    @Test func committedCertificateIsAMetalayerCertificate() throws {
        let signers = (0..<4).map { GuardianSigner.derived(seed: Array("test".utf8), index: UInt64($0)) }
        let set = try GuardianSet(id: 3, guardians: signers.enumerated().map { i, s in
            try Guardian(address: s.address, stake: ERAStake.guardian * UInt128(1 + i)) })
        let sequencer = Secp256k1.PrivateKey.derived(seed: Array("seq".utf8), index: 0)
        let verifier = Secp256k1Verifier(sequencers: [9: sequencer.address])
        let config = ConsensusConfig(schedule: CommitteeSchedule(try Committee(set)), genesisMillis: 1000, slotMillis: 1000)
        var cores = signers.map { GuardianCore(config: config, key: Secp256k1GuardianKey($0), verifier: verifier, now: 0) }
        let entry = RollupEntry(rollupId: 9, height: 1, stateRoot: SHA256.hash([1]), outboxRoot: SHA256.hash([2]), outboxSize: 1)
        var inbox = [(Int, ConsensusMessage)]()
        func deliver(_ i: Int, _ r: Ready) {
            for o in r.messages { for (j, s) in signers.enumerated() where o.to.contains(s.address.bytes) { inbox.append((j, o.message)) } }
        }
        for i in cores.indices { deliver(i, cores[i].step(.report(Secp256k1Verifier.signReport(entry, with: sequencer)), now: 1000)) }
        for i in cores.indices { deliver(i, cores[i].step(.tick, now: 1000)) }
        var committed = [CommittedSnapshot]()
        var steps = 0
        while !inbox.isEmpty && steps < 10_000 {
            let (j, m) = inbox.removeFirst(); steps += 1
            let r = cores[j].step(.message(m), now: 1001)
            committed += r.committed
            deliver(j, r)
        }
        #expect(committed.count == 4)
        for c in committed {
            let qc = try #require(c.certificate.quorumCertificate)
            try qc.verify(header: c.value.header, set: set)
            #expect(c.value.snapshot.entries == [entry])
        }
    }
}

enum ERAStake { static let guardian: UInt128 = 500_000 * 1_000_000_000_000_000_000 }
