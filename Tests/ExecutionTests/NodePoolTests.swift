import Testing
import Economics
@testable import Execution

@Suite struct NodePoolTests {
    func seed(_ n: UInt64) -> [UInt8] { publicSeed(from: n) }

    @Test func eligibilityEnforcesMinimumStakesAndExcludesJailed() throws {
        let pool = try NodePool(candidates: [
            NodeCandidate(id: "c1", stake: ERA.units(100_000), role: .core),
            NodeCandidate(id: "c2", stake: ERA.units(100_000) - 1, role: .core),
            NodeCandidate(id: "c3", stake: ERA.units(500_000), role: .core, jailed: true),
            NodeCandidate(id: "f1", stake: ERA.units(50_000), role: .flexible),
            NodeCandidate(id: "f2", stake: ERA.units(50_000) - 1, role: .flexible),
            NodeCandidate(id: "f3", stake: ERA.units(900_000), role: .flexible, jailed: true),
        ])
        #expect(pool.core.map(\.id) == ["c1"])
        #expect(pool.flexible.map(\.id) == ["f1"])
        #expect(pool.excluded == ["c2": .belowCoreMinimum, "c3": .jailed, "f2": .belowFlexibleMinimum, "f3": .jailed])
        #expect(ERA.coreMinimumStake == UInt128(100_000) * 1_000_000_000_000_000_000)
    }

    @Test func duplicateIDsAndBadSeedsAreTypedErrors() throws {
        #expect(throws: NodePoolError.duplicateID("a")) {
            try NodePool(candidates: [NodeCandidate(id: "a", stake: ERA.units(60_000), role: .flexible),
                                      NodeCandidate(id: "a", stake: ERA.units(60_000), role: .flexible)])
        }
        let pool = NodePool.synthetic()
        #expect(throws: NodePoolError.invalidSeedLength(3)) { try pool.selectFlexible(count: 1, seed: [1, 2, 3]) }
    }

    @Test func selectionIsDeterministicWithoutReplacementAndOrderIndependent() throws {
        let pool = NodePool.synthetic()
        let a = try pool.selectFlexible(count: 40, seed: seed(1))
        let b = try pool.selectFlexible(count: 40, seed: seed(1))
        #expect(a == b)
        #expect(Set(a.map(\.id)).count == 40)
        #expect(a.allSatisfy { !$0.jailed && $0.stake >= ERA.flexibleMinimumStake && $0.role == .flexible })
        let c = try pool.selectFlexible(count: 40, seed: seed(2))
        #expect(a != c)
        // The ledger's order does not matter.
        var shuffled = pool.flexible + pool.core
        shuffled.reverse()
        let pool2 = try NodePool(candidates: shuffled)
        #expect(try pool2.selectFlexible(count: 40, seed: seed(1)) == a)
        // Excluding already-serving nodes.
        let rest = try pool.selectFlexible(count: 200, seed: seed(1), excluding: Set(a.map(\.id)))
        #expect(rest.count == pool.flexible.count - 40)
        #expect(Set(rest.map(\.id)).isDisjoint(with: Set(a.map(\.id))))
    }

    @Test func selectionFrequenciesMatchStakeShares() throws {
        let stakes: [UInt64] = [50_000, 100_000, 150_000, 200_000]   // shares 0.1, 0.2, 0.3, 0.4
        let pool = try NodePool(candidates: stakes.enumerated().map { NodeCandidate(id: "n\($0.offset)", stake: ERA.units($0.element) + 7, role: .flexible) })
        var counts = [String: Int]()
        let trials = 4_000
        for s in 0..<trials {
            let pick = try pool.selectFlexible(count: 1, seed: seed(UInt64(s)))
            counts[pick[0].id, default: 0] += 1
        }
        for (i, stake) in stakes.enumerated() {
            let expected = Double(stake) / 500_000
            let observed = Double(counts["n\(i)"] ?? 0) / Double(trials)
            #expect(abs(observed - expected) < 0.03, "n\(i): observed \(observed), expected \(expected)")
        }
    }

    @Test func uniformUInt128IsInRangeAndDeterministic() {
        var a = Xoshiro256(seed32: Array(repeating: 0, count: 32))
        var b = Xoshiro256(seed32: Array(repeating: 0, count: 32))
        let bound = ERA.units(1_000_000_000)
        for _ in 0..<1000 {
            let x = a.nextUInt128(below: bound)
            #expect(x < bound)
            #expect(x == b.nextUInt128(below: bound))
        }
    }
}
