// Report: the building blocks of Caldera's static HTML pages (`caldera claims --html`, the devnet report).
// One self-contained file per page: inline CSS, inline SVG drawn here, no script, no network, every text escaped.
// Pure string building: the caller writes the bytes through its durable writer.
import Foundation

/// Escaping for HTML text and attribute values (also valid inside inline SVG).
public enum HTML {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab/newline are not allowed in HTML text: shown as U+FFFD.
                if ch.value < 0x20 && ch != "\t" && ch != "\n" || (0x7F...0x9F).contains(ch.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }
}

/// A page: a title, a subtitle line and sections of already-rendered HTML, in the shared style.
public struct HTMLPage: Sendable {
    public var title: String
    public var subtitle: String
    public var sections: [String] = []
    public init(title: String, subtitle: String = "") { self.title = title; self.subtitle = subtitle }

    /// Adds a section with a heading and a body of rendered HTML (the caller escapes its own text).
    public mutating func section(_ heading: String, html body: String) {
        sections.append("<section>\n<h2>\(HTML.escape(heading))</h2>\n\(body)\n</section>")
    }

    public func render() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <header><h1>\(HTML.escape(title))</h1><p class="sub">\(HTML.escape(subtitle))</p></header>
        <main>
        \(sections.joined(separator: "\n"))
        </main>
        </body>
        </html>

