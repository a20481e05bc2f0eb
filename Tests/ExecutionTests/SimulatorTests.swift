import Foundation
import Testing
@testable import Execution

@Suite struct SimulatorTests {
    @Test(arguments: PolicyKind.allCases)
    func conservationServedDroppedQueuedEqualsArrived(kind: PolicyKind) {
        var config = SimulationConfig()
        config.queueCapacity = 500      // small bound: force drops for the under-provisioned policies
        let w = stepWorkload()
        let r = ExecutionRunner.run(kind, workload: w, config: config)
        #expect(r.arrivedTx == w.arrivals.count)
        #expect(r.servedTx + r.droppedTx + r.queuedAtEnd == r.arrivedTx)
        #expect(r.maxServingNodes <= 100)
        #expect(r.nodeSeconds >= 10 * 60 - 1e-6)       // the core floor always serves
        #expect(r.idleNodeSeconds >= 0 && r.idleNodeSeconds <= r.nodeSeconds)
        #expect(r.timeline.count == 60)
    }

    @Test func oneSeedReproducesARunExactly() {
        var config = SimulationConfig()
        config.seed = 42
        let w = Scenario.settlementSpike20x.workload(config: config, seed: 42)
        let a = ExecutionRunner.run(.caldera, workload: w, config: config)
        let b = ExecutionRunner.run(.caldera, workload: Scenario.settlementSpike20x.workload(config: config, seed: 42), config: config)
        #expect(a == b)
        config.seed = 43
        let c = ExecutionRunner.run(.caldera, workload: Scenario.settlementSpike20x.workload(config: config, seed: 43), config: config)
        #expect(a.servedTx != c.servedTx || a.p99DelaySeconds != c.p99DelaySeconds)
    }

    @Test func calderaReachesTheCeilingWithinThreeSecondsAndBeatsHPA() {
        let config = SimulationConfig()
        let w = stepWorkload()
        let cal = ExecutionRunner.run(.caldera, workload: w, config: config)
        let hpa = ExecutionRunner.run(.hpa, workload: w, config: config)
        let peak = ExecutionRunner.run(.fixedPeak, workload: w, config: config)
        #expect(cal.scaleUpSeconds != nil)
        #expect(cal.scaleUpSeconds! <= 3)
        #expect(cal.scaleUpSeconds! >= config.activationDelay)   // a joining node needs its activation time
        #expect(cal.p99DelaySeconds < hpa.p99DelaySeconds)
        #expect(cal.nodeSeconds < peak.nodeSeconds)
        #expect(peak.scaleUpSeconds == 0)
        #expect(ExecutionRunner.run(.fixedMean, workload: w, config: config).scaleUpSeconds == nil)
    }

    @Test func activationDelayIsHonoured() {
        var config = SimulationConfig()
        config.activationDelay = 2.5
        let r = ExecutionRunner.run(.caldera, workload: stepWorkload(), config: config)
        #expect(r.activationDelaySeconds == 2.5)
        #expect(r.scaleUpSeconds! >= 2.5)
        #expect(r.conditions.contains("activation delay 2.5 s"))
    }

    @Test func fixedSizing() {
        let config = SimulationConfig()
        #expect(ExecutionRunner.fixedSize(rate: 800, config: config) == 100)
        #expect(ExecutionRunner.fixedSize(rate: 10, config: config) == 10)
        #expect(ExecutionRunner.fixedSize(rate: 5_000, config: config) == 100)
        #expect(ExecutionRunner.fixedSize(rate: 260, config: config) == 33)
    }

    @Test func scenarioShapes() {
        let config = SimulationConfig()
        let w = Scenario.settlementBurst.workload(config: config, seed: 1)
        let before = w.arrivals.filter { $0 >= 10 && $0 < 60 }.count
        let during = w.arrivals.filter { $0 >= 61 && $0 < 121 }.count
        #expect(abs(Double(before) / 50 - 80) < 8)
        #expect(abs(Double(during) / 60 - 800) < 40)
        #expect(w.stepTime == 60)
        let s = Scenario.settlementSpike20x.workload(config: config, seed: 1)
        let low = Double(s.arrivals.filter { $0 < 60 }.count) / 60
        let high = Double(s.arrivals.filter { $0 >= 61 && $0 < 91 }.count) / 30
        #expect(abs(high / low - 20) < 3)
    }

    @Test func jsonHasTheDocumentedKeysAndNullScaleUp() throws {
        var config = SimulationConfig()
        config.seed = 1
        let w = ArrivalWorkload(name: "flat", arrivals: (0..<100).map { Double($0) * 0.1 }, duration: 10, description: "flat")
        let r = ExecutionRunner.run(.caldera, workload: w, config: config)
        #expect(r.scaleUpSeconds == nil)
        let obj = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
        for key in ["policy", "input", "servedTx", "droppedTx", "p50DelaySeconds", "p99DelaySeconds", "nodeSeconds", "maxServingNodes", "scaleUpSeconds", "activationDelaySeconds"] {
            #expect(obj.keys.contains(key), "missing \(key)")
        }
        #expect(obj["scaleUpSeconds"] is NSNull)
    }

    @Test func svgPlotIsWellFormed() {
        let config = SimulationConfig()
        let w = stepWorkload()
        let results = [PolicyKind.caldera, .hpa].map { ExecutionRunner.run($0, workload: w, config: config) }
        let svg = SVGPlot.render(results: results, title: "t <&>")
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("</svg>"))
        #expect(svg.contains("t &lt;&amp;&gt;"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 1 + 2 * 2)
    }
}

@Suite struct EqualDelayFixedTests {
    /// The bisection's answer meets the delay bound and one node fewer does not (checked by direct runs).
    @Test func smallestFixedIsTheBoundary() throws {
        var config = SimulationConfig()
        config.recordTimeline = false
        let w = stepWorkload()
        let cal = ExecutionRunner.run(.caldera, workload: w, config: config)
        let found = try #require(ExecutionRunner.smallestFixed(meetingP99: cal.p99DelaySeconds, dropped: cal.droppedTx, workload: w, config: config))
        #expect(found.result.p99DelaySeconds <= cal.p99DelaySeconds && found.result.droppedTx <= cal.droppedTx)
        #expect(found.result.nodeSeconds == Double(found.nodes) * w.duration)
        #expect(found.nodes > config.floor)
        let sim = Simulator(config: config)
        let below = sim.run(workload: w, policy: FixedPolicy(nodes: found.nodes - 1, label: "fixed"), initialNodes: found.nodes - 1)
        #expect(below.p99DelaySeconds > cal.p99DelaySeconds || below.droppedTx > cal.droppedTx)
    }

    @Test func noFixedSizeMeetsAnImpossibleBound() {
        var config = SimulationConfig()
        config.recordTimeline = false
        config.maxNodes = 20     // the step needs 100 nodes: 20 cannot keep p99 at 0
        #expect(ExecutionRunner.smallestFixed(meetingP99: 0, dropped: 0, workload: stepWorkload(), config: config) == nil)
    }
}
