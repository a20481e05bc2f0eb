// Charts for the report pages, drawn as SVG text: a line/step chart over time, a histogram and a bar chart.
// Pure functions of their data: the same data gives the same bytes (fixed-precision coordinates, sorted keys,
// no randomness). Non-finite values are skipped before drawing, so "nan" and "inf" never reach the SVG.
import Foundation

public enum Chart {
    /// The standard chart size in CSS pixels (the page scales it down on narrow screens).
    public static let width = 720.0, height = 260.0
    /// One accent colour per series, in this order; distinguishable on a light background.
    public static let palette = ["#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#2c7a7b", "#b7791f", "#4a5568"]
    static let markerColour = "#9b2c2c", ink = "#1d232a", muted = "#4a525c", gridColour = "#e6e9ee", axisColour = "#8a939e"

    /// An axis: what it measures and in which unit ("load", "tx/s"). `fromZero` keeps 0 in the range;
    /// `integers` keeps ticks on whole numbers (counts such as nodes).
    public struct Axis: Sendable, Equatable {
        public var label: String
        public var unit: String
        public var fromZero: Bool
        public var integers: Bool
        public init(_ label: String, unit: String = "", fromZero: Bool = true, integers: Bool = false) {
            self.label = label; self.unit = unit; self.fromZero = fromZero; self.integers = integers
        }
        var caption: String { unit.isEmpty ? label : "\(label) (\(unit))" }
    }

    public struct XY: Sendable, Equatable {
        public var x: Double, y: Double
        public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    }

    /// One series of a line chart: drawn as straight segments or as steps (a value that holds until the next),
    /// against the left axis or the right one.
    public struct Series: Sendable, Equatable {
        public enum Shape: Sendable { case line, step }
        public enum Side: Sendable { case left, right }
        public var name: String, points: [XY], shape: Shape, side: Side
        public init(_ name: String, _ points: [XY], shape: Shape = .line, side: Side = .left) {
            self.name = name; self.points = points; self.shape = shape; self.side = side
        }
    }

    /// A vertical line at `x` (a scale-up, a percentile), named in the legend or beside the line.
    public struct Marker: Sendable, Equatable {
        public var x: Double, label: String
        public init(_ x: Double, _ label: String) { self.x = x; self.label = label }
    }

    /// One series of a bar chart: a value per category, nil where it has none.
    public struct BarSeries: Sendable, Equatable {
        public var name: String, values: [Double?]
        public init(_ name: String, _ values: [Double?]) { self.name = name; self.values = values }
    }

    public enum BarLayout: Sendable { case grouped, stacked }

    /// The note shown instead of a chart with nothing to draw.
    public static func noData(_ title: String) -> String {
        "<p class=\"nodata\">\(HTML.escape(title)): no data.</p>"
    }

    // MARK: - Line / step chart

