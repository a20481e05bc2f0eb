import Foundation
import Testing
import TestSupport

/// Debian's headless Chromium, if installed (scripts/setup.sh installs it for CI).
let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Static pages rendered as a person would see them: in a real browser, with its console watched. Shared by the
/// claims page and the devnet report tests.
enum Browser {
    struct Window { var width = 1280, height = 1400 }

    /// Screenshots `page` headless; returns the PNG and Chromium's console/log lines.
    static func render(_ page: String, to png: String, window: Window = Window()) throws -> (png: [UInt8], log: String) {
        let r = try run(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
                                    "--enable-logging=stderr", "--v=0", "--user-data-dir=\(png).profile",
                                    "--window-size=\(window.width),\(window.height)", "--screenshot=\(png)",
                                    URL(fileURLWithPath: page).absoluteString], limits: Limits(seconds: 90))
        try? FileManager.default.removeItem(atPath: png + ".profile")
        #expect(r.status == 0 && r.signal == 0, "chromium failed: \(r.stderr.suffix(2000))")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: png)))
        return (bytes, r.stderr)
    }

    /// Console messages, as Chromium logs them with --enable-logging=stderr (every level as `INFO:CONSOLE`, so the
    /// level is not visible). Our pages have no script, so any console message (an uncaught error, a blocked or
    /// failed load) is an error.
    static func consoleErrors(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") || $0.contains("Failed to load resource") }
    }

    /// Where screenshots are kept for people to look at: .build/test-artifacts/NAME.
    static func artifact(_ name: String) throws -> String {
        let artifacts = packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        return artifacts.appendingPathComponent(name).path
    }

    /// Renders `page` into the artifact `screenshot` and expects no console message and a page that is not blank:
    /// against a blank page rendered the same way, whose image data compresses to almost nothing.
    static func expectCleanAndNotBlank(_ page: String, screenshot: String, window: Window = Window(), scratch dir: TempDir) throws {
        let shot = try artifact(screenshot)
        let (png, log) = try render(page, to: shot, window: window)
        print("screenshot: \(shot)")
        #expect(consoleErrors(log).isEmpty, "console errors: \(consoleErrors(log))")
        let blankPage = try dir.write("blank.html", "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>blank</title></head><body></body></html>")
        let (blank, _) = try render(blankPage, to: dir.file("blank.png"), window: window)
        let shotInfo = try #require(PNGInfo(png)), blankInfo = try #require(PNGInfo(blank))
        #expect(shotInfo.width == window.width && shotInfo.height == window.height)
        #expect(shotInfo.imageDataBytes > 8 * blankInfo.imageDataBytes && shotInfo.imageDataBytes > 20_000,
                "screenshot image data \(shotInfo.imageDataBytes) B vs blank \(blankInfo.imageDataBytes) B")
    }
}

/// The PNG facts the tests need, read from the chunk structure (no decompression): size and image-data bytes.
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
