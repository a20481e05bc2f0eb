@testable import Consensus
import Merkle
import Metalayer
import Testing
import TestSupport

/// The wire format: every message kind round-trips; every byte change, truncation and oversized count is an
/// error or another well-formed message, never a trap.
@Suite struct CodecTests {
    static func messages() -> [ConsensusMessage] {
        var sim = NetworkSimulation({ var c = SimulationConfig(guardians: 4, seed: 3); c.slots = 4; return c }())
        _ = sim.run()
        let core = sim.nodes[0].core!
        let committed = core.committed.values.sorted { $0.height < $1.height }
        let value = try! SnapshotValue(guardianSetId: 1, height: 5, timestampMillis: 13_000, reports: committed[0].value.reports)
        var p = Proposal(setId: 1, height: 5, round: 2, validRound: 1, value: value, proposer: 3, signature: [9, 9])
        let v = Vote(kind: .precommit, setId: 1, height: 5, round: 2, value: value.id, voter: 2, signature: [1, 2, 3])
        p.justification = [Vote(kind: .prevote, setId: 1, height: 5, round: 1, value: value.id, voter: 1, signature: [4])]
        return [.proposal(p), .vote(v), .vote(Vote(kind: .prevote, setId: 1, height: 5, round: 0, value: nil, voter: 0, signature: [])),
                .share(Share(height: 5, value: value.id, signer: 1, signature: [7])), .committed(Array(committed.prefix(3))),
                .syncRequest(from: 2, height: 9)]
    }

    @Test func roundTrips() throws {
        for m in CodecTests.messages() {
            let bytes = Codec.encode(m)
            #expect(try Codec.decode(bytes) == m)
            #expect(throws: ConsensusDecodeError.self) { try Codec.decode(bytes + [0]) }
        }
    }

    @Test func mutationsNeverTrap() {
        var rng = TestRNG(seed: 11)
        for m in CodecTests.messages() {
            let bytes = Codec.encode(m)
            for cut in 0..<bytes.count { #expect(throws: ConsensusDecodeError.self) { try Codec.decode(Array(bytes[..<cut])) } }
            for i in bytes.indices {
                var b = bytes
                b[i] ^= UInt8(1 + rng.next() % 255)
                _ = try? Codec.decode(b)   // an error or a different message; the point is no trap or huge allocation
            }
        }
    }

    @Test func boundsAreCheckedBeforeAllocating() {
        // A proposal claiming 2^40 reports, and a committed batch over the limit.
        var w = [UInt8]([1, 1]) + [UInt8](repeating: 0, count: 8 + 8 + 4) + [0, 0, 0, 0, 0, 0, 0, 0] + [0] + [0] + [UInt8](repeating: 0, count: 8)
        w += [0x80, 0x80, 0x80, 0x80, 0x80, 0x20]
        #expect(throws: ConsensusDecodeError.self) { try Codec.decode(w) }
        #expect(throws: ConsensusDecodeError.self) { try Codec.decode([1, 4, 17]) }
        #expect(throws: ConsensusDecodeError.self) { try Codec.decode([2, 5, 0, 0]) }
        #expect(throws: ConsensusDecodeError.self) { try Codec.decode([1, 9]) }
        #expect(throws: ConsensusDecodeError.self) { try Codec.decode([UInt8](repeating: 0, count: Codec.maxMessageBytes + 1)) }
    }
}