    /// Series over a shared x axis (time), with an optional right axis for series on `.right` and vertical
    /// `markers` (all of one kind, named `markerName` in the legend). Points with a non-finite coordinate are
    /// skipped and break the line there.
    public static func lines(title: String, series: [Series], x: Axis, y: Axis, y2: Axis? = nil,
                             markers: [Double] = [], markerName: String = "marker") -> String {
        let finite = series.map { $0.points.filter { $0.x.isFinite && $0.y.isFinite } }
        let marks = markers.filter(\.isFinite)
        guard finite.contains(where: { !$0.isEmpty }) else { return noData(title) }
        let right = y2 != nil && zip(series, finite).contains { $0.side == .right && !$1.isEmpty }
        var legend = zip(series.indices, series).map { i, s in LegendEntry(name: s.name, colour: colour(i), shape: .line) }
        if !marks.isEmpty { legend.append(LegendEntry(name: markerName, colour: markerColour, shape: .dashed)) }
        let frame = Frame(legend: legend, rightAxis: right)
        var svg = SVG(title: title)
        frame.drawLegend(legend, into: &svg)

        let xs = finite.flatMap { $0.map(\.x) } + marks
        let xTicks = niceTicks(from: xs.min()!, to: xs.max()!, count: 7)
        let xScale = LinearScale(ticks: xTicks, from: frame.plotLeft, to: frame.plotRight)
        func yTicks(_ side: Series.Side, _ axis: Axis) -> [Double] {
            let ys = zip(series, finite).filter { $0.0.side == side }.flatMap { $1.map(\.y) }
            guard let lo = ys.min(), let hi = ys.max() else { return [] }
            return niceTicks(from: axis.fromZero ? min(0, lo) : lo, to: axis.fromZero ? max(0, hi) : hi, count: 5, integers: axis.integers)
        }
        let leftTicks = yTicks(.left, y)
        let leftScale = LinearScale(ticks: leftTicks.isEmpty ? [0, 1] : leftTicks, from: frame.plotBottom, to: frame.plotTop)
        frame.drawYAxis(leftTicks, scale: leftScale, side: .left, caption: y.caption, grid: true, into: &svg)
        var rightScale = leftScale
        if right, let y2 {
            let ticks = yTicks(.right, y2)
            rightScale = LinearScale(ticks: ticks, from: frame.plotBottom, to: frame.plotTop)
            frame.drawYAxis(ticks, scale: rightScale, side: .right, caption: y2.caption, grid: leftTicks.isEmpty, into: &svg)
        }
        frame.drawXAxis(xTicks, labels: tickLabels(xTicks), scale: xScale, caption: x.caption, into: &svg)

        for m in marks {
            let px = SVGNumber.coordinate(xScale(m))
            svg.add("<line x1=\"\(px)\" x2=\"\(px)\" y1=\"\(SVGNumber.coordinate(frame.plotTop))\" y2=\"\(SVGNumber.coordinate(frame.plotBottom))\" stroke=\"\(markerColour)\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>")
        }
        for (i, s) in series.enumerated() {
            let yScale = right && s.side == .right ? rightScale : leftScale
            var d = "", previous: XY?
            for p in s.points {
                guard p.x.isFinite, p.y.isFinite else { previous = nil; continue }
                let px = SVGNumber.coordinate(xScale(p.x)), py = SVGNumber.coordinate(yScale(p.y))
                if previous == nil { d += "M\(px) \(py)" } else if s.shape == .step { d += "H\(px)V\(py)" } else { d += "L\(px) \(py)" }
                previous = p
            }
            guard !d.isEmpty else { continue }
            svg.add("<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour(i))\" stroke-width=\"1.8\" stroke-linejoin=\"round\"/>")
            // A lone point would be an invisible path: draw it as a dot.
            if finite[i].count == 1, let p = finite[i].first {
                svg.add("<circle cx=\"\(SVGNumber.coordinate(xScale(p.x)))\" cy=\"\(SVGNumber.coordinate(yScale(p.y)))\" r=\"3\" fill=\"\(colour(i))\"/>")
            }
        }
        return svg.close()
    }

    // MARK: - Histogram

