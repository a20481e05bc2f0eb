import Claims
@testable import caldera
import Foundation
import Testing
@testable import Execution

@Suite struct ClaimsTests {
    @Test func withoutTracesReportsScenarioRowsAndSaysSo() {
        let rows = ExecutionClaims.measure(sharedDirectory: URL(fileURLWithPath: "/nonexistent-shared"))
        #expect(rows.map(\.id) == ["execution.scale-time", "execution.congestion", "execution.waste"])
        #expect(rows.allSatisfy { $0.measured.isFinite && !$0.conditions.isEmpty })
        #expect(rows[1].conditions.contains("NOT found"))
        #expect(rows[0].conditions.contains("activation"))
        #expect(rows[0].holds == (rows[0].measured <= 3))
    }
}

@Suite struct CLITests {
    @Test func scenarioJSON() throws {
        let cmd = try ExecutionCommand.Simulate.parse(["--scenario", "settlement-spike-20x", "--policy", "fixed-peak", "--json", "--seed", "3"])
        let out = try cmd.execute()
        let obj = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        #expect(obj["policy"] as? String == "fixed-peak")
        #expect(obj["input"] as? String == "settlement-spike-20x")
        #expect(obj["scaleUpSeconds"] as? Double == 0)
        #expect(obj["activationDelaySeconds"] as? Double == 1)
        #expect(obj["maxServingNodes"] as? Int == 100)
    }

    @Test func badInputsAreErrorsNotCrashes() throws {
        #expect(throws: TraceError.unknownScenario("nope")) { try ExecutionCommand.Simulate.parse(["--scenario", "nope"]).execute() }
        #expect(throws: TraceError.self) { try ExecutionCommand.Simulate.parse(["--scenario", "settlement-burst", "--policy", "magic"]).execute() }
        #expect(throws: TraceError.self) { try ExecutionCommand.Simulate.parse(["--trace", "/nonexistent.csv"]).execute() }
        #expect(throws: TraceError.self) { try ExecutionCommand.Simulate.parse([]).execute() }
        #expect(throws: TraceError.self) { try ExecutionCommand.Simulate.parse(["--scenario", "settlement-burst", "--activation-delay=-1"]).execute() }
    }

    @Test func traceFileAndPlot() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("caldera-exec-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
        for i in 0..<200 { csv += "2023-11-16 18:\(10 + i / 60):\(String(format: "%02d", i % 60)).5000000,1,1\n" }
        let trace = dir.appendingPathComponent("az.csv"), svg = dir.appendingPathComponent("p.svg")
        try csv.write(to: trace, atomically: true, encoding: .utf8)
        let out = try ExecutionCommand.Simulate.parse(["--trace", trace.path, "--policy", "all", "--plot", svg.path]).execute()
        #expect(out.contains("caldera") && out.contains("hpa") && out.contains("fixed-peak"))
        #expect(try String(contentsOf: svg, encoding: .utf8).hasPrefix("<svg"))
    }
}
