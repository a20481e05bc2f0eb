// The devnet report: what `caldera devnet` measured while the whole system ran on one machine, as one static page
// (charts drawn by `Chart`, exact amounts as text). The devnet fills the data in; this file only presents it.
import Foundation

public struct DevnetReport: Codable, Sendable {
    /// A value at `t` seconds since the run started.
    public struct Point: Codable, Sendable, Equatable {
        public var t: Double
        public var value: Double
        public init(t: Double, value: Double) { self.t = t; self.value = value }
    }

    /// The data layer's bytes at `t`: in the hot store, in the cold archive, and the raw size of what was migrated
    /// to the archive (so migratedRawBytes / coldBytes is the archive's compression ratio).
    public struct StoragePoint: Codable, Sendable, Equatable {
        public var t: Double
        public var hotBytes: Int64
        public var coldBytes: Int64
        public var migratedRawBytes: Int64
        public init(t: Double, hotBytes: Int64, coldBytes: Int64, migratedRawBytes: Int64) {
            self.t = t; self.hotBytes = hotBytes; self.coldBytes = coldBytes; self.migratedRawBytes = migratedRawBytes
        }
    }

    /// One relayed batch: its meta-proof against the proofs it replaces, in bytes and (when py-evm ran) in gas.
    public struct Batch: Codable, Sendable, Equatable {
        public var index: Int
        public var messages: Int
        public var metaProofBytes: Int
        public var separateProofBytes: Int
        public var gas: Int64?
        public var separateGas: Int64?
        public init(index: Int, messages: Int, metaProofBytes: Int, separateProofBytes: Int, gas: Int64? = nil, separateGas: Int64? = nil) {
            self.index = index; self.messages = messages; self.metaProofBytes = metaProofBytes
            self.separateProofBytes = separateProofBytes; self.gas = gas; self.separateGas = separateGas
        }
    }

    /// An epoch's revenue: class name (core, guardians, flexible, developers, users) → exact base units, as a
    /// decimal string (amounts are UInt128 in the ledger; only the chart converts them to Double).
    public struct EpochRevenue: Codable, Sendable, Equatable {
        public var epoch: UInt64
        public var classes: [String: String]
        public init(epoch: UInt64, classes: [String: String]) { self.epoch = epoch; self.classes = classes }
    }

    public struct Slash: Codable, Sendable, Equatable {
        public var t: Double
        public var offender: String
        public var amount: String
        public var reason: String
        public init(t: Double, offender: String, amount: String, reason: String) {
            self.t = t; self.offender = offender; self.amount = amount; self.reason = reason
        }
    }

    /// A claims row; `holds` is "yes", "no", "in a regime" or "not measured".
    public struct ClaimRow: Codable, Sendable, Equatable {
        public var claim: String
        public var target: String
        public var measured: String
        public var holds: String
        public init(claim: String, target: String, measured: String, holds: String) {
            self.claim = claim; self.target = target; self.measured = measured; self.holds = holds
        }
    }

    public var title: String
    /// One line each: machine, command, rollups, guardians, duration, speed, data sources.
    public var conditions: [String]
    /// The `--json` summary's fields, shown as a small table at the top (sorted by key).
    public var summary: [String: String]
    /// Transactions per second arriving.
    public var load: [Point]
    public var servingNodes: [Point]
    /// Times of scale-up decisions.
    public var scaleUps: [Double]
    /// Seconds from slot start to certificate, one per snapshot.
    public var commitLatencies: [Double]
    /// Seconds from a message being sent to it being verifiable at its destination.
    public var verifyLatencies: [Double]
    public var storage: [StoragePoint]
    public var batches: [Batch]
    public var epochs: [EpochRevenue]
    public var slashes: [Slash]
    public var claims: [ClaimRow]
    /// The line under the title; a default when nil.
    public var subtitle: String?
    /// The token's name and its decimals: revenue and slashes are shown as `amount / 10^decimals` of it.
    /// When nil, amounts are shown in base units.
    public var revenueUnit: String?
    public var revenueDecimals: Int?

    public init(title: String) {
        self.title = title
        conditions = []; summary = [:]; load = []; servingNodes = []; scaleUps = []
        commitLatencies = []; verifyLatencies = []; storage = []; batches = []; epochs = []; slashes = []; claims = []
    }

    /// The revenue classes in the ledger's order; any other class the devnet reports follows, sorted.
    public static let revenueClasses = ["core", "guardians", "flexible", "developers", "users"]

