import Foundation
import Report

/// `caldera claims --html`: the claims table as one static page in the Report style, with a bar of measured
/// against target for every row whose target is a bound in the row's own unit.
public enum ClaimsPage {
    /// The bar for `row`, when its target reads "[words] ≥|≤|>|< NUMBER UNIT…" and UNIT is the first word of the
    /// row's unit ("≥ 30% fewer…" with unit "% fewer…"; "≤ 3 s" with "s"). Other targets get no bar: a bar on
    /// a different scale than the measured value would mislead.
    public static func bar(for row: ClaimResult) -> TargetBar? {
        let scalars = Array(row.target.unicodeScalars)
        guard let c = scalars.firstIndex(where: { "≥≤<>".unicodeScalars.contains($0) }) else { return nil }
        let direction: TargetBar.Direction = (scalars[c] == "≥" || scalars[c] == ">") ? .atLeast : .atMost
        var i = c + 1
        while i < scalars.count, scalars[i] == " " { i += 1 }
        var number = ""
        while i < scalars.count, CharacterSet(charactersIn: "0123456789.,").contains(scalars[i]) {
            if scalars[i] != "," { number.unicodeScalars.append(scalars[i]) }
            i += 1
        }
        guard let target = Double(number) else { return nil }
        while i < scalars.count, scalars[i] == " " { i += 1 }
        var unit = ""
        while i < scalars.count, scalars[i] != " ", scalars[i] != ";", scalars[i] != "," { unit.unicodeScalars.append(scalars[i]); i += 1 }
        let rowUnit = row.unit.split(separator: " ").first.map(String.init) ?? ""
        guard !unit.isEmpty, unit == rowUnit else { return nil }
        return TargetBar(measured: row.measured, target: target, direction: direction, unit: unit, holds: row.holds)
    }

    /// The page: a summary line, then one table row per claim (id, claim, target, measured, bar, holds, conditions).
    public static func render(_ rows: [ClaimResult], subtitle: String) -> String {
        var page = HTMLPage(title: "Caldera claims", subtitle: subtitle)
        let held = rows.filter(\.holds).count
        let body = PageTable.rows(rows)
        page.section("\(held) of \(rows.count) claims hold on this machine", html: body)
        return page.render()
    }

    private enum PageTable {
        static func rows(_ rows: [ClaimResult]) -> String {
            HTMLPage.table(
                header: ["id", "claim", "target", "measured", "measured vs target", "holds", "conditions"],
                rows: rows.map { r in
                    [.code(r.id), .text(r.claim, cssClass: "wide"), .text(r.target),
                     .text(SVGNumber.format(r.measured) + " " + r.unit, cssClass: "num"),
                     .raw(bar(for: r)?.svg() ?? "<span class=\"sub\">—</span>"),
                     .verdict(r.holds ? "yes" : "no"),
                     .raw("<details><summary>conditions</summary>\(HTML.escape(r.conditions))</details>")]
                })
        }
    }
}
