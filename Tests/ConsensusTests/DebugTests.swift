@testable import Consensus
import Testing

@Suite struct DebugTests {
    @Test func perFault() {
        var sets: [Set<Fault>] = Fault.allCases.map { [$0] }
        sets.append(Set(Fault.allCases))
        for f in sets {
            var bad = [UInt64]()
            var heights = [UInt64]()
            for seed in UInt64(0)..<20 {
                var c = SimulationConfig(guardians: 4 + Int(seed % 4), seed: seed)
                c.faults = f
                c.byzantineStakePPM = 333_333
                var sim = NetworkSimulation(c)
                let o = sim.run()
                heights.append(o.committedHeight)
                if !o.violations.isEmpty { bad.append(seed); if bad.count < 3 { print(o.violations.prefix(2)) } }
            }
            print("fault", f.map(\.rawValue).sorted(), "bad", bad, heights)
        }
    }
}