    /// The histogram's bars, with labelled vertical markers (percentiles) over the value axis.
    public static func histogram(title: String, _ h: Histogram, x: Axis, markers: [Marker] = []) -> String {
        guard let first = h.edges.first, let last = h.edges.last, h.counts.reduce(0, +) > 0 else { return noData(title) }
        let frame = Frame(legend: [], rightAxis: false)
        var svg = SVG(title: title)
        let yTicks = niceTicks(from: 0, to: Double(h.counts.max()!), count: 5, integers: true)
        let yScale = LinearScale(ticks: yTicks, from: frame.plotBottom, to: frame.plotTop)
        frame.drawYAxis(yTicks, scale: yScale, side: .left, caption: "count", grid: true, into: &svg)
        // On a log axis the scale runs over log10 of the values; ticks are powers of ten (and 2, 5 when few).
        let toAxis: (Double) -> Double = h.logarithmic ? { log10($0) } : { $0 }
        let xTicks: [Double], xLabels: [String]
        if h.logarithmic {
            xTicks = logTicks(from: first, to: last)
            xLabels = xTicks.map(shortNumber)
        } else {
            xTicks = niceTicks(from: first, to: last, count: 7)
            xLabels = tickLabels(xTicks)
        }
        let axisTicks = xTicks.map(toAxis)
        let lo = min(axisTicks.first ?? toAxis(first), toAxis(first)), hi = max(axisTicks.last ?? toAxis(last), toAxis(last))
        let xScale = LinearScale(lo: lo, hi: hi, from: frame.plotLeft, to: frame.plotRight)
        frame.drawXAxis(axisTicks, labels: xLabels, scale: xScale, caption: x.caption + (h.logarithmic ? ", log scale" : ""), into: &svg)
        for (i, n) in h.counts.enumerated() where n > 0 {
            let x0 = xScale(toAxis(h.edges[i])), x1 = xScale(toAxis(h.edges[i + 1]))
            let gap = x1 - x0 > 4 ? 1.0 : 0
            let top = yScale(Double(n))
            svg.add("<rect x=\"\(SVGNumber.coordinate(x0 + gap / 2))\" y=\"\(SVGNumber.coordinate(top))\" width=\"\(SVGNumber.coordinate(max(0.6, x1 - x0 - gap)))\" height=\"\(SVGNumber.coordinate(frame.plotBottom - top))\" fill=\"\(palette[0])\" fill-opacity=\"0.85\"><title>\(HTML.escape("\(shortNumber(h.edges[i]))–\(shortNumber(h.edges[i + 1])) \(x.unit): \(n)"))</title></rect>")
        }
        // Marker labels alternate rows and sides so that close percentiles stay readable.
        for (i, m) in markers.enumerated() where m.x.isFinite && (!h.logarithmic || m.x > 0) {
            let px = xScale(toAxis(m.x))
            guard px >= frame.plotLeft - 0.5, px <= frame.plotRight + 0.5 else { continue }
            let c = SVGNumber.coordinate(px)
            svg.add("<line x1=\"\(c)\" x2=\"\(c)\" y1=\"\(SVGNumber.coordinate(frame.plotTop))\" y2=\"\(SVGNumber.coordinate(frame.plotBottom))\" stroke=\"\(markerColour)\" stroke-width=\"1.4\" stroke-dasharray=\"5 3\"/>")
            let leftSide = px > (frame.plotLeft + frame.plotRight) / 2
            let tx = SVGNumber.coordinate(leftSide ? px - 5 : px + 5), ty = SVGNumber.coordinate(frame.plotTop + 12 + 15 * Double(i % 4))
            svg.add("<text x=\"\(tx)\" y=\"\(ty)\" font-size=\"12\" fill=\"\(markerColour)\" text-anchor=\"\(leftSide ? "end" : "start")\" paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">\(HTML.escape(m.label))</text>")
        }
        return svg.close()
    }

    // MARK: - Bars

    /// Bars per category, series side by side (`.grouped`) or on top of each other (`.stacked`; negative values
    /// stack downwards from 0). Category labels are thinned out when they would overlap.
    public static func bars(title: String, categories: [String], series: [BarSeries], layout: BarLayout,
                            x: Axis, y: Axis) -> String {
        let n = categories.count
        func value(_ s: BarSeries, _ c: Int) -> Double? {
            guard c < s.values.count, let v = s.values[c], v.isFinite else { return nil }
            return v
        }
        let present = series.flatMap { s in (0..<n).compactMap { value(s, $0) } }
        guard n > 0, !present.isEmpty else { return noData(title) }
        var lo = 0.0, hi = 0.0
        for c in 0..<n {
            let vs = series.compactMap { value($0, c) }
            if layout == .stacked {
                hi = max(hi, vs.filter { $0 > 0 }.reduce(0, +)); lo = min(lo, vs.filter { $0 < 0 }.reduce(0, +))
            } else {
                hi = max(hi, vs.max() ?? 0); lo = min(lo, vs.min() ?? 0)
            }
        }
        let legend = series.indices.map { LegendEntry(name: series[$0].name, colour: colour($0), shape: .box) }
        let frame = Frame(legend: series.count > 1 ? legend : [], rightAxis: false)
        var svg = SVG(title: title)
        if series.count > 1 { frame.drawLegend(legend, into: &svg) }
        let yTicks = niceTicks(from: lo, to: hi, count: 5, integers: y.integers)
        let yScale = LinearScale(ticks: yTicks, from: frame.plotBottom, to: frame.plotTop)
        frame.drawYAxis(yTicks, scale: yScale, side: .left, caption: y.caption, grid: true, into: &svg)

        let band = (frame.plotRight - frame.plotLeft) / Double(n)
        let inner = band * (n > 40 ? 0.9 : 0.75)
        let zero = yScale(0)
        for c in 0..<n {
            let start = frame.plotLeft + band * Double(c) + (band - inner) / 2
            var up = 0.0, down = 0.0
            for (i, s) in series.enumerated() {
                guard let v = value(s, c) else { continue }
                let x0: Double, w: Double, y0: Double, y1: Double
                switch layout {
                case .grouped:
                    w = inner / Double(series.count); x0 = start + w * Double(i); y0 = 0; y1 = v
                case .stacked:
                    w = inner; x0 = start
                    if v >= 0 { y0 = up; up += v; y1 = up } else { y0 = down; down += v; y1 = down }
                }
                let top = min(yScale(y0), yScale(y1)), height = abs(yScale(y1) - yScale(y0))
                svg.add("<rect x=\"\(SVGNumber.coordinate(x0))\" y=\"\(SVGNumber.coordinate(top))\" width=\"\(SVGNumber.coordinate(max(0.6, w)))\" height=\"\(SVGNumber.coordinate(height))\" fill=\"\(colour(i))\"><title>\(HTML.escape("\(categories[c]) · \(s.name): \(shortNumber(v)) \(y.unit)"))</title></rect>")
            }
        }
        svg.add("<line x1=\"\(SVGNumber.coordinate(frame.plotLeft))\" x2=\"\(SVGNumber.coordinate(frame.plotRight))\" y1=\"\(SVGNumber.coordinate(zero))\" y2=\"\(SVGNumber.coordinate(zero))\" stroke=\"\(axisColour)\"/>")
        // Category labels, every k-th so that none overlap.
        let labels = categories.map { $0.count > 14 ? String($0.prefix(13)) + "…" : $0 }
        let widest = labels.map { textWidth($0, size: 11) }.max() ?? 0
        let every = max(1, Int(((widest + 8) / band).rounded(.up)))
        for c in stride(from: 0, to: n, by: every) {
            let cx = SVGNumber.coordinate(frame.plotLeft + band * (Double(c) + 0.5))
            svg.add("<text x=\"\(cx)\" y=\"\(SVGNumber.coordinate(frame.plotBottom + 15))\" font-size=\"11\" fill=\"\(muted)\" text-anchor=\"middle\">\(HTML.escape(labels[c]))</text>")
        }
        frame.drawXCaption(x.caption, into: &svg)
        return svg.close()
    }

    // MARK: - Scales and ticks

    /// Ticks at nice numbers (1, 2 or 5 × 10^k apart) covering [from, to], about `count` of them. A degenerate
    /// range is widened around its value. `integers` keeps the step ≥ 1 (for counts). Empty if not finite.
    public static func niceTicks(from a: Double, to b: Double, count: Int = 5, integers: Bool = false) -> [Double] {
        guard a.isFinite, b.isFinite else { return [] }
        var (lo, hi) = (min(a, b), max(a, b))
        if lo == hi {
            if lo == 0 { hi = 1 } else { let d = abs(lo) * 0.1; lo -= d; hi += d }
        }
        guard (hi - lo).isFinite, hi - lo > 0 else { return [lo, hi] }
        let range = niceNumber(hi - lo, round: false)
        var (mantissa, exponent) = niceStep(range / Double(max(1, count - 1)))
        if integers && exponent < 0 { mantissa = 1; exponent = 0 }
        // Ticks as k × mantissa × 10^exponent, dividing for negative exponents so that 0.1 × 3 prints as 0.3.
        func tick(_ k: Double) -> Double {
            exponent >= 0 ? k * mantissa * pow(10, Double(exponent)) : k * mantissa / pow(10, Double(-exponent))
        }
        let step = tick(1)
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        guard last - first <= 1000 else { return [lo, hi] }
        return stride(from: first, through: last, by: 1).map { tick($0) + 0 }   // + 0 turns -0 into 0
    }

    /// Labels for evenly spaced ticks: one number of decimals for the whole axis, an SI suffix from 10 000 up
    /// (k, M, G, …) and an exponent beyond 10^24 (UInt128-scale amounts).
    public static func tickLabels(_ ticks: [Double]) -> [String] {
        guard let maxAbs = ticks.map(abs).max(), maxAbs.isFinite else { return ticks.map { _ in "" } }
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : max(maxAbs, 1)
        let (divisor, suffix) = siPrefix(maxAbs)
        // The fewest decimals (at most 9) that print every tick exactly (up to rounding noise).
        let tolerance = step / divisor * 1e-6
        let decimals = (0...9).first { d in
            let p = pow(10, Double(d))
            return ticks.allSatisfy { abs($0 / divisor - ($0 / divisor * p).rounded() / p) <= tolerance }
        } ?? 9
        return ticks.map { t in
            t == 0 ? "0" : String(format: "%.\(decimals)f", t / divisor) + suffix
        }
    }

    /// A value for labels: up to three significant digits, an SI suffix from 10 000 up. "–" when not finite.
    public static func shortNumber(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if v == 0 { return "0" }
        if abs(v) < 1e4 { return abs(v) >= 100 ? String(format: "%.0f", v) : String(format: "%.3g", v) }
        let (divisor, suffix) = siPrefix(abs(v))
        let m = v / divisor
        var digits = String(format: abs(m) >= 100 ? "%.0f" : abs(m) >= 10 ? "%.1f" : "%.2f", m)
        if digits.contains(".") { while digits.hasSuffix("0") { digits.removeLast() }; if digits.hasSuffix(".") { digits.removeLast() } }
        return digits + suffix
    }

    /// The divisor and suffix for values up to `maxAbs`: none below 10 000, then k, M, G, T, P, E, Z, Y, and
    /// beyond 10^24 an exponent ("e27").
    static func siPrefix(_ maxAbs: Double) -> (Double, String) {
        guard maxAbs >= 1e4, maxAbs.isFinite else { return (1, "") }
        let thousands = min(Int((log10(maxAbs) / 3).rounded(.down)), 100)
        let names = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"]
        return (pow(10, Double(3 * thousands)), thousands < names.count ? names[thousands] : "e\(3 * thousands)")
    }

    static func niceNumber(_ x: Double, round: Bool) -> Double {
        let (m, e) = round ? niceStep(x) : niceCeiling(x)
        return e >= 0 ? m * pow(10, Double(e)) : m / pow(10, Double(-e))
    }

    /// x rounded to the nearest of 1, 2, 5, 10 × 10^k, as (mantissa, k).
    static func niceStep(_ x: Double) -> (Double, Int) {
        let e = Int(log10(x).rounded(.down)), f = x / pow(10, Double(e))
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10, e)
    }

