import Foundation
import Report
import Testing
import TestSupport

@Suite struct NiceTickTests {
    @Test func knownRanges() {
        #expect(Chart.niceTicks(from: 0, to: 97) == [0, 20, 40, 60, 80, 100])
        #expect(Chart.niceTicks(from: 0.013, to: 0.087) == [0, 0.02, 0.04, 0.06, 0.08, 0.1])
        #expect(Chart.niceTicks(from: -3, to: 7) == [-4, -2, 0, 2, 4, 6, 8])
        // Degenerate ranges are widened around the value; 0 gets [0, 1].
        #expect(Chart.niceTicks(from: 5, to: 5) == [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6])
        #expect(Chart.niceTicks(from: 0, to: 0) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        // Counts: whole steps only.
        #expect(Chart.niceTicks(from: 0, to: 3, integers: true) == [0, 1, 2, 3])
        #expect(Chart.niceTicks(from: .nan, to: 1).isEmpty && Chart.niceTicks(from: 0, to: .infinity).isEmpty)
    }

    /// Random ranges over many magnitudes: the ticks cover the range, are evenly spaced 1, 2 or 5 × 10^k apart,
    /// and there are a handful of them.
    @Test func ticksCoverTheRangeAtNiceSteps() {
        var rng = TestRNG(11)
        for _ in 0..<2000 {
            let scale = pow(10, Double.random(in: -6...30, using: &rng))
            let a = Double.random(in: -1...1, using: &rng) * scale, b = Double.random(in: -1...1, using: &rng) * scale
            let ticks = Chart.niceTicks(from: a, to: b, count: 5)
            #expect(ticks.first! <= min(a, b) && ticks.last! >= max(a, b), "\(a) \(b) \(ticks)")
            #expect((3...12).contains(ticks.count), "\(a) \(b) \(ticks)")
            let step = ticks[1] - ticks[0]
            let mantissa = step / pow(10, log10(step).rounded(.down))
            #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-9 * $0 }, "step \(step)")
            for (x, y) in zip(ticks, ticks.dropFirst()) { #expect(abs((y - x) - step) <= step * 1e-9) }
        }
    }

    @Test func labelsShareDecimalsAndUseSIPrefixes() {
        #expect(Chart.tickLabels([0, 0.2, 0.4]) == ["0", "0.2", "0.4"])
        #expect(Chart.tickLabels([0, 0.25, 0.5]) == ["0", "0.25", "0.50"])
        #expect(Chart.tickLabels([0, 500, 1000]) == ["0", "500", "1000"])
        #expect(Chart.tickLabels([0, 5000, 10000]) == ["0", "5k", "10k"])
        #expect(Chart.tickLabels([0, 500_000, 1_000_000]) == ["0", "0.5M", "1.0M"])
        #expect(Chart.tickLabels([0, 1e30, 2e30]) == ["0", "1e30", "2e30"])
        #expect(Chart.shortNumber(8_123_456) == "8.12M" && Chart.shortNumber(12_000) == "12k" && Chart.shortNumber(999.6) == "1000")
        #expect(Chart.shortNumber(.nan) == "–" && Chart.shortNumber(0.0421) == "0.0421")
    }
}

@Suite struct PercentileTests {
    @Test func nearestRankOnKnownInputs() {
        // The worked examples of the nearest-rank method.
        let a: [Double] = [15, 20, 35, 40, 50]
        #expect([5, 30, 40, 50, 100].map { Percentile.nearestRank($0, of: a) } == [15, 20, 20, 35, 50])
        let b: [Double] = [3, 6, 7, 8, 8, 10, 13, 15, 16, 20]
        #expect([25, 50, 75, 100].map { Percentile.nearestRank($0, of: b.shuffled()) } == [7, 8, 15, 20])
        let hundred = (1...100).map(Double.init)
        #expect(Percentile.nearestRank(99, of: hundred) == 99 && Percentile.nearestRank(99.5, of: hundred) == 100)
        #expect(Percentile.nearestRank(0, of: hundred) == 1)
        // A percentile is always one of the samples; non-finite samples are left out.
        #expect(Percentile.nearestRank(50, of: [.nan, 2, .infinity, 1, -.infinity, 3]) == 2)
        #expect(Percentile.nearestRank(50, of: []) == nil && Percentile.nearestRank(50, of: [.nan]) == nil)
        #expect(Percentile.nearestRank(.nan, of: [1]) == nil)
    }
}

@Suite struct HistogramTests {
    /// Every finite sample lands in exactly one bin, the one whose edges hold it; the rest are counted as skipped.
    @Test func binsHoldEverySampleOnce() {
        var rng = TestRNG(5)
        for trial in 0..<300 {
            let n = Int.random(in: 1...400, using: &rng)
            var samples = (0..<n).map { _ in Double.random(in: -50...1000, using: &rng) }
            if trial % 3 == 0 { samples += [.nan, .infinity, -.infinity] }
            let bins = Int.random(in: 1...50, using: &rng)
            let h = Histogram(samples: samples, bins: bins)
            let finite = samples.filter(\.isFinite)
            #expect(h.counts.reduce(0, +) == finite.count && h.skipped == samples.count - finite.count)
            #expect(h.counts.count == bins && h.edges.count == bins + 1)
            #expect(zip(h.edges, h.edges.dropFirst()).allSatisfy { $0 < $1 })
            #expect(h.edges.first! <= finite.min()! && h.edges.last! >= finite.max()!)
        }
    }

