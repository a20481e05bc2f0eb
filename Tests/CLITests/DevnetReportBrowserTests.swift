import Foundation
import Report
import Testing
import TestSupport

/// The devnet report's page, from seeded synthetic data shaped like a run, rendered in headless Chromium.
@Suite(.enabled(if: chromium != nil, "needs chromium (apt-get install -y chromium; scripts/setup.sh does)"))
struct DevnetReportBrowserTests {
    @Test func devnetReportLoadsCleanAndIsNotBlank() throws {
        var rng = TestRNG(2026)
        let report = SyntheticDevnet.report(using: &rng)
        // What the devnet would write as JSON renders the same page after a round trip.
        let decoded = try JSONDecoder().decode(DevnetReport.self, from: JSONEncoder().encode(report))
        let html = report.html()
        #expect(decoded.html() == html)
        // Every chart is drawn: load, two histograms, storage, proof size, gas, revenue.
        #expect(html.components(separatedBy: "<svg").count - 1 == 7 && !html.contains("no data"))

        let dir = try TempDir("devnet-report")
        defer { dir.remove() }
        let page = try dir.write("devnet.html", html)
        // The whole page in one screenshot, for people to look at.
        try Browser.expectCleanAndNotBlank(page, screenshot: "devnet-report.png", window: .init(width: 1280, height: 4300), scratch: dir)
    }
}