    /// x rounded up to 1, 2, 5, 10 × 10^k.
    static func niceCeiling(_ x: Double) -> (Double, Int) {
        let e = Int(log10(x).rounded(.down)), f = x / pow(10, Double(e))
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10, e)
    }

    /// Powers of ten covering [lo, hi] (both > 0), with 2 and 5 between them when there are few decades.
    static func logTicks(from lo: Double, to hi: Double) -> [Double] {
        let a = Int(log10(lo).rounded(.down)), b = Int(log10(hi).rounded(.up))
        guard b - a <= 60 else { return [lo, hi] }
        let multiples: [Double] = b - a <= 2 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for e in a...b {
            for m in multiples {
                let t = e >= 0 ? m * pow(10, Double(e)) : m / pow(10, Double(-e))
                if t >= lo * 0.999_999, t <= hi * 1.000_001 { ticks.append(t) }
            }
        }
        return ticks.count >= 2 ? ticks : [lo, hi]
    }

    static func colour(_ i: Int) -> String { palette[i % palette.count] }

    /// An estimate of a sans-serif text's width in pixels (enough to lay out labels without overlaps).
    static func textWidth(_ s: String, size: Double) -> Double { Double(s.count) * size * 0.56 }
}

/// Bins of samples: `counts[i]` samples in [edges[i], edges[i+1]) (the last bin includes its upper edge).
/// Non-finite samples (and, on a log scale, non-positive ones) are counted in `skipped`, never binned.
public struct Histogram: Sendable, Equatable {
    public enum Scale: Sendable { case linear, logarithmic
        /// Logarithmic when every sample is positive and they span two orders of magnitude or more.
        case automatic
    }
    public var edges: [Double]
    public var counts: [Int]
    public var logarithmic: Bool
    public var skipped: Int