    @Test func knownBinsAndScales() {
        let h = Histogram(samples: [0, 1, 2, 3, 4, 5, 6, 7, 8, 10], bins: 5)
        #expect(h.edges == [0, 2, 4, 6, 8, 10] && h.counts == [2, 2, 2, 2, 2] && !h.logarithmic)
        // Equal samples: one bin holds them all.
        let same = Histogram(samples: [3, 3, 3], bins: 4)
        #expect(same.counts.reduce(0, +) == 3 && same.counts.filter { $0 > 0 }.count == 1)
        // Latencies spanning orders of magnitude go to a log scale by themselves; with a zero they cannot.
        let wide = Histogram(samples: [0.001, 0.01, 0.1, 1, 10], bins: 4, scale: .automatic)
        #expect(wide.logarithmic && wide.counts == [1, 1, 1, 2] && abs(wide.edges[1] - 0.01) < 1e-12)
        #expect(!Histogram(samples: [0, 0.01, 10], bins: 4, scale: .automatic).logarithmic)
        let forced = Histogram(samples: [0, -1, 1, 10], bins: 2, scale: .logarithmic)
        #expect(forced.counts.reduce(0, +) == 2 && forced.skipped == 2)
        #expect(Histogram(samples: [.nan], bins: 3).counts.isEmpty)
        // By bin width: aligned on multiples of the width.
        let byWidth = Histogram(samples: [0.1, 0.5, 1.2, 2.9, 3.0, .nan], binWidth: 1)
        #expect(byWidth.edges == [0, 1, 2, 3, 4] && byWidth.counts == [2, 1, 1, 1] && byWidth.skipped == 1)
        for width in [Double.leastNonzeroMagnitude, 0, -1, .nan, .infinity, 1e300] {
            let h = Histogram(samples: [-5, 0, 7, 1e6], binWidth: width)
            #expect(h.counts.reduce(0, +) == 4 && h.counts.count <= 10_000 && h.edges.count == h.counts.count + 1, "width \(width)")
        }
    }
}

@Suite struct ChartSVGTests {
    func clean(_ svg: String) -> Bool {
        let lower = svg.lowercased()
        return !lower.contains("nan") && !lower.contains("inf") && !svg.contains("-0.0\"")
    }

    @Test func nothingToDrawGivesANote() {
        let empty = Chart.lines(title: "Load", series: [.init("a", [.init(.nan, 1), .init(1, .infinity)])], x: .init("t"), y: .init("y"))
        #expect(empty == Chart.noData("Load") && !empty.contains("<svg"))
        #expect(Chart.histogram(title: "H", Histogram(samples: [.nan, .infinity], bins: 4), x: .init("v")) == Chart.noData("H"))
        #expect(Chart.bars(title: "B", categories: [], series: [], layout: .stacked, x: .init("c"), y: .init("v")) == Chart.noData("B"))
        #expect(Chart.bars(title: "B", categories: ["a"], series: [.init("s", [nil])], layout: .grouped, x: .init("c"), y: .init("v")) == Chart.noData("B"))
    }

