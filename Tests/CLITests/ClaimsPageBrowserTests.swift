import Foundation
import Testing
import TestSupport

/// Debian's headless Chromium, if installed (scripts/setup.sh installs it for CI).
let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// `caldera claims --html` rendered as a person would see it: in a real browser, with its console watched.
@Suite(.enabled(if: calderaAvailable && chromium != nil, "needs the built caldera and chromium (apt-get install -y chromium; scripts/setup.sh does)"))
struct ClaimsPageBrowserTests {
    static let window = (width: 1280, height: 1400)

    /// Screenshots `page` headless; returns the PNG and Chromium's console/log lines.
    func render(_ page: String, to png: String) throws -> (png: [UInt8], log: String) {
        let r = try run(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                                    "--enable-logging=stderr", "--v=0", "--user-data-dir=\(png).profile",
                                    "--window-size=\(Self.window.width),\(Self.window.height)", "--screenshot=\(png)",
                                    URL(fileURLWithPath: page).absoluteString], limits: Limits(seconds: 90))
        try? FileManager.default.removeItem(atPath: png + ".profile")
        #expect(r.status == 0 && r.signal == 0, "chromium failed: \(r.stderr.suffix(2000))")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        return (bytes, r.stderr)
    }

    /// Console messages, as Chromium logs them with --enable-logging=stderr (every level as `INFO:CONSOLE`, so the
    /// level is not visible). The page has no script, so any console message (an uncaught error, a blocked or
    /// failed load) is an error.
    func consoleErrors(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") || $0.contains("Failed to load resource") }
    }

    @Test func claimsPageLoadsCleanAndIsNotBlank() throws {
        let artifacts = packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
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

        let shot = artifacts.appendingPathComponent("claims-page.png").path
        let (png, log) = try render(html, to: shot)
        print("claims page screenshot: \(shot)")
        #expect(consoleErrors(log).isEmpty, "console errors: \(consoleErrors(log))")

        // Not blank: against a blank page rendered the same way, whose image data compresses to almost nothing.
        let blankPage = try dir.write("blank.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>blank</title></head><body></body></html>")
        let (blank, _) = try render(blankPage, to: dir.file("blank.png"))
        let shotInfo = try #require(PNGInfo(png)), blankInfo = try #require(PNGInfo(blank))
        #expect(shotInfo.width == Self.window.width && shotInfo.height == Self.window.height)
        #expect(shotInfo.imageDataBytes > 8 * blankInfo.imageDataBytes && shotInfo.imageDataBytes > 20_000,
                "screenshot image data \(shotInfo.imageDataBytes) B vs blank \(blankInfo.imageDataBytes) B")
    }

    /// The console check can fail: a page with a script error is caught.
    @Test func aScriptErrorIsCaught() throws {
        let dir = try TempDir("console")
        defer { dir.remove() }
        let page = try dir.write("bad.html", "<!DOCTYPE html><html><body><p>x</p><script>console.error('caldera-test-error'); undefinedFunction();</script></body></html>")
        let (_, log) = try render(page, to: dir.file("bad.png"))
        #expect(!consoleErrors(log).isEmpty, "chromium log: \(log.suffix(2000))")
    }
}

/// The PNG facts the test needs, read from the chunk structure (no decompression): size and image-data bytes.
struct PNGInfo {
    var width = 0, height = 0, imageDataBytes = 0
    init?(_ b: [UInt8]) {
        guard b.count > 33, b.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        func be32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        var i = 8, ended = false
        while i + 12 <= b.count, !ended {
            let length = be32(i), type = String(decoding: b[(i + 4)..<(i + 8)], as: UTF8.self)
            guard i + 12 + length <= b.count else { return nil }
            if type == "IHDR", length >= 8 { width = be32(i + 8); height = be32(i + 12) }
            if type == "IDAT" { imageDataBytes += length }
            ended = type == "IEND"
            i += 12 + length
        }
        guard ended, width > 0 else { return nil }
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