    /// `bins` equal bins (equal in log10 on a log scale) from the smallest sample to the largest.
    public init(samples: [Double], bins: Int, scale: Scale = .linear) {
        let finite = samples.filter(\.isFinite)
        let positive = finite.filter { $0 > 0 }
        let log: Bool
        switch scale {
        case .linear: log = false
        case .logarithmic: log = true
        case .automatic:
            log = !finite.isEmpty && positive.count == finite.count && positive.max()! >= 100 * positive.min()!
        }
        self.init(samples: samples, bins: bins, logarithmic: log, range: nil)
    }

    /// Linear bins `binWidth` wide, aligned on multiples of it. At most 10 000 bins: when the samples need more,
    /// the bins are widened to cover them.
    public init(samples: [Double], binWidth: Double) {
        let finite = samples.filter(\.isFinite)
        guard binWidth.isFinite, binWidth > 0, let lo = finite.min(), let hi = finite.max() else {
            self.init(samples: samples, bins: 1, logarithmic: false, range: nil)
            return
        }
        let start = (lo / binWidth).rounded(.down) * binWidth
        let count = ((hi - start) / binWidth).rounded(.down) + 1   // NaN or infinite for absurd widths: clamped
        let n = count.isNaN ? 1 : Int(min(10_000, max(1, count)))
        self.init(samples: samples, bins: n, logarithmic: false, range: (start, start + Double(n) * binWidth))
    }