    /// Hostile values: NaN and infinities are skipped; single points, equal values and UInt128-scale values draw.
    @Test func nonFiniteValuesNeverReachTheSVG() {
        let series: [Chart.Series] = [
            .init("a", [.init(0, 1), .init(1, .nan), .init(2, 3), .init(.infinity, 4), .init(3, -.infinity), .init(4, 2)]),
            .init("b", [.init(1, 5)], shape: .step, side: .right),
        ]
        let lines = Chart.lines(title: "T", series: series, x: .init("t", unit: "s"), y: .init("y"), y2: .init("z"),
                                markers: [1.5, .nan, .infinity], markerName: "scale-up")
        #expect(lines.hasPrefix("<svg") && clean(lines) && lines.contains("<circle") && lines.contains("scale-up"))
        // A NaN breaks the line: three runs (0–0, 2–2, 4–4 are split by the non-finite points) start with M.
        let path = lines.components(separatedBy: "<path d=\"").dropFirst().first!.prefix { $0 != "\"" }
        #expect(path.filter { $0 == "M" }.count == 3)
        // A count axis (serving nodes 2…2) has whole ticks only.
        let nodes = Chart.lines(title: "N", series: [.init("nodes", [.init(0, 2), .init(9, 2)], shape: .step)], x: .init("t"), y: .init("nodes", integers: true))
        #expect(nodes.contains(">2</text>") && !nodes.contains(">0.5</text>") && !nodes.contains(">1.5</text>"))
        let flat = Chart.lines(title: "F", series: [.init("a", [.init(0, 7), .init(1, 7)])], x: .init("t"), y: .init("y", fromZero: false))
        #expect(flat.hasPrefix("<svg") && clean(flat))
        let huge = Chart.bars(title: "Revenue", categories: ["1", "2"], series: [.init("core", [3.4e38, .nan]), .init("users", [nil, 1e38])],
                              layout: .stacked, x: .init("epoch"), y: .init("revenue"))
        #expect(huge.hasPrefix("<svg") && clean(huge) && huge.contains("e36"))
        let h = Chart.histogram(title: "H", Histogram(samples: [1, 1, 1], bins: 3), x: .init("v"), markers: [.init(.nan, "x"), .init(1, "p50")])
        #expect(h.hasPrefix("<svg") && clean(h) && h.contains("p50") && h.contains("<title>H</title>"))
    }

    @Test func sameDataSameBytes() {
        var rng = TestRNG(3)
        let points = (0..<500).map { Chart.XY(Double($0), Double.random(in: 0...1e6, using: &rng)) }
        let draw = { Chart.lines(title: "x", series: [.init("p", points), .init("q", points.reversed(), shape: .step, side: .right)],
                                 x: .init("t"), y: .init("y"), y2: .init("z"), markers: [10, 200]) }
        #expect(draw() == draw())
        let samples = points.map(\.y)
        #expect(Chart.histogram(title: "h", Histogram(samples: samples, bins: 20), x: .init("v")) ==
                Chart.histogram(title: "h", Histogram(samples: samples, bins: 20), x: .init("v")))
    }

    /// Category labels are thinned out rather than drawn on top of each other.
    @Test func manyCategoriesKeepLabelsApart() {
        let categories = (1...300).map { "#\($0)" }
        let svg = Chart.bars(title: "B", categories: categories, series: [.init("s", categories.indices.map { Double($0) })],
                             layout: .grouped, x: .init("batch"), y: .init("bytes"))
        let labelXs = svg.components(separatedBy: "\n").filter { $0.contains("text-anchor=\"middle\">#") }
            .compactMap { line in Double(line.components(separatedBy: "x=\"")[1].prefix { $0 != "\"" }) }
        #expect(labelXs.count > 5 && labelXs.count < 60)
        #expect(zip(labelXs, labelXs.dropFirst()).allSatisfy { $1 - $0 >= 30 })
    }
}
