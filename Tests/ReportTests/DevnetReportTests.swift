import Foundation
import Report
import Testing

@Suite struct DevnetReportTests {
    /// A small report with every section filled in.
    func filled(title: String = "devnet") -> DevnetReport {
        var r = DevnetReport(title: title)
        r.conditions = ["machine: test", "duration: 100 s"]
        r.summary = ["snapshots": "100", "batches": "2"]
        r.load = (0..<50).map { .init(t: Double($0) * 2, value: Double($0 % 7) * 100) }
        r.servingNodes = (0..<50).map { .init(t: Double($0) * 2, value: Double(2 + $0 / 20)) }
        r.scaleUps = [40, 80]
        r.commitLatencies = (1...100).map(Double.init)
        r.verifyLatencies = (1...10).map { Double($0) / 20 }
        r.storage = (0..<10).map { .init(t: Double($0) * 10, hotBytes: Int64($0) * 1_000_000, coldBytes: Int64($0) * 100_000, migratedRawBytes: Int64($0) * 600_000) }
        r.batches = [.init(index: 1, messages: 10, metaProofBytes: 900, separateProofBytes: 6800),
                     .init(index: 2, messages: 20, metaProofBytes: 1100, separateProofBytes: 13600)]
        r.epochs = [.init(epoch: 1, classes: ["core": "340282366920938463463374607431768211455", "users": "1"]),
                    .init(epoch: 2, classes: ["core": "1000000000000000000000000000000", "guardians": "1", "treasury": "7"])]
        r.slashes = [.init(t: 12.5, offender: "guardian-2", amount: "5000", reason: "equivocation")]
        r.claims = [.init(claim: "c1", target: "≤ 3 s", measured: "2 s", holds: "yes"),
                    .init(claim: "c2", target: "≥ 10×", measured: "—", holds: "not measured"),
                    .init(claim: "c3", target: "≥ 30%", measured: "20–40%", holds: "in a regime")]
        return r
    }

    @Test func sectionsInOrderWithPercentilesStated() {
        let page = filled().html()
        let headings = ["Summary", "Conditions", "Load and serving nodes", "Snapshot commit latency", "Message verify latency",
                        "Storage by tier", "Proof size and gas by batch", "Revenue by class per epoch", "Slashing events", "Claims"]
        let positions = headings.map { page.range(of: "<h2>\($0)</h2>")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(zip(positions, positions.dropFirst()).allSatisfy { $0! < $1! })
        // Latencies 1…100 s: nearest-rank p50 = 50, p99 = 99; 0.05…0.5 s are shown in ms.
        #expect(page.contains("p50 50.0 s") && page.contains("p99 99.0 s"))
        #expect(page.contains("p50 250 ms") && page.contains("p99 500 ms"))
        // Compression ratio at the end: 5.4 MB raw in 0.9 MB cold.
        #expect(page.contains("a compression ratio of 6.00×"))
        #expect(page.contains("100 snapshots, from slot start") && page.contains("2 batches, 30 messages: meta-proofs 2 kB in all, against 20.4 kB"))
        #expect(page.contains("2 scale-up decisions (dashed lines)"))
        #expect(page.contains("not measured: py-evm environment absent"))
        // The holds cells are coloured as on the claims page.
        #expect(page.contains("<td class=\"yes\">yes</td>") && page.contains("<td class=\"regime\">in a regime</td>")
                && page.contains("<td class=\"unmeasured\">not measured</td>"))
    }

    /// Amounts are exact in the table: grouped digits, exact totals (UInt128), an overflowing total shown as such.
    @Test func exactAmounts() {
        let page = filled().html()
        #expect(page.contains("340,282,366,920,938,463,463,374,607,431,768,211,455"))
        // Epoch 2: 10^30 + 1 + 7 (an unknown class, shown after the ledger's classes).
        #expect(page.contains("1,000,000,000,000,000,000,000,000,000,008"))
        #expect(page.contains("<th>users</th><th>treasury</th><th>total</th>"))
        #expect(page.contains("<td class=\"num\">—</td></tr>"))   // UInt128.max + 1 overflows: no total
        #expect(AmountText.text("1234567") == "1,234,567" && AmountText.text("0") == "0" && AmountText.text("000") == "0")
        #expect(AmountText.text("1500000000000000000", decimals: 18) == "1.5" && AmountText.text("5", decimals: 18) == "0.000000000000000005")
        #expect(AmountText.text("1234000", decimals: 3) == "1,234" && AmountText.text("-5") == "-5" && AmountText.text("") == "")
    }

    @Test func emptyReportHasNotesNotCharts() {
        let page = DevnetReport(title: "empty").html()
        #expect(!page.contains("<svg") && page.contains("Snapshot commit latency: no data.") && page.contains("<p class=\"note\">none</p>"))
        // Only non-finite values: notes, and neither "nan" nor "inf" anywhere in the page.
        var nonFinite = DevnetReport(title: "non-finite values")
        nonFinite.commitLatencies = [.nan, .infinity]
        nonFinite.load = [.init(t: .nan, value: 1), .init(t: 1, value: -.infinity)]
        nonFinite.slashes = [.init(t: .nan, offender: "x", amount: "1", reason: "r")]
        let nonFinitePage = nonFinite.html().lowercased()
        #expect(!nonFinitePage.contains("nan") && !nonFinitePage.contains("inf") && !nonFinitePage.contains("<svg"))
    }

    /// Extreme integers (hostile or corrupt input) still give a page: sums do not overflow, nothing non-finite is drawn.
    @Test func extremeValuesRender() {
        var r = DevnetReport(title: "extremes")
        r.batches = [.init(index: Int.max, messages: Int.max, metaProofBytes: Int.max, separateProofBytes: Int.max, gas: .max, separateGas: .min),
                     .init(index: Int.min, messages: Int.max, metaProofBytes: 0, separateProofBytes: Int.min, gas: nil, separateGas: nil)]
        r.storage = [.init(t: 0, hotBytes: .max, coldBytes: .min, migratedRawBytes: .max), .init(t: 1e300, hotBytes: 0, coldBytes: 1, migratedRawBytes: .max)]
        r.load = [.init(t: -1e308, value: 1e308), .init(t: 1e308, value: -1e308)]
        r.commitLatencies = [1e-300, 1e300]
        let page = r.html().lowercased()
        #expect(page.contains("<h2>proof size and gas by batch</h2>") && !page.contains("nan") && !page.contains("inf"))
    }

    @Test func sameDataSameBytes() throws {
        let a = filled().html(), b = filled().html()
        #expect(a == b)
        let decoded = try JSONDecoder().decode(DevnetReport.self, from: JSONEncoder().encode(filled()))
        #expect(decoded.html() == a)
    }

    /// Every string the devnet supplies is escaped: none of them can inject markup.
    @Test func everyUserStringIsEscaped() {
        let hostile = "<script>alert('x')</script>"
        var r = filled(title: hostile)
        r.subtitle = hostile
        r.conditions = [hostile]
        r.summary = [hostile: hostile]
        r.slashes = [.init(t: 1, offender: hostile, amount: hostile, reason: hostile)]
        r.claims = [.init(claim: hostile, target: hostile, measured: hostile, holds: hostile)]
        r.epochs = [.init(epoch: 1, classes: [hostile: hostile, "core": "10"])]
        r.revenueUnit = hostile
        let page = r.html()
        #expect(!page.contains("<script") && page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        let withoutNamespaces = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!withoutNamespaces.contains("http") && !page.contains("<link") && !page.contains("src="))
    }
}
