import Foundation

/// What a scaling policy observes at one control tick. Produced by the simulator (or, for real, by the
/// sequencer's metrics); the policy never measures anything itself.
public struct LoadSignals: Sendable, Equatable {
    /// Transactions waiting (not yet in service).
    public var queueDepth: Int
    /// Arrivals per second measured over the last `windowSeconds`.
    public var arrivalRate: Double
    /// Service rate of one serving node, transactions per second.
    public var serviceRatePerNode: Double
    /// Nodes serving now (core + flexible, excluding draining ones).
    public var servingNodes: Int
    /// Flexible nodes asked to join that are not serving yet (activation in progress).
    public var activatingNodes: Int
    /// Length of the measurement window behind `arrivalRate`.
    public var windowSeconds: Double

    public init(queueDepth: Int, arrivalRate: Double, serviceRatePerNode: Double, servingNodes: Int, activatingNodes: Int, windowSeconds: Double) {
        self.queueDepth = queueDepth; self.arrivalRate = arrivalRate; self.serviceRatePerNode = serviceRatePerNode
        self.servingNodes = servingNodes; self.activatingNodes = activatingNodes; self.windowSeconds = windowSeconds
    }

    /// Nodes already committed: serving plus activating.
    public var committedNodes: Int { servingNodes + activatingNodes }
}

/// A policy's output: the total number of nodes (core + flexible; serving + activating) it wants.
public struct ScaleDecision: Sendable, Equatable {
    public enum Reason: String, Sendable, Equatable { case hold, scaleUp, scaleDown, fixed }
    public var targetNodes: Int
    public var reason: Reason
    public init(targetNodes: Int, reason: Reason) { self.targetNodes = targetNodes; self.reason = reason }
}

/// A node count at a time: an entry of a policy's sliding-window history (recommendations, scale-ups).
struct TimedNodes: Sendable, Equatable {
    var time: SimTime
    var nodes: Int
}

/// A pure, deterministic scaling policy: load signals and time in, a decision out. Any state (forecasts,
/// recommendation history) lives in the value; nothing reads a clock or a random source.
public protocol ScalingPolicy: Sendable {
    var name: String { get }
    /// How often the driver must call `decide`, in seconds.
    var controlInterval: Double { get }
    mutating func decide(signals: LoadSignals, now: SimTime) -> ScaleDecision
}

/// Caldera's load-aware scheduler policy.
///
/// Every `controlInterval` (0.25 s):
/// 1. Holt's linear trend on the measured arrival rate λ: level ← α·λ + (1−α)(level + trend·Δ) with
///    α = 1 − e^(−Δ/τ), trend ← β·(level − level₋)/Δ + (1−β)·trend.
/// 2. Look-ahead h = activation delay + Δ (a node asked now serves only after activation):
///    λ_up = level + max(trend, 0)·h.
/// 3. Square-root staffing: offered load R = λ_up/μ; nodes for load n = ⌈R/ρ_max + z·√R⌉ (ρ_max caps
///    utilisation, z buys headroom for Poisson noise), plus the backlog term ⌈Q/(μ·T_drain)⌉.
/// 4. Up fast: if that exceeds the committed nodes (serving + activating), the target is raised at once.
/// 5. Down carefully: the same formula on a slow level (EWMA, τ_down = 5 s, no look-ahead) is recorded;
///    the target is lowered only to the maximum recommendation of the last `scaleDownStabilization`
///    (30 s) — and never below what the fast level needs now — only when the queue is short, not within `scaleUpCooldown` (0 s by default) of a scale-up, and only if
///    the cut is at least `scaleDownMinStep` nodes (hysteresis).
/// 6. Clamped to [core floor, ceiling (100)].
public struct CalderaPolicy: ScalingPolicy, Equatable {
    public struct Configuration: Sendable, Equatable {
        public var floor: Int = 10
        public var ceiling: Int = 100
        public var controlInterval: Double = 0.25
        public var activationDelay: Double = 1.0
        /// Time constant of the Holt level (α = 1 − e^(−Δ/τ)), seconds.
        public var levelTimeConstant: Double = 1.0
        public var beta: Double = 0.2
        public var maxUtilization: Double = 0.85
        public var headroomZ: Double = 2.5
        public var backlogDrainSeconds: Double = 2.0
        public var scaleDownStabilization: Double = 30.0
        /// Time constant of the slow level used for scale-down recommendations, seconds.
        public var downLevelTimeConstant: Double = 5.0
        /// No scale-down within this many seconds after a scale-up.
        public var scaleUpCooldown: Double = 0
        public var scaleDownMinStep: Int = 2
        /// Scale down only when the queue is below this many seconds of the committed capacity.
        public var scaleDownMaxQueueSeconds: Double = 0.1
        public init() {}

