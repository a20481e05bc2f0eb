import Foundation

/// Input of a simulation run: transaction arrival times (sorted, seconds) and where they came from.
public struct ArrivalWorkload: Sendable {
    public var name: String
    public var arrivals: [Double]
    /// Simulated horizon, seconds (≥ last arrival).
    public var duration: Double
    /// Time of a load step (for `scaleUpSeconds`), nil for traces without a step.
    public var stepTime: Double?
    /// How the arrivals were produced (trace file, scaling factors, seed).
    public var description: String
    public init(name: String, arrivals: [Double], duration: Double, stepTime: Double? = nil, description: String) {
        self.name = name; self.arrivals = arrivals; self.duration = duration; self.stepTime = stepTime; self.description = description
    }

    public var meanRate: Double { duration > 0 ? Double(arrivals.count) / duration : 0 }

    /// Highest arrival count in any 1-second bin [k, k+1).
    public var peakRatePerSecond: Double {
        var best = 0, current = 0, bin = -1
        for t in arrivals {
            let b = Int(t)
            if b != bin { bin = b; current = 0 }
            current += 1
            if current > best { best = current }
        }
        return Double(best)
    }
}

public enum ServiceTimeModel: String, Sendable, Codable, CaseIterable {
    /// Exponential service times (M/M/c-like): coefficient of variation 1.
    case exponential
    /// Every transaction takes exactly the mean.
    case deterministic
}

public struct SimulationConfig: Sendable {
    /// Time from "node asked to join" to "node serving" (a staked, synced flexible node activating), seconds.
    public var activationDelay: Double = 1.0
    /// Mean service time of one transaction on one node, seconds (μ = 1/mean per node).
    public var serviceTimeMean: Double = 0.1
    public var serviceTimeModel: ServiceTimeModel = .exponential
    /// Pending-transaction bound (mempool); arrivals beyond it are dropped.
    public var queueCapacity: Int = 5_000
    /// Node-count ceiling.
    public var maxNodes: Int = 100
    /// Seed of the simulation's PRNG (service times) and of the join order's public seed.
    public var seed: UInt64 = 1
    /// 32-byte public seed for selecting which flexible nodes join (stand-in for the last snapshot root).
    /// Nil: derived from `seed`.
    public var selectionSeed: [UInt8]? = nil
    /// Width of the timeline bins (plots), seconds.
    public var sampleInterval: Double = 1.0
    /// Whether to record the per-bin timeline (plots); off makes long runs cheaper.
    public var recordTimeline: Bool = true
    public var pool: NodePool = .synthetic()
    public init() {}

    public var serviceRatePerNode: Double { 1.0 / serviceTimeMean }
    /// Floor: the core set, which always serves.
    public var floor: Int { pool.core.count }
    /// Ceiling: min(maxNodes, core + eligible flexible).
    public var ceiling: Int { min(maxNodes, pool.core.count + pool.flexible.count) }

    public var conditions: String {
        "activation delay \(fmt(activationDelay)) s; service time \(serviceTimeModel.rawValue) mean \(fmt(serviceTimeMean)) s (μ = \(fmt(serviceRatePerNode)) tx/s/node); queue bound \(queueCapacity) tx; nodes \(floor)…\(ceiling) (\(floor) core always serving); seed \(seed)"
    }
}

/// One point of the timeline (one `sampleInterval` bin).
public struct TimelineSample: Sendable, Codable, Equatable {
    public var time: Double
    /// Arrivals in the bin, per second.
    public var load: Double
    /// Serving nodes at the end of the bin.
    public var servingNodes: Int
    /// p99 queueing delay of the transactions that started service in the bin (0 if none).
    public var p99Delay: Double
}

public struct SimulationResult: Sendable, Codable, Equatable {
    public var policy: String
    public var input: String
    public var arrivedTx: Int
    public var servedTx: Int
    public var droppedTx: Int
    /// Still queued or in service at the end of the horizon.
    public var queuedAtEnd: Int
    public var p50DelaySeconds: Double
    public var p99DelaySeconds: Double
    public var maxDelaySeconds: Double
    /// Node-seconds paid: every node from the moment it is asked to join (activation included) until it leaves.
    public var nodeSeconds: Double
    /// Node-seconds not spent serving a transaction (activation, idle, draining-idle).
    public var idleNodeSeconds: Double
    public var nodeSecondsPerServedTx: Double
    public var maxServingNodes: Int
    /// From the load step to the first instant with `ceiling` serving nodes; nil without a step or if never reached.
    @EncodedAsNull public var scaleUpSeconds: Double?
    public var activationDelaySeconds: Double
    public var durationSeconds: Double
    public var seed: UInt64
    public var conditions: String
    public var timeline: [TimelineSample]
}

