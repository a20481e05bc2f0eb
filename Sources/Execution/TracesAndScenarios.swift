import Foundation

/// Typed errors for trace and scenario input, with messages a user can act on.
public enum TraceError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(String)
    case unreadable(String, String)
    case empty(String)
    case unrecognizedFormat(String, header: String)
    case badRow(String, line: Int, reason: String)
    case unknownScenario(String)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .fileNotFound(let p): return "trace file not found: \(p) (pass a path to an ethereum-etl blocks CSV or an Azure arrivals CSV; the shared traces are in $CALDERA_SHARED/traces, by default ../shared/traces)"
        case .unreadable(let p, let why): return "cannot read trace file \(p): \(why)"
        case .empty(let p): return "trace file \(p) has no data rows"
        case .unrecognizedFormat(let p, let header): return "unrecognized trace format in \(p): header '\(header.prefix(120))' has neither 'timestamp' + 'transaction_count' (ethereum-etl blocks) nor 'TIMESTAMP' (Azure arrivals)"
        case .badRow(let p, let line, let reason): return "\(p) line \(line): \(reason)"
        case .unknownScenario(let n): return "unknown scenario '\(n)'; known scenarios: \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))"
        case .invalidParameter(let m): return m
        }
    }
}

/// Which file format a trace is in.
public enum TraceFormat: String, Sendable, Codable { case ethereumBlocks = "ethereum-etl-blocks", azureArrivals = "azure-arrivals" }

/// A parsed trace: (time in seconds from the first record, count of transactions at that record).
/// Ethereum: one record per block (sorted by block number), count = transaction_count.
/// Azure: one record per request, count = 1.
public struct Trace: Sendable {
    public var name: String
    public var format: TraceFormat
    public var times: [Double]
    public var counts: [Int]
}

/// How a trace is turned into a rollup's transaction arrivals. Documented in docs/execution.md.
public struct TraceScaling: Sendable, Equatable {
    /// Real time is divided by this (15: one ~15 s proof-of-work block per ~1 s rollup slot).
    /// Nil: the per-format default (Ethereum 15, Azure 1).
    public var timeCompression: Double? = nil
    /// Each trace transaction/request becomes `loadFactor` transactions (fractional part by a seeded coin).
    /// Nil: chosen so that the busiest 1-second bin needs the full ceiling: peak × factor = ceiling × μ × 0.8.
    public var loadFactor: Double? = nil
    public init(timeCompression: Double? = nil, loadFactor: Double? = nil) {
        self.timeCompression = timeCompression; self.loadFactor = loadFactor
    }
    /// Utilisation at which the load-factor rule sizes the peak.
    public static let referenceUtilization = 0.8
}

public enum TraceLoader {
    /// Reads and parses a trace file (format detected from the header).
    public static func load(path: String) throws(TraceError) -> Trace {
        guard FileManager.default.fileExists(atPath: path) else { throw .fileNotFound(path) }
        // Traces here are a few MB; refuse what is not a regular file of sane size rather than read it all.
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard attributes?[.type] as? FileAttributeType == .typeRegular else { throw .unreadable(path, "not a regular file") }
        if let size = attributes?[.size] as? Int, size > 1 << 30 { throw .unreadable(path, "larger than 1 GiB") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw .unreadable(path, error.localizedDescription) }
        guard let text = String(data: data, encoding: .utf8) else { throw .unreadable(path, "not UTF-8 text") }
        return try parse(text: text, name: URL(fileURLWithPath: path).lastPathComponent, path: path)
    }