    /// `bins` equal bins over `range` (in log10 when `logarithmic`), or from the smallest sample to the largest.
    init(samples: [Double], bins: Int, logarithmic log: Bool, range: (Double, Double)?) {
        let usable = samples.filter { $0.isFinite && (!log || $0 > 0) }.map { log ? log10($0) : $0 }
        logarithmic = log
        skipped = samples.count - usable.count
        guard var lo = usable.min(), var hi = usable.max() else { edges = []; counts = []; return }
        if let range, range.0 < range.1, range.0.isFinite, range.1.isFinite { (lo, hi) = (min(lo, range.0), max(hi, range.1)) }
        if lo == hi { let d = log ? 0.05 : (lo == 0 ? 0.5 : abs(lo) * 0.05); lo -= d; hi += d }
        let n = min(max(1, bins), 10_000)
        let width = (hi - lo) / Double(n)
        var counts = [Int](repeating: 0, count: n)
        for v in usable {
            // (v - lo) / width can overflow Int only for absurd ranges: clamp in Double first.
            let i = min(Double(n - 1), max(0, ((v - lo) / width).rounded(.down)))
            counts[Int(i)] += 1
        }
        self.counts = counts
        edges = (0...n).map { i in
            let e = i == n ? hi : lo + width * Double(i)
            return log ? pow(10, e) : e
        }
    }
}

