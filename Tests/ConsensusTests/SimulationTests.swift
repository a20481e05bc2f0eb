import Consensus
import Foundation
import Merkle
import Testing

@Suite struct SimulationTests {
    @Test func goodCaseCommitsEverySlot() {
        var c = SimulationConfig(guardians: 4, seed: 1)
        c.slots = 12
        var sim = NetworkSimulation(c)
        let o = sim.run()
        #expect(o.violations.isEmpty, "\(o.violations)")
        #expect(o.committedHeight >= 11)
        #expect(o.commitLatencies.max()! < 50)
        print("good case:", o.committedHeight, o.commitLatencies.prefix(8), o.messagesDelivered)
    }

    @Test func messageDelays() {
        var c = SimulationConfig(guardians: 4, seed: 2)
        c.latency = .uniform(oneWayMillis: 100)
        c.slots = 6
        var sim = NetworkSimulation(c)
        let o = sim.run()
        #expect(o.violations.isEmpty)
        print("decide:", o.decisionLatencies.prefix(8), "certify:", o.commitLatencies.prefix(8))
    }

    @Test func faultySeeds() {
        let start = Date()
        var bad = [UInt64]()
        var total = 0
        for seed in UInt64(0)..<40 {
            var c = SimulationConfig(guardians: 4 + Int(seed % 4), seed: seed)
            c.faults = Set(Fault.allCases)
            c.byzantineStakePPM = 333_333
            var sim = NetworkSimulation(c)
            let o = sim.run()
            total += o.messagesDelivered
            if !o.violations.isEmpty { bad.append(seed); print(seed, o.violations.prefix(3)) }
        }
        print("seeds took", Date().timeIntervalSince(start), "messages", total)
        #expect(bad.isEmpty)
    }
}