/// Binary min-heap of events ordered by (time, sequence number): deterministic tie-breaking.
struct EventHeap {
    struct Event {
        var time: Double
        var seq: UInt64
        var kind: UInt8      // 0 completion, 1 activation
        var node: Int32
        var generation: UInt32
        @inline(__always) static func < (a: Event, b: Event) -> Bool { a.time < b.time || (a.time == b.time && a.seq < b.seq) }
    }
    private(set) var items: [Event] = []
    private var seq: UInt64 = 0
    var isEmpty: Bool { items.isEmpty }
    var top: Event? { items.first }
    mutating func push(time: Double, kind: UInt8, node: Int, generation: UInt32) {
        seq += 1
        items.append(Event(time: time, seq: seq, kind: kind, node: Int32(node), generation: generation))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if items[i] < items[p] { items.swapAt(i, p); i = p } else { break }
        }
    }
    mutating func pop() -> Event {
        let first = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            let n = items.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && items[l] < items[m] { m = l }
                if r < n && items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(i, m); i = m
            }
        }
        return first
    }
}

/// Discrete-event simulator of the execution layer. One shared FIFO queue (the sequencer's mempool)
/// feeds all serving nodes; each node serves one transaction at a time. Flexible nodes join after the
/// activation delay and leave after draining (finishing their current transaction). The policy is called
/// every `policy.controlInterval` seconds with the signals measured since its previous call.
public struct Simulator: Sendable {
    public var config: SimulationConfig
    public init(config: SimulationConfig = SimulationConfig()) { self.config = config }

    enum NodeState: UInt8 { case off, activating, serving, draining }
    struct Node {
        var id: String
        var core: Bool
        var state: NodeState = .off
        var busy = false
        var generation: UInt32 = 0
        var sessionStart = 0.0
        var busySince = 0.0
        var joinSeq = 0   // order of joining, for LIFO draining
    }