        """
    }

    /// The one style sheet every page shares (system fonts only: nothing is fetched).
    public static let style = """
    body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
    header{background:#1d232a;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
    .sub{margin:4px 0 0;color:#c5cbd3;font-size:13px}main{padding:12px 28px 40px}
    section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 16px;margin:14px 0}
    h2{font-size:16px;margin:4px 0 10px}table{border-collapse:collapse;width:100%;font-size:13px}
    th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #eceef1}
    th{background:#f0f2f5}td.num{text-align:right;max-width:170px;font-variant-numeric:tabular-nums}td.wide{min-width:300px}
    .yes{color:#1a7f37;font-weight:600}.no{color:#c62828;font-weight:600}.regime{color:#b25e00;font-weight:600}.unmeasured{color:#6b7280}
    svg.chart{display:block;max-width:100%;height:auto;margin:6px 0 4px}.nodata{color:#6b7280;font-style:italic;font-size:13px}
    .note{font-size:13px;color:#3a424c;margin:4px 0 8px}h3{font-size:14px;margin:16px 0 2px}ul.lines{font-size:13px;margin:0;padding-left:20px}
    table.narrow{width:auto;min-width:360px}.scroll{overflow-x:auto}
    table.amounts th,table.amounts td{text-align:right;white-space:nowrap;max-width:none;padding:4px 5px;font-size:11px}
    details{font-size:12px;color:#4a525c}summary{cursor:pointer;color:#2b5fab}code{font-size:12px}
    """

    /// A table: header cells and rows of already-rendered cells (`Cell`).
    public static func table(header: [String], rows: [[Cell]], cssClass: String? = nil) -> String {
        var out = "<table\(cssClass.map { " class=\"\(HTML.escape($0))\"" } ?? "")>\n<thead><tr>" + header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows { out += "<tr>" + row.map(\.html).joined() + "</tr>\n" }
        return out + "</tbody>\n</table>"
    }

    /// One table cell.
    public struct Cell: Sendable {
        public var html: String
        public static func text(_ s: String, cssClass: String? = nil) -> Cell {
            Cell(html: "<td\(cssClass.map { " class=\"\(HTML.escape($0))\"" } ?? "")>\(HTML.escape(s))</td>")
        }
        public static func code(_ s: String) -> Cell { Cell(html: "<td><code>\(HTML.escape(s))</code></td>") }
        /// A claim's verdict, coloured: "yes" green, "no" red, "in a regime" amber, anything else ("not measured") grey.
        public static func verdict(_ holds: String) -> Cell {
            let css = ["yes": "yes", "no": "no", "in a regime": "regime"][holds] ?? "unmeasured"
            return text(holds, cssClass: css)
        }
        /// A cell whose content is already-rendered HTML (an SVG, a `<details>`).
        public static func raw(_ html: String) -> Cell { Cell(html: "<td>\(html)</td>") }
        public init(html: String) { self.html = html }
    }
}

/// A horizontal bar of a measured value against a target on one linear scale, as inline SVG.
public struct TargetBar: Sendable, Equatable {
    public enum Direction: Sendable, Equatable { case atLeast, atMost }
    public var measured: Double
    public var target: Double
    public var direction: Direction
    public var unit: String
    public var holds: Bool
    public init(measured: Double, target: Double, direction: Direction, unit: String, holds: Bool) {
        self.measured = measured; self.target = target; self.direction = direction; self.unit = unit; self.holds = holds
    }

    public static let width = 260.0, height = 34.0

    /// The SVG, or nil when the values cannot share a linear scale from 0 (not finite, target ≤ 0).
    /// A negative measured value (e.g. a saving that is a loss) is drawn as a sliver at 0, its value written beside it.
    public func svg() -> String? {
        guard measured.isFinite, target.isFinite, target > 0 else { return nil }
        let left = 4.0, plot = Self.width - 8, barY = 8.0, barH = 14.0
        let scale = max(measured, target) * 1.15
        let mx = left + plot * max(0, measured) / scale, tx = left + plot * target / scale
        let fill = holds ? "#2e9e4f" : "#d64541"
        let label = "measured \(SVGNumber.format(measured)) \(unit) vs target \(direction == .atLeast ? "≥" : "≤") \(SVGNumber.format(target)) \(unit)"
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(Self.height))" viewBox="0 0 \(Int(Self.width)) \(Int(Self.height))" role="img" aria-label="\(HTML.escape(label))">\
        <title>\(HTML.escape(label))</title>\
        <rect x="\(left)" y="\(barY)" width="\(SVGNumber.coordinate(plot))" height="\(barH)" fill="#eef0f3"/>\
        <rect x="\(left)" y="\(barY)" width="\(SVGNumber.coordinate(max(1, mx - left)))" height="\(barH)" fill="\(fill)"/>\
        <line x1="\(SVGNumber.coordinate(tx))" x2="\(SVGNumber.coordinate(tx))" y1="3" y2="\(barY + barH + 3)" stroke="#1d232a" stroke-width="2"/>\
        <text x="\(SVGNumber.coordinate(min(tx + 3, Self.width - 70)))" y="\(Self.height - 1)" font-size="10" fill="#1d232a" font-family="sans-serif">target \(HTML.escape(SVGNumber.format(target)))</text>\
        \(measured < 0 ? "<text x=\"\(left + 4)\" y=\"\(barY + barH - 3)\" font-size=\"10\" fill=\"#c62828\" font-family=\"sans-serif\">\(HTML.escape(SVGNumber.format(measured))) (below 0)</text>" : "")\
        </svg>
        """
    }
}

/// Number formatting shared by the SVG pieces.
public enum SVGNumber {
    /// A coordinate with one decimal (stable output, small files).
    /// Never "nan" or "inf" (callers skip non-finite values; this is the last guard) and never "-0.0".
    public static func coordinate(_ x: Double) -> String {
        guard x.isFinite else { return "0.0" }
        let s = String(format: "%.1f", x)
        return s == "-0.0" ? "0.0" : s
    }
    /// A value for people: three significant digits, no exponent below a million.
    public static func format(_ x: Double) -> String {
        if x != 0 && (abs(x) >= 1e6 || abs(x) < 1e-3) { return String(format: "%.3g", x) }
        return String(format: abs(x) >= 100 ? "%.0f" : (abs(x) >= 10 ? "%.1f" : "%.2f"), x)
    }
}