/// Nearest-rank percentiles: the smallest sample with at least p% of the samples at or below it.
public enum Percentile {
    /// The p-th percentile (0 < p ≤ 100; p ≤ 0 gives the minimum) of the finite samples, nil when there are none.
    public static func nearestRank(_ p: Double, of samples: [Double]) -> Double? {
        let sorted = samples.filter(\.isFinite).sorted()
        guard !sorted.isEmpty, !p.isNaN else { return nil }
        // p·n/100 rather than p/100·n: exact for whole p and n, so p40 of 5 samples is rank 2, not 3.
        let rank = (min(max(p, 0), 100) * Double(sorted.count) / 100).rounded(.up)
        return sorted[min(sorted.count, max(1, Int(rank))) - 1]
    }
}

// MARK: - Drawing pieces shared by the charts

struct LegendEntry {
    enum Shape { case line, dashed, box }
    var name: String, colour: String, shape: Shape
}

/// A linear map from values to pixels over the range of the given ticks.
struct LinearScale {
    var lo: Double, hi: Double, from: Double, to: Double
    init(lo: Double, hi: Double, from: Double, to: Double) { self.lo = lo; self.hi = hi; self.from = from; self.to = to }
    init(ticks: [Double], from: Double, to: Double) {
        self.init(lo: ticks.first ?? 0, hi: ticks.last ?? 1, from: from, to: to)
    }
    func callAsFunction(_ v: Double) -> Double {
        hi > lo ? from + (v - lo) / (hi - lo) * (to - from) : (from + to) / 2
    }
}

/// An SVG document under construction.
struct SVG {
    var text: String
    init(title: String, width: Double = Chart.width, height: Double = Chart.height) {
        let w = Int(width), h = Int(height)
        text = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" aria-label=\"\(HTML.escape(title))\" font-family=\"system-ui,-apple-system,'Segoe UI',sans-serif\">\n<title>\(HTML.escape(title))</title>\n"
    }
    mutating func add(_ element: String) { text += element + "\n" }
    func close() -> String { text + "</svg>" }
}

/// The plot area inside the chart, after the legend rows, the axes' labels and captions.
struct Frame {
    let width = Chart.width, height = Chart.height
    let plotLeft: Double, plotRight: Double, plotTop: Double, plotBottom: Double
    let legendRows: [[(LegendEntry, Double)]]

    init(legend: [LegendEntry], rightAxis: Bool) {
        plotLeft = 66
        plotRight = width - (rightAxis ? 66 : 18)
        // Legend entries flow left to right, wrapping within the plot's width.
        var rows: [[(LegendEntry, Double)]] = [], row: [(LegendEntry, Double)] = [], x = plotLeft
        for e in legend {
            let w = 26 + Chart.textWidth(e.name, size: 12) + 18
            if x + w > plotRight, !row.isEmpty { rows.append(row); row = []; x = plotLeft }
            row.append((e, x)); x += w
        }
        if !row.isEmpty { rows.append(row) }
        legendRows = rows
        plotTop = 14 + 18 * Double(rows.count)
        plotBottom = height - 44
    }

    func drawLegend(_ legend: [LegendEntry], into svg: inout SVG) {
        for (r, row) in legendRows.enumerated() {
            let y = 12 + 18 * Double(r)
            for (e, x) in row {
                let cy = SVGNumber.coordinate(y - 4)
                switch e.shape {
                case .box: svg.add("<rect x=\"\(SVGNumber.coordinate(x))\" y=\"\(SVGNumber.coordinate(y - 10))\" width=\"18\" height=\"11\" rx=\"2\" fill=\"\(e.colour)\"/>")
                case .line, .dashed:
                    svg.add("<line x1=\"\(SVGNumber.coordinate(x))\" x2=\"\(SVGNumber.coordinate(x + 20))\" y1=\"\(cy)\" y2=\"\(cy)\" stroke=\"\(e.colour)\" stroke-width=\"2.2\"\(e.shape == .dashed ? " stroke-dasharray=\"4 3\"" : "")/>")
                }
                svg.add("<text x=\"\(SVGNumber.coordinate(x + 26))\" y=\"\(SVGNumber.coordinate(y))\" font-size=\"12\" fill=\"\(Chart.ink)\">\(HTML.escape(e.name))</text>")
            }
        }
    }

