import Testing
@testable import Execution

@Suite struct CalderaPolicyTests {
    /// Drives the policy with a fluid plant: a queue fed at `rate` and drained at serving × μ (10 tx/s);
    /// decided nodes serve after the activation delay.
    func drive(_ policy: inout CalderaPolicy, rate: (Double) -> Double, until end: Double, start: Int = 10) -> [(t: Double, serving: Int, target: Int)] {
        var trace: [(Double, Int, Int)] = []
        var pending: [(ready: Double, count: Int)] = []
        var serving = start
        var queue = 0.0
        var t = 0.0
        let dt = policy.controlInterval
        while t < end {
            t += dt
            queue = max(0, queue + (rate(t) - Double(serving) * 10) * dt)
            serving += pending.filter { $0.ready <= t }.map(\.count).reduce(0, +)
            pending.removeAll { $0.ready <= t }
            let activating = pending.map(\.count).reduce(0, +)
            let d = policy.decide(signals: signals(rate: rate(t), queue: Int(queue), serving: serving, activating: activating), now: t)
            let committed = serving + activating
            if d.targetNodes > committed { pending.append((t + policy.configuration.activationDelay, d.targetNodes - committed)) }
            if d.targetNodes < committed { serving -= committed - d.targetNodes }
            trace.append((t, serving, d.targetNodes))
        }
        return trace
    }

    @Test func scalesUpToTheCeilingWithinThreeSecondsOfAStep() {
        var p = CalderaPolicy()
        let trace = drive(&p, rate: { $0 < 30 ? 80 : 800 }, until: 40)
        let reached = trace.first { $0.t >= 30 && $0.serving >= 100 }
        #expect(reached != nil)
        #expect(reached!.t - 30 <= 3)
        #expect(trace.filter { $0.t < 30 }.allSatisfy { $0.serving <= 20 })
        // Once there, it holds while the load stays high (no cut before the slow level catches up).
        #expect(trace.filter { $0.t >= reached!.t }.allSatisfy { $0.serving == 100 })
    }

    @Test func neverAboveCeilingNorBelowFloor() {
        var p = CalderaPolicy()
        var rng = Xoshiro256(seed: 99)
        for k in 1...4_000 {
            let s = signals(rate: rng.nextUnit() * 5_000, queue: rng.nextInt(below: 20_000), serving: 10 + rng.nextInt(below: 91),
                            activating: rng.nextInt(below: 5))
            let d = p.decide(signals: s, now: Double(k) * 0.25)
            #expect(d.targetNodes >= 10 && d.targetNodes <= 100)
        }
        var q = CalderaPolicy()
        for k in 1...400 {
            let d = q.decide(signals: signals(rate: 0, serving: 10), now: Double(k) * 0.25)
            #expect(d.targetNodes == 10)
        }
    }

    @Test func scalesDownOnlyAfterTheStabilizationWindow() {
        var p = CalderaPolicy()
        let trace = drive(&p, rate: { $0 < 60 ? 800 : 80 }, until: 150, start: 100)
        let firstDown = trace.first { $0.target < 100 }
        #expect(firstDown != nil)
        #expect(firstDown!.t >= 60 + p.configuration.scaleDownStabilization - 1)
        // And it does come down (no dormant nodes): back near the load's need by the end.
        #expect(trace.last!.serving <= 25)
    }

    @Test func backlogAloneTriggersScaleUp() {
        var p = CalderaPolicy()
        _ = p.decide(signals: signals(rate: 80, serving: 10), now: 0.25)
        let d = p.decide(signals: signals(rate: 80, queue: 2_000, serving: 10), now: 0.5)
        #expect(d.reason == .scaleUp)
        #expect(d.targetNodes == 100)   // 2000 tx / (10 tx/s × 2 s) = 100 backlog nodes → clamped
    }

    @Test func pureAndDeterministic() {
        var a = CalderaPolicy(), b = CalderaPolicy()
        var rng = Xoshiro256(seed: 5)
        for k in 1...500 {
            let s = signals(rate: rng.nextUnit() * 900, queue: rng.nextInt(below: 500), serving: 10 + rng.nextInt(below: 90))
            #expect(a.decide(signals: s, now: Double(k) * 0.25) == b.decide(signals: s, now: Double(k) * 0.25))
        }
        #expect(a == b)
    }
}

@Suite struct HPAPolicyTests {
    @Test func followsTheFormulaWithTolerance() {
        #expect(HPAPolicy.rawDesired(current: 10, metric: 16, target: 8, tolerance: 0.1) == 20)
        #expect(HPAPolicy.rawDesired(current: 10, metric: 8.79, target: 8, tolerance: 0.1) == 10)   // ratio 1.099: inside tolerance
        #expect(HPAPolicy.rawDesired(current: 10, metric: 8.9, target: 8, tolerance: 0.1) == 12)    // ⌈11.125⌉
        #expect(HPAPolicy.rawDesired(current: 10, metric: 7.3, target: 8, tolerance: 0.1) == 10)    // ratio 0.9125: inside
        #expect(HPAPolicy.rawDesired(current: 20, metric: 4, target: 8, tolerance: 0.1) == 10)
    }

    @Test func syncsEvery15SecondsAndRateLimitsScaleUp() {
        var p = HPAPolicy()
        #expect(p.controlInterval == 15)
        // Load needing 100 nodes (800 tx/s at 8 tx/s per node): 10 → 20 → 40 → 80 → 100, one step per sync.
        var current = 10
        var steps: [Int] = []
        for k in 1...5 {
            let d = p.decide(signals: signals(rate: 800, serving: current), now: Double(k) * 15)
            current = d.targetNodes
            steps.append(current)
        }
        #expect(steps == [20, 40, 80, 100, 100])
        // The +4 pods policy wins for small counts: max(1+4, 1×2) = 5.
        var c = HPAPolicy.Configuration(); c.minReplicas = 1
        var q = HPAPolicy(configuration: c)
        #expect(q.decide(signals: signals(rate: 800, serving: 1), now: 15).targetNodes == 5)
        // Two decisions inside one 15 s period share the limit.
        var r = HPAPolicy()
        #expect(r.decide(signals: signals(rate: 800, serving: 10), now: 15).targetNodes == 20)
        #expect(r.decide(signals: signals(rate: 800, serving: 20), now: 20).targetNodes == 20)
    }

    @Test func scaleDownWaitsForTheStabilizationWindow() {
        var p = HPAPolicy()
        _ = p.decide(signals: signals(rate: 800, serving: 100), now: 15)
        var firstDown: Double?
        var t = 15.0
        while t < 15 + 400 {
            t += 15
            let d = p.decide(signals: signals(rate: 80, serving: 100), now: t)
            if d.targetNodes < 100 { firstDown = t; #expect(d.targetNodes == 10); break }
        }
        #expect(firstDown.map { abs($0 - 315) < 1e-9 } == true, "first scale-down at \(String(describing: firstDown))")
    }

    @Test func neverOutsideMinMax() {
        var p = HPAPolicy()
        var rng = Xoshiro256(seed: 3)
        for k in 1...1_000 {
            let d = p.decide(signals: signals(rate: rng.nextUnit() * 10_000, serving: 10 + rng.nextInt(below: 91)), now: Double(k) * 15)
            #expect(d.targetNodes >= 10 && d.targetNodes <= 100)
        }
    }
}