    public static func parse(text: String, name: String, path: String = "<input>") throws(TraceError) -> Trace {
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        guard !lines.isEmpty else { throw .empty(path) }
        let headerLine = String(lines.removeFirst())
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if let ti = header.firstIndex(of: "timestamp"), let ci = header.firstIndex(of: "transaction_count") {
            let ni = header.firstIndex(of: "number")
            var rows: [(number: Int, time: Int, count: Int)] = []
            for (k, line) in lines.enumerated() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard f.count > max(ti, ci, ni ?? 0) else { throw .badRow(path, line: k + 2, reason: "expected \(header.count) columns, found \(f.count)") }
                // Bounded so that later arithmetic cannot overflow (review finding): unix time up to year ~33,658,
                // at most a million transactions per block.
                guard let t = Int(f[ti].trimmingCharacters(in: .whitespaces)), t >= 0, t <= 1_000_000_000_000 else { throw .badRow(path, line: k + 2, reason: "timestamp '\(f[ti])' is not a unix time in seconds (0 … 10^12)") }
                guard let c = Int(f[ci].trimmingCharacters(in: .whitespaces)), c >= 0, c <= TraceLoader.maxCountPerRow else { throw .badRow(path, line: k + 2, reason: "transaction_count '\(f[ci])' is not an integer in 0 … \(TraceLoader.maxCountPerRow)") }
                let n = ni.flatMap { Int(f[$0]) } ?? t
                rows.append((n, t, c))
            }
            guard !rows.isEmpty else { throw .empty(path) }
            rows.sort { ($0.number, $0.time) < ($1.number, $1.time) }   // rows are not sorted in the file
            let t0 = rows[0].time
            return Trace(name: name, format: .ethereumBlocks, times: rows.map { Double($0.time - t0) }, counts: rows.map(\.count))
        }
        if let ti = header.firstIndex(of: "TIMESTAMP") {
            var times: [Double] = []
            times.reserveCapacity(lines.count)
            for (k, line) in lines.enumerated() {
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                guard f.count > ti, let t = parseAzureTimestamp(f[ti]) else {
                    throw .badRow(path, line: k + 2, reason: "TIMESTAMP must look like 2023-11-16 18:17:03.9799600")
                }
                times.append(t)
            }
            guard !times.isEmpty else { throw .empty(path) }
            times.sort()
            let t0 = times[0]
            return Trace(name: name, format: .azureArrivals, times: times.map { $0 - t0 }, counts: Array(repeating: 1, count: times.count))
        }
        throw .unrecognizedFormat(path, header: headerLine)
    }

    /// Largest transaction_count accepted on one row, and most arrivals one run generates (each is 8 bytes).
    static let maxCountPerRow = 1_000_000
    static let maxArrivals = 20_000_000.0
    /// Longest run, in simulated (compressed) seconds: about 11.6 days.
    public static let maxSimulatedSeconds = 1_000_000.0

    /// "YYYY-MM-DD HH:MM:SS(.fraction)" → seconds since 1970 (UTC; only differences matter).
    static func parseAzureTimestamp(_ s: Substring) -> Double? {
        let s = s.trimmingCharacters(in: .whitespaces)
        let parts = s.split(separator: " ")
        guard parts.count == 2 else { return nil }
        let d = parts[0].split(separator: "-").compactMap { Int($0) }
        let tm = parts[1].split(separator: ":")
        guard d.count == 3, tm.count == 3, let h = Int(tm[0]), let m = Int(tm[1]), let sec = Double(tm[2]) else { return nil }
        // Calendar bounds first: the arithmetic below must not overflow, and inf/nan seconds are not times.
        guard (1970...9999).contains(d[0]), (1...12).contains(d[1]), (1...31).contains(d[2]),
              (0...23).contains(h), (0...59).contains(m), sec.isFinite, sec >= 0, sec < 61 else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = d[1] <= 2 ? d[0] - 1 : d[0]
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (d[1] + 9) % 12
        let doy = (153 * mp + 2) / 5 + d[2] - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86_400 + h * 3_600 + m * 60) + sec
    }

    /// Turns a trace into arrivals. Ethereum: block i's transactions (× load factor) arrive at uniformly
    /// random times within the mean block interval W before the block (compressed time; shifted by W). Azure: each
    /// request becomes `loadFactor` transactions at uniformly random times within [t, t + 1 s).
    public static func workload(trace: Trace, scaling: TraceScaling, config: SimulationConfig, seed: UInt64) throws(TraceError) -> ArrivalWorkload {
        let compression = scaling.timeCompression ?? (trace.format == .ethereumBlocks ? 15 : 1)
        guard compression >= 1e-3, compression <= 1e6 else { throw .invalidParameter("time compression must be in 0.001 … 1000000, got \(compression)") }
        if let f = scaling.loadFactor, !(f > 0 && f <= 1e6) { throw .invalidParameter("load factor must be in (0, 1000000], got \(f)") }
        // The simulator keeps a sample per simulated second and steps through every one: bound the span
        // (two rows 10^12 s apart would otherwise run for hours and take gigabytes).
        let span = (trace.times.last ?? 0) - (trace.times.first ?? 0)
        guard span / compression <= TraceLoader.maxSimulatedSeconds else {
            throw .invalidParameter("the trace spans \(fmt(span)) s, \(fmt(span / compression)) s after time compression \(fmt(compression))×; "
                                    + "a run simulates at most \(fmt(TraceLoader.maxSimulatedSeconds)) s (cut the trace or raise --time-compression)")
        }
        // Every arrival is a Double in memory: bound the total before generating any.
        let records = trace.counts.reduce(0.0) { $0 + Double($1) }
        guard records <= TraceLoader.maxArrivals else {
            throw .invalidParameter("the trace holds \(Int(records)) transactions, more than the \(Int(TraceLoader.maxArrivals)) a run simulates")
        }
        let unit = arrivals(trace: trace, compression: compression, factor: 1, seed: seed)
        let peak = unit.peakRatePerSecond
        let target = Double(config.ceiling) * config.serviceRatePerNode * TraceScaling.referenceUtilization
        let factor = scaling.loadFactor ?? (peak > 0 ? target / peak : 1)
        guard records * factor <= TraceLoader.maxArrivals else {
            throw .invalidParameter("load factor \(fmt(factor, 4)) would make \(Int(records * factor)) transactions, more than the \(Int(TraceLoader.maxArrivals)) a run simulates")
        }
        var w = factor == 1 ? unit : arrivals(trace: trace, compression: compression, factor: factor, seed: seed)
        let rule = scaling.loadFactor == nil ? " (auto: busiest 1-s bin = \(config.ceiling) nodes × \(fmt(config.serviceRatePerNode)) tx/s × \(fmt(TraceScaling.referenceUtilization)))" : ""
        let placement = trace.format == .ethereumBlocks
            ? "each block's transactions uniform over the mean block interval (compressed) before the block, time shifted so the first window starts at 0"
            : "each request → load-factor transactions uniform over the following 1 s"
        w.description = "trace \(trace.name) (\(trace.format.rawValue), \(trace.times.count) records); time compression \(fmt(compression))×; load factor \(fmt(factor, 4))\(rule); \(placement); arrival seed \(seed); \(w.arrivals.count) tx over \(fmt(w.duration, 1)) s (mean \(fmt(w.meanRate, 1)) tx/s, busiest 1-s bin \(fmt(w.peakRatePerSecond)) tx/s)"
        return w
    }

    static func arrivals(trace: Trace, compression: Double, factor: Double, seed: UInt64) -> ArrivalWorkload {
        var rng = Xoshiro256(seed: seed ^ 0xA55A_1234_ABCD_0001)
        var out: [Double] = []
        func scaled(_ n: Int) -> Int {
            let x = Double(n) * factor
            let whole = x.rounded(.down)
            return Int(whole) + (rng.nextUnit() < x - whole ? 1 : 0)
        }
        var end = 0.0
        switch trace.format {
        case .ethereumBlocks:
            // Each block's transactions arrived during the mean block interval W before it was mined
            // (mempool view), so short proof-of-work gaps do not turn into artificial spikes.
            let n = trace.times.count
            let w = n > 1 ? (trace.times[n - 1] - trace.times[0]) / Double(n - 1) / compression : 1
            for i in 0..<n {
                let b = trace.times[i] / compression + w
                let k = scaled(trace.counts[i])
                for _ in 0..<k { out.append(b - w * rng.nextUnit()) }
            }
            end = (trace.times.last ?? 0) / compression + w
        case .azureArrivals:
            for (t, c) in zip(trace.times, trace.counts) {
                let n = scaled(c)
                for _ in 0..<n { out.append(t / compression + rng.nextUnit()) }
            }
            end = (trace.times.last ?? 0) / compression + 1
        }
        out.sort()
        return ArrivalWorkload(name: trace.name, arrivals: out, duration: max(end, out.last ?? 0), description: "")
    }
}

