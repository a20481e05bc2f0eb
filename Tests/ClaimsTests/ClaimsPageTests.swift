import Claims
import Foundation
import Report
import Testing

@Suite struct ClaimsPageTests {
    func row(target: String, measured: Double, unit: String, holds: Bool = true, text: String = "c") -> ClaimResult {
        ClaimResult(id: "g.x", claim: text, target: target, measured: measured, unit: unit, holds: holds, conditions: text)
    }

    @Test func barsOnlyWhereTheTargetIsABoundInTheRowsUnit() throws {
        let waste = try #require(ClaimsPage.bar(for: row(target: "≥ 30% fewer node-seconds than x", measured: 12.5, unit: "% fewer node-seconds", holds: false)))
        #expect(waste == TargetBar(measured: 12.5, target: 30, direction: .atLeast, unit: "%", holds: false))
        let time = try #require(ClaimsPage.bar(for: row(target: "p99 ≤ 3.5 s", measured: 3.3, unit: "s (p99, worst case)")))
        #expect(time.target == 3.5 && time.direction == .atMost && time.unit == "s")
        #expect(ClaimsPage.bar(for: row(target: "≥ 1,000 ops/s", measured: 5000, unit: "ops/s"))?.target == 1000)
        // No comparator, another unit, or a target the row's value is not measured in: no bar.
        #expect(ClaimsPage.bar(for: row(target: "20 per minute", measured: 20, unit: "/min")) == nil)
        #expect(ClaimsPage.bar(for: row(target: "≥ 20×", measured: 63, unit: "%")) == nil)
        #expect(ClaimsPage.bar(for: row(target: "p99 < HPA-style on every input", measured: 0.6, unit: "s")) == nil)
    }

    @Test func barGeometryFollowsTheValues() throws {
        let svg = try #require(TargetBar(measured: 2, target: 3, direction: .atMost, unit: "s", holds: true).svg())
        // Scale max(2, 3) × 1.15 over 252 px from x = 4: the measured bar 146.1 px wide, the target line at 223.1.
        #expect(svg.contains("width=\"146.1\"") && svg.contains("x1=\"223.1\"") && svg.contains("#2e9e4f"))
        #expect(TargetBar(measured: .nan, target: 3, direction: .atMost, unit: "s", holds: false).svg() == nil)
        let loss = try #require(TargetBar(measured: -8.7, target: 30, direction: .atLeast, unit: "%", holds: false).svg())
        #expect(loss.contains("width=\"1.0\"") && loss.contains("-8.70 (below 0)") && loss.contains("#d64541"))
        #expect(TargetBar(measured: 1, target: 0, direction: .atLeast, unit: "s", holds: false).svg() == nil)
    }

    @Test func everyTextIsEscaped() {
        let hostile = "<script>alert('x')</script> & \"q\" \u{1}"
        let page = ClaimsPage.render([row(target: "≥ 1 s", measured: 2, unit: "s", text: hostile)], subtitle: hostile)
        #expect(!page.contains("<script"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \u{FFFD}"))
        #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("1 of 1 claims hold"))
        // Self-contained: nothing is fetched.
        let withoutNamespaces = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespaces.contains("http") && !page.contains("<link") && !page.contains("src="))
    }
}