        /// The parameters in words, for a result's conditions.
        public var summary: String {
            "control every \(fmt(controlInterval)) s, Holt level τ \(fmt(levelTimeConstant)) s / trend β \(fmt(beta)), look-ahead activation + \(fmt(controlInterval)) s, n = ⌈R/\(fmt(maxUtilization)) + \(fmt(headroomZ))·√R⌉ + ⌈Q/(μ·\(fmt(backlogDrainSeconds)) s)⌉, scale-down to the max of \(fmt(scaleDownStabilization)) s of slow-level (τ \(fmt(downLevelTimeConstant)) s) recommendations"
        }
    }

    public var configuration: Configuration
    public var name: String { "caldera" }
    public var controlInterval: Double { configuration.controlInterval }

    private var level: Double?
    private var trend: Double = 0
    private var lastTime: SimTime?
    private var slowLevel: Double?
    private var lastScaleUp: SimTime = -Double.infinity
    private var downRecommendations: [TimedNodes] = []

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Nodes needed for arrival rate `lambda` and backlog `queue` (before clamping).
    public func nodesNeeded(lambda: Double, queue: Int, mu: Double) -> Int {
        let c = configuration
        guard mu > 0 else { return c.ceiling }
        let r = max(0, lambda) / mu
        let forLoad = (r / c.maxUtilization + c.headroomZ * r.squareRoot()).rounded(.up)
        let forBacklog = (Double(queue) / (mu * c.backlogDrainSeconds)).rounded(.up)
        let n = forLoad + forBacklog
        return n >= Double(c.ceiling) ? c.ceiling : Int(n)
    }

    public mutating func decide(signals: LoadSignals, now: SimTime) -> ScaleDecision {
        let c = configuration
        let lambda = signals.arrivalRate
        // 1. Holt's linear trend.
        if let l = level, let t0 = lastTime, now > t0 {
            let dt = now - t0
            let alpha = 1 - Foundation.exp(-dt / c.levelTimeConstant)
            let newLevel = alpha * lambda + (1 - alpha) * (l + trend * dt)
            trend = c.beta * (newLevel - l) / dt + (1 - c.beta) * trend
            level = newLevel
        } else if level == nil {
            level = lambda; trend = 0
        }
        if let s = slowLevel, let t0 = lastTime, now > t0 {
            let a = 1 - Foundation.exp(-(now - t0) / c.downLevelTimeConstant)
            slowLevel = a * lambda + (1 - a) * s
        } else if slowLevel == nil { slowLevel = lambda }
        lastTime = now
        let smoothed = max(0, level ?? lambda)
        let slow = max(0, slowLevel ?? lambda)
        // 2. Look-ahead over the activation delay.
        let h = c.activationDelay + c.controlInterval
        let lambdaUp = smoothed + max(trend, 0) * h
        let mu = signals.serviceRatePerNode
        let up = clamp(nodesNeeded(lambda: lambdaUp, queue: signals.queueDepth, mu: mu))
        let down = clamp(nodesNeeded(lambda: slow, queue: signals.queueDepth, mu: mu))
        // Keep the scale-down history for the stabilization window.
        downRecommendations.append(TimedNodes(time: now, nodes: down))
        let cutoff = now - c.scaleDownStabilization
        if let firstKept = downRecommendations.firstIndex(where: { $0.time > cutoff }), firstKept > 0 {
            downRecommendations.removeFirst(firstKept)
        }
        let committed = signals.committedNodes
        if up > committed { lastScaleUp = now; return ScaleDecision(targetNodes: up, reason: .scaleUp) }
        if committed < c.floor { return ScaleDecision(targetNodes: c.floor, reason: .scaleUp) }
        if committed > c.ceiling { return ScaleDecision(targetNodes: c.ceiling, reason: .scaleDown) }
        // Scale down only after a full stabilization window of history, to the window's maximum.
        let historySpan = now - (downRecommendations.first?.time ?? now)
        // Never below what the fast level (no look-ahead) needs now: no cuts while the load is still high.
        let nowNeeded = clamp(nodesNeeded(lambda: smoothed, queue: signals.queueDepth, mu: mu))
        let stabilized = max(downRecommendations.map(\.nodes).max() ?? committed, nowNeeded)
        let queueShort = Double(signals.queueDepth) <= c.scaleDownMaxQueueSeconds * mu * Double(max(committed, 1))
        if historySpan >= c.scaleDownStabilization - c.controlInterval - 1e-9, queueShort,
           now - lastScaleUp >= c.scaleUpCooldown,
           committed - stabilized >= c.scaleDownMinStep {
            return ScaleDecision(targetNodes: clamp(stabilized), reason: .scaleDown)
        }
        return ScaleDecision(targetNodes: committed, reason: .hold)
    }

