import Foundation
import Testing
import TestSupport

/// `caldera claims --html` rendered as a person would see it: in a real browser, with its console watched.
@Suite(.enabled(if: calderaAvailable && chromium != nil, "needs the built caldera and chromium (apt-get install -y chromium; scripts/setup.sh does)"))
struct ClaimsPageBrowserTests {
    @Test func claimsPageLoadsCleanAndIsNotBlank() throws {
        let dir = try TempDir("claims-page")
        defer { dir.remove() }
        let html = dir.file("claims.html")
        // The economy group is fast (well under a second of measurement).
        let r = try caldera(["claims", "--only", "economy", "--html", html], limits: Limits(seconds: 120))
        #expect(r.status == 0, "\(r.stderr)")
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("economy.split-exact") && page.contains("<svg"))
        // Refuses to replace it without --force, replaces it with.
        #expect(try caldera(["claims", "--only", "economy", "--html", html]).failedCleanly)
        #expect(try caldera(["claims", "--only", "economy", "--html", html, "--force"]).status == 0)

        try Browser.expectCleanAndNotBlank(html, screenshot: "claims-page.png", scratch: dir)
    }

    /// The console check can fail: a page with a script error is caught.
    @Test func aScriptErrorIsCaught() throws {
        let dir = try TempDir("console")
        defer { dir.remove() }
        let page = try dir.write("bad.html", "<!DOCTYPE html><html><body><p>x</p><script>console.error('caldera-test-error'); undefinedFunction();</script></body></html>")
        let (_, log) = try Browser.render(page, to: dir.file("bad.png"))
        #expect(!Browser.consoleErrors(log).isEmpty, "chromium log: \(log.suffix(2000))")
    }
}

/// `--html` goes through the durable writer: refused targets fail before any measurement, with exit 2.
@Suite(.enabled(if: calderaAvailable)) struct ClaimsHTMLOutputTests {
    @Test func refusedTargetsFailCleanlyAndFast() throws {
        let dir = try TempDir("claims-html")
        defer { dir.remove() }
        let fifo = dir.file("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        for target in [fifo, dir.file("missing-dir/claims.html"), dir.path] {
            let r = try caldera(["claims", "--only", "economy", "--html", target], limits: Limits(seconds: 30))
            #expect(r.failedCleanly && r.status == 2, "\(target): \(r.status) \(r.stderr)")
            #expect(r.stdout.isEmpty, "measured before refusing \(target)")
        }
        #expect(FileSnapshot(fifo).type == S_IFIFO)
    }
}
