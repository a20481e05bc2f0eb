import ArgumentParser
import Claims
import Foundation

struct ClaimsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Measure the design's headline numbers on this machine and print claim, target, measured, holds.",
        discussion: "Groups: \(ClaimsRegistry.groups.map(\.name).joined(separator: ", ")). Shared data (corpus, traces) is read from $CALDERA_SHARED or ../shared. JSON: an array of {id, claim, target, measured, unit, holds, conditions}.")

    @OptionGroup var format: ReportFormat
    @Option(help: "Run only this group.") var only: String?
    @Option(help: "Also write the claims as one static HTML page (inline SVG, no network) to this file.") var html: String?
    @Flag(help: "Replace the HTML file if it exists.") var force = false

    func validate() throws {
        if let only, !ClaimsRegistry.groups.contains(where: { $0.name == only }) {
            throw ValidationError("unknown group '\(only)'; groups: \(ClaimsRegistry.groups.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        if let html { try checkOutput(html, force: force) }
        let rows = ClaimsRegistry.run(only: only, context: .fromEnvironment())
        if let html {
            let when = ISO8601DateFormatter().string(from: Date())
            let groups = only ?? ClaimsRegistry.groups.map(\.name).joined(separator: ", ")
            let page = ClaimsPage.render(rows, subtitle: "measured by `caldera claims` on this machine, \(when); groups: \(groups)")
            try writeOutput(Array(page.utf8), to: html, force: force)
        }
        try format.emit(rows) { print(ClaimsTable.render($0)) }
    }
}

/// A plain-text table: one line per claim, conditions wrapped beneath.
enum ClaimsTable {
    static func render(_ rows: [ClaimResult]) -> String {
        var out = ""
        let idWidth = max(2, rows.map(\.id.count).max() ?? 2)
        let targetWidth = max(6, rows.map(\.target.count).max() ?? 6)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        out += pad("id", idWidth) + "  " + pad("target", targetWidth) + "  " + pad("measured", 16) + "  holds\n"
        out += String(repeating: "-", count: idWidth + targetWidth + 30) + "\n"
        for r in rows {
            let measured = format(r.measured) + " " + r.unit
            out += pad(r.id, idWidth) + "  " + pad(r.target, targetWidth) + "  " + pad(measured, 16) + "  " + (r.holds ? "yes" : "NO") + "\n"
            out += "    claim: \(r.claim)\n"
            out += wrap("conditions: " + r.conditions, indent: "    ", width: 100)
        }
        return out
    }

    static func format(_ x: Double) -> String {
        if x != 0 && (abs(x) >= 1e6 || abs(x) < 1e-3) { return String(format: "%.3g", x) }
        return String(format: abs(x) >= 100 ? "%.0f" : "%.2f", x)
    }

    static func wrap(_ text: String, indent: String, width: Int) -> String {
        var out = "", line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > width && line != indent { out += line + "\n"; line = indent }
            line += (line == indent ? "" : " ") + word
        }
        return out + line + "\n"
    }
}