/// Built-in generated scenarios.
public enum Scenario: String, Sendable, CaseIterable {
    /// Steady load that needs ~10 nodes, a step within 1 s to load that needs 100, held 60 s, then back.
    case settlementBurst = "settlement-burst"
    /// A settlement spike: 20× load within 1 s (from load needing ~5 nodes, under the core floor, to 100), held 30 s.
    case settlementSpike20x = "settlement-spike-20x"

    /// Loads per node are sized at the reference utilisation (0.8): "needs n nodes" = n × μ × 0.8 tx/s.
    public func workload(config: SimulationConfig, seed: UInt64) -> ArrivalWorkload {
        let perNode = config.serviceRatePerNode * TraceScaling.referenceUtilization
        let high = Double(config.ceiling) * perNode
        let (low, hold, duration): (Double, Double, Double)
        switch self {
        case .settlementBurst: (low, hold, duration) = (10 * perNode, 60, 420)
        case .settlementSpike20x: (low, hold, duration) = (high / 20, 30, 420)
        }
        let step = 60.0, ramp = 1.0
        func rate(_ t: Double) -> Double {
            if t < step { return low }
            if t < step + ramp { return low + (high - low) * (t - step) / ramp }
            if t < step + ramp + hold { return high }
            if t < step + 2 * ramp + hold { return high - (high - low) * (t - step - ramp - hold) / ramp }
            return low
        }
        // Non-homogeneous Poisson arrivals by thinning (Lewis & Shedler).
        var rng = Xoshiro256(seed: seed ^ 0x5CE0_A210_0000_0001)
        var t = 0.0
        var out: [Double] = []
        out.reserveCapacity(Int(low * duration + high * hold * 1.1))
        while true {
            t += rng.nextExponential(mean: 1 / high)
            if t >= duration { break }
            if rng.nextUnit() * high < rate(t) { out.append(t) }
        }
        let desc = "scenario \(rawValue): Poisson arrivals, \(fmt(low, 1)) tx/s (needs \(fmt(low / perNode, 1)) nodes at ρ=0.8) for \(fmt(step)) s, linear step within \(fmt(ramp)) s to \(fmt(high, 1)) tx/s (needs \(config.ceiling)), held \(fmt(hold)) s, back within \(fmt(ramp)) s; horizon \(fmt(duration)) s; arrival seed \(seed)"
        return ArrivalWorkload(name: rawValue, arrivals: out, duration: duration, stepTime: step, description: desc)
    }
}