    /// Runs `policy` on `workload`. `initialNodes` (clamped to [floor, ceiling]) are serving at t = 0
    /// (a warm start, no activation); nil: the core floor only.
    public func run<P: ScalingPolicy>(workload: ArrivalWorkload, policy initialPolicy: P, initialNodes: Int? = nil) -> SimulationResult {
        var policy = initialPolicy
        let cfg = config
        var rng = Xoshiro256(seed: cfg.seed)
        let mean = cfg.serviceTimeMean
        let seed32 = cfg.selectionSeed ?? publicSeed(from: cfg.seed)
        // An invalid selection seed (not 32 bytes) falls back to the seed derived from `seed`.
        let joinOrder = (try? cfg.pool.joinOrder(seed: seed32)) ?? ((try? cfg.pool.joinOrder(seed: publicSeed(from: cfg.seed))) ?? cfg.pool.flexible)
        var nodes: [Node] = cfg.pool.core.map { Node(id: $0.id, core: true) }
        let flexibleBase = nodes.count
        let flexibleLimit = max(0, cfg.ceiling - flexibleBase)
        nodes += joinOrder.prefix(flexibleLimit).map { Node(id: $0.id, core: false) }

        var heap = EventHeap()
        var idle: [Int] = []              // serving, not busy
        var queue: [Double] = []          // arrival times, FIFO via head index
        queue.reserveCapacity(cfg.queueCapacity)
        var head = 0
        var arrived = 0, served = 0, dropped = 0
        var zeroDelays = 0
        var positiveDelays: [Double] = []
        var maxDelay = 0.0
        var nodeSeconds = 0.0, busySeconds = 0.0
        var serving = 0, activating = 0, maxServing = 0
        var joinCounter = 0
        var scaleUpAt: Double? = nil
        let ceiling = cfg.ceiling

        // Timeline.
        let recordTimeline = cfg.recordTimeline
        let dtSample = recordTimeline ? cfg.sampleInterval : Double.infinity
        var timeline: [TimelineSample] = []
        var binArrivals = 0
        var binDelays: [Double] = []
        var binEnd = dtSample

        // Core nodes serve from t = 0.
        for i in 0..<flexibleBase {
            nodes[i].state = .serving; nodes[i].sessionStart = 0; idle.append(i); serving += 1
        }
        // Warm start: pre-provisioned flexible nodes serve from t = 0.
        let warm = min(ceiling, max(flexibleBase, initialNodes ?? flexibleBase)) - flexibleBase
        for i in flexibleBase..<(flexibleBase + warm) {
            nodes[i].state = .serving; nodes[i].sessionStart = 0; idle.append(i); serving += 1
            joinCounter += 1; nodes[i].joinSeq = joinCounter
        }
        maxServing = serving

        @inline(__always) func serviceTime() -> Double {
            switch cfg.serviceTimeModel {
            case .exponential: return rng.nextExponential(mean: mean)
            case .deterministic: return mean
            }
        }
        func recordDelay(_ d: Double) {
            if d <= 0 { zeroDelays += 1 } else { positiveDelays.append(d); if d > maxDelay { maxDelay = d } }
            if recordTimeline { binDelays.append(max(0, d)) }
        }
        func startService(node i: Int, now: Double) {
            nodes[i].busy = true
            nodes[i].busySince = now
            heap.push(time: now + serviceTime(), kind: 0, node: i, generation: nodes[i].generation)
        }
        func becameServing(_ i: Int, now: Double) {
            if scaleUpAt == nil, let s = workload.stepTime, now >= s, serving >= ceiling { scaleUpAt = now - s }
        }
        func leave(_ i: Int, now: Double) {
            precondition(now >= nodes[i].sessionStart && nodes[i].state != .off, "leave \(i) \(now) \(nodes[i].sessionStart) \(nodes[i].state)")
            nodeSeconds += now - nodes[i].sessionStart
            nodes[i].state = .off
            nodes[i].generation &+= 1
        }
        func dispatch(now: Double) {
            while head < queue.count, let i = idle.popLast() {
                let a = queue[head]; head += 1
                served += 1
                recordDelay(now - a)
                startService(node: i, now: now)
            }
            if head > 4096 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
        }
        func apply(target rawTarget: Int, now: Double) {
            let target = min(ceiling, max(flexibleBase, rawTarget))
            var committed = serving + activating
            if target > committed {
                // Un-drain draining nodes first (still synced: serve at once), then activate in join order.
                var need = target - committed
                for i in flexibleBase..<nodes.count where need > 0 && nodes[i].state == .draining {
                    nodes[i].state = .serving; serving += 1; need -= 1
                    joinCounter += 1; nodes[i].joinSeq = joinCounter
                    becameServing(i, now: now)
                }
                for i in flexibleBase..<nodes.count where need > 0 && nodes[i].state == .off {
                    nodes[i].state = .activating; nodes[i].sessionStart = now; nodes[i].generation &+= 1
                    joinCounter += 1; nodes[i].joinSeq = joinCounter
                    activating += 1; need -= 1
                    heap.push(time: now + cfg.activationDelay, kind: 1, node: i, generation: nodes[i].generation)
                }
                maxServing = max(maxServing, serving)
                dispatch(now: now)
            } else if target < committed {
                // Cancel activations first (newest first), then drain serving flexible nodes (newest first).
                let byNewest = (flexibleBase..<nodes.count).sorted { nodes[$0].joinSeq > nodes[$1].joinSeq }
                for i in byNewest where committed > target && nodes[i].state == .activating {
                    activating -= 1; committed -= 1; leave(i, now: now)
                }
                for i in byNewest where committed > target && nodes[i].state == .serving {
                    serving -= 1; committed -= 1
                    if nodes[i].busy { nodes[i].state = .draining } else {
                        if let k = idle.firstIndex(of: i) { idle.remove(at: k) }
                        leave(i, now: now)
                    }
                }
            }
        }

        // Control loop state.
        let interval = max(policy.controlInterval, 1e-3)
        var nextTick = interval
        var lastTick = 0.0
        var arrivalsSinceTick = 0
        var nextArrival = 0
        let arrivals = workload.arrivals
        let horizon = max(workload.duration, arrivals.last ?? 0)
        var now = 0.0

        func closeBins(upTo t: Double) {
            guard recordTimeline else { return }
            while binEnd <= t && binEnd <= horizon + dtSample {
                let p99 = binDelays.isEmpty ? 0 : percentile(&binDelays, 0.99)
                timeline.append(TimelineSample(time: binEnd - dtSample, load: Double(binArrivals) / dtSample, servingNodes: serving, p99Delay: p99))
                binArrivals = 0; binDelays.removeAll(keepingCapacity: true)
                binEnd += dtSample
            }
        }

        while true {
            let tA = nextArrival < arrivals.count ? arrivals[nextArrival] : Double.infinity
            let tE = heap.top?.time ?? Double.infinity
            let tT = nextTick
            let t = min(tA, tE, tT)
            if t > horizon { break }
            // Already at the ceiling when the step begins (e.g. fixed-for-peak): 0 s.
            if scaleUpAt == nil, let s = workload.stepTime, t >= s, serving >= ceiling { scaleUpAt = max(0, now - s) }
            closeBins(upTo: t)
            now = t
            if tE <= tA && tE <= tT {
                let e = heap.pop()
                let i = Int(e.node)
                guard e.generation == nodes[i].generation else { continue }
                if e.kind == 0 {
                    nodes[i].busy = false
                    busySeconds += now - nodes[i].busySince
                    if nodes[i].state == .draining {
                        leave(i, now: now)
                    } else if head < queue.count {
                        let a = queue[head]; head += 1
                        served += 1; recordDelay(now - a); startService(node: i, now: now)
                    } else {
                        idle.append(i)
                    }
                } else {
                    guard nodes[i].state == .activating else { continue }
                    nodes[i].state = .serving; activating -= 1; serving += 1
                    maxServing = max(maxServing, serving)
                    idle.append(i)
                    becameServing(i, now: now)
                    dispatch(now: now)
                }
            } else if tA <= tT {
                nextArrival += 1; arrived += 1; arrivalsSinceTick += 1; if recordTimeline { binArrivals += 1 }
                if let i = idle.popLast() {
                    served += 1; recordDelay(0); startService(node: i, now: now)
                } else if queue.count - head < cfg.queueCapacity {
                    queue.append(now)
                } else {
                    dropped += 1
                }
            } else {
                let window = now - lastTick
                let signals = LoadSignals(queueDepth: queue.count - head, arrivalRate: window > 0 ? Double(arrivalsSinceTick) / window : 0,
                                          serviceRatePerNode: cfg.serviceRatePerNode, servingNodes: serving,
                                          activatingNodes: activating, windowSeconds: window)
                let decision = policy.decide(signals: signals, now: now)
                apply(target: decision.targetNodes, now: now)
                arrivalsSinceTick = 0; lastTick = now
                nextTick = (Double((now / interval).rounded()) + 1) * interval
            }
        }
        now = horizon
        closeBins(upTo: horizon)
        // Close open sessions and busy periods at the horizon.
        for i in nodes.indices where nodes[i].state != .off {
            if nodes[i].busy { busySeconds += now - nodes[i].busySince }
            nodeSeconds += now - nodes[i].sessionStart
        }
        let inService = nodes.filter { $0.state != .off && $0.busy }.count
        let queuedAtEnd = (queue.count - head) + inService
        // served counts transactions that started service; those still in service are reported as queued.
        let completed = served - inService
        var sorted = positiveDelays
        sorted.sort()
        func pct(_ p: Double) -> Double {
            let n = zeroDelays + sorted.count
            guard n > 0 else { return 0 }
            let rank = Int((p * Double(n)).rounded(.up)) - 1   // nearest-rank
            let k = max(0, min(n - 1, rank))
            return k < zeroDelays ? 0 : sorted[k - zeroDelays]
        }
        let ns = nodeSeconds
        return SimulationResult(
            policy: policy.name, input: workload.name, arrivedTx: arrived, servedTx: completed, droppedTx: dropped,
            queuedAtEnd: queuedAtEnd, p50DelaySeconds: pct(0.50), p99DelaySeconds: pct(0.99), maxDelaySeconds: maxDelay,
            nodeSeconds: ns, idleNodeSeconds: max(0, ns - busySeconds),
            nodeSecondsPerServedTx: completed > 0 ? ns / Double(completed) : 0,
            maxServingNodes: maxServing, scaleUpSeconds: scaleUpAt,
            activationDelaySeconds: cfg.activationDelay, durationSeconds: horizon, seed: cfg.seed,
            conditions: workload.description + "; " + cfg.conditions, timeline: timeline)
    }
}

/// Nearest-rank percentile (sorts `values` in place).
public func percentile(_ values: inout [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    values.sort()
    let rank = Int((p * Double(values.count)).rounded(.up)) - 1
    return values[max(0, min(values.count - 1, rank))]
}

func fmt(_ x: Double, _ digits: Int = 3) -> String {
    if x == x.rounded() && abs(x) < 1e15 { return String(Int(x)) }
    var s = String(format: "%.\(digits)f", x)
    if s.contains(".") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
    }
    return s
}