    enum Side { case left, right }

    /// Tick labels, grid lines (optional) and the rotated caption of a vertical axis.
    func drawYAxis(_ ticks: [Double], scale: LinearScale, side: Side, caption: String, grid: Bool, into svg: inout SVG) {
        guard !ticks.isEmpty else { return }
        let labels = Chart.tickLabels(ticks)
        let axisX = side == .left ? plotLeft : plotRight
        for (t, label) in zip(ticks, labels) {
            let y = SVGNumber.coordinate(scale(t))
            if grid {
                svg.add("<line x1=\"\(SVGNumber.coordinate(plotLeft))\" x2=\"\(SVGNumber.coordinate(plotRight))\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"\(Chart.gridColour)\"/>")
            }
            let tx = SVGNumber.coordinate(side == .left ? axisX - 6 : axisX + 6)
            svg.add("<text x=\"\(tx)\" y=\"\(y)\" dy=\"4\" font-size=\"11\" fill=\"\(Chart.muted)\" text-anchor=\"\(side == .left ? "end" : "start")\">\(HTML.escape(label))</text>")
        }
        let ax = SVGNumber.coordinate(axisX)
        svg.add("<line x1=\"\(ax)\" x2=\"\(ax)\" y1=\"\(SVGNumber.coordinate(plotTop))\" y2=\"\(SVGNumber.coordinate(plotBottom))\" stroke=\"\(Chart.axisColour)\"/>")
        let cx = side == .left ? 14.0 : width - 10, cy = SVGNumber.coordinate((plotTop + plotBottom) / 2)
        svg.add("<text transform=\"translate(\(SVGNumber.coordinate(cx)) \(cy)) rotate(\(side == .left ? -90 : 90))\" font-size=\"12\" fill=\"\(Chart.ink)\" text-anchor=\"middle\">\(HTML.escape(caption))</text>")
    }

    /// Tick marks and labels (thinned out when they would overlap) and the caption of the horizontal axis.
    func drawXAxis(_ ticks: [Double], labels: [String], scale: LinearScale, caption: String, into svg: inout SVG) {
        let by = SVGNumber.coordinate(plotBottom)
        svg.add("<line x1=\"\(SVGNumber.coordinate(plotLeft))\" x2=\"\(SVGNumber.coordinate(plotRight))\" y1=\"\(by)\" y2=\"\(by)\" stroke=\"\(Chart.axisColour)\"/>")
        let spacing = ticks.count > 1 ? abs(scale(ticks[1]) - scale(ticks[0])) : .infinity
        let widest = labels.map { Chart.textWidth($0, size: 11) }.max() ?? 0
        let every = spacing.isFinite && spacing > 0 ? max(1, Int(((widest + 10) / spacing).rounded(.up))) : 1
        for (i, (t, label)) in zip(ticks, labels).enumerated() {
            let x = SVGNumber.coordinate(scale(t))
            svg.add("<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(by)\" y2=\"\(SVGNumber.coordinate(plotBottom + 4))\" stroke=\"\(Chart.axisColour)\"/>")
            if i % every == 0 {
                svg.add("<text x=\"\(x)\" y=\"\(SVGNumber.coordinate(plotBottom + 16))\" font-size=\"11\" fill=\"\(Chart.muted)\" text-anchor=\"middle\">\(HTML.escape(label))</text>")
            }
        }
        drawXCaption(caption, into: &svg)
    }

    func drawXCaption(_ caption: String, into svg: inout SVG) {
        svg.add("<text x=\"\(SVGNumber.coordinate((plotLeft + plotRight) / 2))\" y=\"\(SVGNumber.coordinate(height - 8))\" font-size=\"12\" fill=\"\(Chart.ink)\" text-anchor=\"middle\">\(HTML.escape(caption))</text>")
    }
}