    private func clamp(_ n: Int) -> Int { min(configuration.ceiling, max(configuration.floor, n)) }
}

/// A Kubernetes-HPA-style controller, following https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
/// ("Algorithm details", "Default Behavior", "Stabilization window", "Scaling policies"):
/// - every sync period (15 s, `--horizontal-pod-autoscaler-sync-period`):
///   desired = ⌈currentReplicas × currentMetric / targetMetric⌉; no change if |ratio − 1| ≤ tolerance (0.1);
/// - metric: arrivals per second per ready node (a Pods/AverageValue custom metric), target μ·ρ_target;
/// - scale-down stabilization: the highest recommendation of the last 300 s is used;
/// - scale-up limit (default behavior): within any `scaleUpPeriod` (15 s), at most max(+4 pods, +100%)
///   over the replica count at the start of the period (selectPolicy Max);
/// - clamped to [minReplicas, maxReplicas] = [core floor, 100].
public struct HPAPolicy: ScalingPolicy, Equatable {
    public struct Configuration: Sendable, Equatable {
        public var minReplicas: Int = 10
        public var maxReplicas: Int = 100
        public var syncPeriod: Double = 15
        public var tolerance: Double = 0.1
        public var targetUtilization: Double = 0.8
        public var downscaleStabilization: Double = 300
        public var scaleUpPods: Int = 4
        public var scaleUpPercent: Double = 100
        public var scaleUpPeriod: Double = 15
        public init() {}
    }

    public var configuration: Configuration
    public var name: String { "hpa" }
    public var controlInterval: Double { configuration.syncPeriod }
    /// Replica counts recommended, and replicas added by scale-ups, each with its time.
    private var recommendations: [TimedNodes] = []
    private var scaleUpEvents: [TimedNodes] = []

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// The raw k8s formula with tolerance: ⌈current × metric/target⌉, or `current` inside the tolerance band.
    public static func rawDesired(current: Int, metric: Double, target: Double, tolerance: Double) -> Int {
        guard target > 0, current > 0 else { return current }
        let ratio = metric / target
        if abs(ratio - 1) <= tolerance { return current }
        return Int((Double(current) * ratio).rounded(.up))
    }

    public mutating func decide(signals: LoadSignals, now: SimTime) -> ScaleDecision {
        let c = configuration
        let current = signals.committedNodes
        let ready = max(signals.servingNodes, 1)
        let metric = signals.arrivalRate / Double(ready)
        let target = signals.serviceRatePerNode * c.targetUtilization
        var desired = Self.rawDesired(current: current, metric: metric, target: target, tolerance: c.tolerance)
        desired = min(c.maxReplicas, max(c.minReplicas, desired))
        // Stabilization (scale-up window 0, scale-down window 300 s): k8s stabilizeRecommendationWithBehaviors.
        recommendations.append(TimedNodes(time: now, nodes: desired))
        recommendations.removeAll { $0.time <= now - c.downscaleStabilization }
        let downRecommendation = recommendations.map(\.nodes).max() ?? desired
        var stabilized = current
        if stabilized < desired { stabilized = desired }            // up window 0: the current recommendation
        if stabilized > downRecommendation { stabilized = downRecommendation }
        // Scale-up rate limit: max(+pods, +percent) over the replicas at the start of the period.
        scaleUpEvents.removeAll { $0.time <= now - c.scaleUpPeriod }
        if stabilized > current {
            let addedInPeriod = scaleUpEvents.reduce(0) { $0 + $1.nodes }
            let periodStart = current - addedInPeriod
            let byPods = periodStart + c.scaleUpPods
            let byPercent = Int((Double(periodStart) * (1 + c.scaleUpPercent / 100)).rounded(.up))
            let limit = max(byPods, byPercent)
            stabilized = min(stabilized, max(limit, current))
        }
        stabilized = min(c.maxReplicas, max(c.minReplicas, stabilized))
        if stabilized > current {
            scaleUpEvents.append(TimedNodes(time: now, nodes: stabilized - current))
            return ScaleDecision(targetNodes: stabilized, reason: .scaleUp)
        }
        if stabilized < current { return ScaleDecision(targetNodes: stabilized, reason: .scaleDown) }
        return ScaleDecision(targetNodes: current, reason: .hold)
    }
}

/// Fixed allocation: always the same node count (sized by the runner for the trace's mean or peak).
public struct FixedPolicy: ScalingPolicy, Equatable {
    public var nodes: Int
    public var label: String
    public var name: String { label }
    public var controlInterval: Double { 1.0 }
    public init(nodes: Int, label: String) { self.nodes = nodes; self.label = label }
    public mutating func decide(signals: LoadSignals, now: SimTime) -> ScaleDecision {
        ScaleDecision(targetNodes: nodes, reason: .fixed)
    }
}