    /// The whole page: sections in a fixed order, each with its chart or table, or a note when it has no data.
    public func html() -> String {
        var page = HTMLPage(title: title, subtitle: subtitle ?? "caldera devnet: every part of the system live on one machine")
        page.section("Summary", html: summary.isEmpty ? Chart.noData("Summary")
            : HTMLPage.table(header: ["field", "value"], rows: summary.keys.sorted().map { [.code($0), .text(summary[$0]!)] }, cssClass: "narrow"))
        page.section("Conditions", html: conditions.isEmpty ? Chart.noData("Conditions")
            : "<ul class=\"lines\">" + conditions.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>")
        page.section("Load and serving nodes", html: loadSection())
        page.section("Snapshot commit latency", html: latencySection(commitLatencies, name: "Snapshot commit latency",
                                                                     what: "snapshot", measured: "from slot start to certificate"))
        page.section("Message verify latency", html: latencySection(verifyLatencies, name: "Message verify latency",
                                                                    what: "message", measured: "from sending to verifiable at the destination"))
        page.section("Storage by tier", html: storageSection())
        page.section("Proof size and gas by batch", html: batchSection())
        page.section("Revenue by class per epoch", html: revenueSection())
        page.section("Slashing events", html: slashSection())
        page.section("Claims", html: claims.isEmpty ? Chart.noData("Claims")
            : HTMLPage.table(header: ["claim", "target", "measured", "holds"], rows: claims.map {
                [.text($0.claim, cssClass: "wide"), .text($0.target), .text($0.measured), .verdict($0.holds)]
            }))
        return page.render()
    }

    // MARK: - Sections

    func loadSection() -> String {
        let maxT = (load.map(\.t) + servingNodes.map(\.t) + scaleUps).filter(\.isFinite).max() ?? 0
        let time = Units.time(span: maxT)
        let chart = Chart.lines(
            title: "Load and serving nodes over time",
            series: [.init("load (tx/s)", load.map { .init($0.t / time.divisor, $0.value) }),
                     .init("serving nodes", servingNodes.map { .init($0.t / time.divisor, $0.value) }, shape: .step, side: .right)],
            x: .init("time since start", unit: time.unit), y: .init("load", unit: "tx/s"), y2: .init("serving nodes", integers: true),
            markers: scaleUps.map { $0 / time.divisor }, markerName: "scale-up")
        var notes: [String] = []
        if let peak = load.map(\.value).filter(\.isFinite).max() { notes.append("Peak load \(SVGNumber.format(peak)) tx/s.") }
        let nodes = servingNodes.map(\.value).filter(\.isFinite)
        if let lo = nodes.min(), let hi = nodes.max() { notes.append("Serving nodes between \(Chart.shortNumber(lo)) and \(Chart.shortNumber(hi)).") }
        notes.append(scaleUps.isEmpty ? "No scale-up decisions." : "\(Units.count(scaleUps.count, "scale-up decision")) (dashed lines).")
        return note(notes) + chart
    }

    /// A latency histogram with its p50 and p99 (nearest rank) marked and stated.
    func latencySection(_ seconds: [Double], name: String, what: String, measured: String) -> String {
        let finite = seconds.filter(\.isFinite)
        guard let p50 = Percentile.nearestRank(50, of: finite), let p99 = Percentile.nearestRank(99, of: finite) else {
            return Chart.noData(name)
        }
        let unit = Units.latency(max: finite.max()!)
        let h = Histogram(samples: finite.map { $0 * unit.factor }, bins: min(40, max(8, Int(Double(finite.count).squareRoot()))), scale: .automatic)
        let text = "\(Units.count(finite.count, what)), \(measured): p50 \(SVGNumber.format(p50 * unit.factor)) \(unit.unit), "
            + "p99 \(SVGNumber.format(p99 * unit.factor)) \(unit.unit), max \(SVGNumber.format(finite.max()! * unit.factor)) \(unit.unit) (nearest rank)."
            + (seconds.count > finite.count ? " \(seconds.count - finite.count) non-finite value(s) left out." : "")
        return note([text]) + Chart.histogram(title: name, h, x: .init("latency", unit: unit.unit),
                                              markers: [.init(p50 * unit.factor, "p50 \(SVGNumber.format(p50 * unit.factor)) \(unit.unit)"),
                                                        .init(p99 * unit.factor, "p99 \(SVGNumber.format(p99 * unit.factor)) \(unit.unit)")])
    }

    func storageSection() -> String {
        guard let last = storage.last else { return Chart.noData("Storage by tier") }
        let bytes = Units.bytes(max: Double(storage.map { max($0.hotBytes, $0.coldBytes) }.max() ?? 0))
        let time = Units.time(span: storage.map(\.t).filter(\.isFinite).max() ?? 0)
        let ratio: (StoragePoint) -> Double? = { $0.coldBytes > 0 && $0.migratedRawBytes > 0 ? Double($0.migratedRawBytes) / Double($0.coldBytes) : nil }
        let chart = Chart.lines(
            title: "Storage by tier over time",
            series: [.init("hot store", storage.map { .init($0.t / time.divisor, Double($0.hotBytes) / bytes.divisor) }),
                     .init("cold archive", storage.map { .init($0.t / time.divisor, Double($0.coldBytes) / bytes.divisor) }),
                     .init("compression ratio (migrated raw ÷ cold)", storage.compactMap { p in ratio(p).map { .init(p.t / time.divisor, $0) } }, side: .right)],
            x: .init("time since start", unit: time.unit), y: .init("stored", unit: bytes.unit), y2: .init("compression ratio", unit: "×"))
        var text = "At the end: hot \(Units.bytesText(Double(last.hotBytes))), cold \(Units.bytesText(Double(last.coldBytes)))"
        if let r = ratio(last) {
            text += "; the cold archive holds \(Units.bytesText(Double(last.migratedRawBytes))) of migrated data in \(Units.bytesText(Double(last.coldBytes))), a compression ratio of \(SVGNumber.format(r))×."
        } else {
            text += "; nothing migrated to the cold archive yet."
        }
        return note([text]) + chart
    }

    func batchSection() -> String {
        guard !batches.isEmpty else { return Chart.noData("Proof size by batch") }
        let categories = batches.map { "#\($0.index)" }
        let size = Units.bytes(max: Double(batches.map { max($0.metaProofBytes, $0.separateProofBytes) }.max() ?? 0))
        // Sums for the text in Double: hostile counts cannot overflow them.
        let meta = batches.map { Double($0.metaProofBytes) }.reduce(0, +), separate = batches.map { Double($0.separateProofBytes) }.reduce(0, +)
        let messages = batches.map { Double($0.messages) }.reduce(0, +)
        var text = "\(Units.count(batches.count, "batch")), \(Chart.shortNumber(messages)) message\(messages == 1 ? "" : "s"): meta-proofs \(Units.bytesText(meta)) in all, "
            + "against \(Units.bytesText(separate)) as separate proofs"
        text += meta > 0 ? " (\(SVGNumber.format(separate / meta))× as many bytes)." : "."
        var out = "<h3>Proof size</h3>" + note([text]) + Chart.bars(
            title: "Proof size by batch", categories: categories,
            series: [.init("meta-proof", batches.map { Double($0.metaProofBytes) / size.divisor }),
                     .init("separate proofs", batches.map { Double($0.separateProofBytes) / size.divisor })],
            layout: .grouped, x: .init("batch"), y: .init("proof size", unit: size.unit))
        out += "<h3>Gas</h3>"
        if batches.allSatisfy({ $0.gas == nil && $0.separateGas == nil }) {
            out += "<p class=\"nodata\">not measured: py-evm environment absent</p>"
        } else {
            let measured = batches.compactMap { $0.gas.map(Double.init) }, separateGas = batches.compactMap { $0.separateGas.map(Double.init) }
            out += note(["Measured on py-evm for \(measured.count) of \(batches.count) batches: meta-proof verification "
                + "\(Chart.shortNumber(measured.reduce(0, +))) gas in all"
                + (separateGas.isEmpty ? "." : ", separate proofs \(Chart.shortNumber(separateGas.reduce(0, +))) gas.")])
            out += Chart.bars(title: "Gas by batch", categories: categories,
                              series: [.init("meta-proof", batches.map { $0.gas.map(Double.init) }),
                                       .init("separate proofs", batches.map { $0.separateGas.map(Double.init) })],
                              layout: .grouped, x: .init("batch"), y: .init("gas"))
        }
        return out
    }

    func revenueSection() -> String {
        guard !epochs.isEmpty else { return Chart.noData("Revenue by class per epoch") }
        let extra = Set(epochs.flatMap(\.classes.keys)).subtracting(Self.revenueClasses).sorted()
        let classes = Self.revenueClasses + extra
        let decimals = min(max(revenueDecimals ?? 0, 0), 38), unit = revenueUnit ?? "base units"
        let scale = pow(10, Double(decimals))
        let chart = Chart.bars(
            title: "Revenue by class per epoch", categories: epochs.map { "\($0.epoch)" },
            series: classes.map { c in .init(c, epochs.map { e in e.classes[c].flatMap { UInt128($0) }.map { Double($0) / scale } }) },
            layout: .stacked, x: .init("epoch"), y: .init("revenue", unit: unit))
        let rows: [[HTMLPage.Cell]] = epochs.map { e in
            let amounts = classes.map { e.classes[$0] }
            let parsed = amounts.compactMap { $0.map { UInt128($0) } }
            var total: UInt128? = 0
            for p in parsed {
                guard let t = total, let p else { total = nil; break }
                let (sum, overflow) = t.addingReportingOverflow(p)
                total = overflow ? nil : sum
            }
            return [.text("\(e.epoch)", cssClass: "num")]
                + amounts.map { .text($0.map { AmountText.text($0, decimals: decimals) } ?? "—", cssClass: "num") }
                + [.text(total.map { AmountText.text(String($0), decimals: decimals) } ?? "—", cssClass: "num")]
        }
        return chart + note(["Exact amounts in \(unit)\(decimals > 0 ? " (base units ÷ 10^\(decimals))" : "").", ]) +
            "<div class=\"scroll\">" + HTMLPage.table(header: ["epoch"] + classes + ["total"], rows: rows, cssClass: "amounts") + "</div>"
    }

    func slashSection() -> String {
        guard !slashes.isEmpty else { return "<p class=\"note\">none</p>" }
        let decimals = min(max(revenueDecimals ?? 0, 0), 38)
        return HTMLPage.table(header: ["time (s)", "offender", "amount (\(revenueUnit ?? "base units"))", "reason"], rows: slashes.map {
            [.text($0.t.isFinite ? String(format: "%.1f", $0.t) : "—", cssClass: "num"), .code($0.offender),
             .text(AmountText.text($0.amount, decimals: decimals), cssClass: "num"), .text($0.reason)]
        })
    }

    func note(_ lines: [String]) -> String { "<p class=\"note\">\(HTML.escape(lines.joined(separator: " ")))</p>" }
}

/// Exact amounts as text: a decimal string of base units, grouped by thousands, with a decimal point
/// `decimals` digits from the right. Anything that is not a plain decimal number is shown as given.
public enum AmountText {
    public static func text(_ baseUnits: String, decimals: Int = 0) -> String {
        guard !baseUnits.isEmpty, baseUnits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return baseUnits }
        var digits = String(baseUnits.drop { $0 == "0" })
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
        let whole = String(digits.dropLast(decimals))
        let fraction = String(String(digits.suffix(decimals)).reversed().drop { $0 == "0" }.reversed())
        var grouped = ""
        for (i, ch) in whole.enumerated() {
            if i > 0, (whole.count - i) % 3 == 0 { grouped += "," }
            grouped.append(ch)
        }
        return fraction.isEmpty ? grouped : grouped + "." + fraction
    }
}

/// Units chosen from the data's range so that axes read in small numbers.
enum Units {
    /// "1 batch", "2 batches", "3 snapshots".
    static func count(_ n: Int, _ noun: String) -> String {
        n == 1 ? "1 \(noun)" : "\(n) \(noun)\(noun.hasSuffix("ch") || noun.hasSuffix("s") ? "es" : "s")"
    }

    static func time(span: Double) -> (divisor: Double, unit: String) { span > 1800 ? (60, "min") : (1, "s") }

    static func latency(max: Double) -> (factor: Double, unit: String) { max < 1 ? (1000, "ms") : (1, "s") }

    /// The unit for an axis up to `max` bytes (from 2 units up, so the ticks are not all below 2).
    static func bytes(max: Double, from threshold: Double = 2) -> (divisor: Double, unit: String) {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        return units.first { max >= $0.0 * threshold } ?? (1, "bytes")
    }

    static func bytesText(_ n: Double) -> String {
        let u = bytes(max: abs(n), from: 1)
        return "\(Chart.shortNumber(n / u.divisor)) \(u.unit)"
    }
}
