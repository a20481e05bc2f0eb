import Foundation

/// Writes an SVG with three stacked panels over time: load (tx/s), serving nodes, p99 queueing delay (s).
/// One line per result (policy); the load panel shows the workload once.
public enum SVGPlot {
    static let colors = ["caldera": "#d62728", "hpa": "#1f77b4", "fixed-mean": "#2ca02c", "fixed-peak": "#9467bd"]

    public static func render(results: [SimulationResult], title: String, subtitle: String = "") -> String {
        let width = 960.0, panelH = 170.0, left = 70.0, right = 150.0, top = 56.0, gap = 42.0
        let plotW = width - left - right
        let height = top + 3 * panelH + 2 * gap + 40
        let tMax = max(1, results.map(\.durationSeconds).max() ?? 1)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += "<text x=\"\(left)\" y=\"20\" font-size=\"14\" font-weight=\"bold\">\(esc(title))</text>\n"
        if !subtitle.isEmpty { svg += "<text x=\"\(left)\" y=\"38\" fill=\"#555\">\(esc(subtitle))</text>\n" }

        func panel(_ index: Int, label: String, series: [(name: String, values: [(Double, Double)])], yMaxHint: Double? = nil) {
            let y0 = top + Double(index) * (panelH + gap)
            let yMax = max(yMaxHint ?? 0, series.flatMap { $0.values.map(\.1) }.max() ?? 1, 1e-9) * 1.05
            svg += "<rect x=\"\(left)\" y=\"\(y0)\" width=\"\(plotW)\" height=\"\(panelH)\" fill=\"none\" stroke=\"#999\"/>\n"
            svg += "<text x=\"\(left)\" y=\"\(y0 - 6)\" font-weight=\"bold\">\(esc(label))</text>\n"
            for k in 0...4 {
                let v = yMax * Double(k) / 4
                let y = y0 + panelH - panelH * Double(k) / 4
                svg += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(r(y))\" y2=\"\(r(y))\" stroke=\"#eee\"/>"
                svg += "<text x=\"\(left - 6)\" y=\"\(r(y + 4))\" text-anchor=\"end\">\(fmt(v, v < 10 ? 2 : 0))</text>\n"
            }
            for k in 0...5 {
                let t = tMax * Double(k) / 5
                let x = left + plotW * Double(k) / 5
                svg += "<text x=\"\(r(x))\" y=\"\(r(y0 + panelH + 14))\" text-anchor=\"middle\">\(fmt(t, 0)) s</text>\n"
            }
            for s in series {
                let pts = downsample(s.values, buckets: 900).map { "\(r(left + plotW * $0.0 / tMax)),\(r(y0 + panelH - panelH * min($0.1, yMax) / yMax))" }
                svg += "<polyline fill=\"none\" stroke=\"\(colors[s.name] ?? "#333")\" stroke-width=\"1.2\" points=\"\(pts.joined(separator: " "))\"/>\n"
            }
        }
        let loadSeries = results.first.map { [(name: "load", values: $0.timeline.map { ($0.time, $0.load) })] } ?? []
        panel(0, label: "load (tx/s, 1-s bins)", series: loadSeries)
        panel(1, label: "serving nodes", series: results.map { r in (r.policy, r.timeline.map { ($0.time, Double($0.servingNodes)) }) }, yMaxHint: 100)
        panel(2, label: "p99 queueing delay per 1-s bin (s)", series: results.map { r in (r.policy, r.timeline.map { ($0.time, $0.p99Delay) }) })
        // Legend.
        var ly = top + 10
        for r in results {
            svg += "<line x1=\"\(left + plotW + 12)\" x2=\"\(left + plotW + 32)\" y1=\"\(ly)\" y2=\"\(ly)\" stroke=\"\(colors[r.policy] ?? "#333")\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(left + plotW + 36)\" y=\"\(ly + 4)\">\(esc(r.policy))</text>\n"
            ly += 18
        }
        svg += "<text x=\"\(left + plotW + 12)\" y=\"\(ly + 8)\" fill=\"#555\">activation \(fmt(results.first?.activationDelaySeconds ?? 0)) s</text>\n"
        svg += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">simulated time</text>\n"
        svg += "</svg>\n"
        return svg
    }

    /// Max per bucket (keeps spikes visible).
    static func downsample(_ v: [(Double, Double)], buckets: Int) -> [(Double, Double)] {
        guard v.count > buckets * 2 else { return v }
        let size = Int((Double(v.count) / Double(buckets)).rounded(.up))
        return stride(from: 0, to: v.count, by: size).map { start in
            let chunk = v[start..<min(v.count, start + size)]
            return (chunk.first!.0, chunk.map(\.1).max()!)
        }
    }

    static func r(_ x: Double) -> String { String(format: "%.1f", x) }
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
