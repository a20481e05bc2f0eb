import Claims
import Execution
import Foundation
import Testing

@Suite struct ExecutionClaimsTests {
    @Test func withoutTracesReportsScenarioRowsAndSaysSo() throws {
        let rows = ExecutionClaims.measure(sharedDirectory: URL(fileURLWithPath: "/nonexistent-shared"))
        #expect(rows.map(\.id) == ["execution.scale-time", "execution.congestion", "execution.waste"])
        #expect(rows.allSatisfy { $0.measured.isFinite && !$0.conditions.isEmpty })
        #expect(rows[1].conditions.contains("NOT found"))
        #expect(rows[0].conditions.contains("activation"))
        #expect(rows[0].holds == (rows[0].measured <= 3))

        // execution.waste: tuned on settlement-burst, reported on settlement-spike-20x (the only report-only input here),
        // against the smallest fixed allocation meeting Caldera's p99, recomputed here from the runs themselves.
        let waste = rows[2]
        #expect(waste.conditions.contains("settlement-burst [tune]") && waste.conditions.contains("settlement-spike-20x [report-only]"))
        var config = SimulationConfig()
        config.recordTimeline = false
        let spike = Scenario.settlementSpike20x.workload(config: config, seed: config.seed)
        let cal = ExecutionRunner.run(.caldera, workload: spike, config: config)
        let fixed = try #require(ExecutionRunner.smallestFixed(meetingP99: cal.p99DelaySeconds, dropped: cal.droppedTx, workload: spike, config: config))
        let saving = 100 * (1 - cal.nodeSeconds / fixed.result.nodeSeconds)
        #expect(abs(waste.measured - saving) < 1e-9)
        #expect(waste.holds == (saving >= 30))
        #expect(waste.conditions.contains("\(fixed.nodes) nodes"))
    }

    @Test func tuneAndReportInputsAreDisjointAndNamed() {
        let names = Set(Scenario.allCases.map(\.rawValue)).union(["ethereum-blocks", "azure-conv", "azure-code"])
        #expect(ExecutionClaims.tuneInputs.isSubset(of: names))
        #expect(!names.subtracting(ExecutionClaims.tuneInputs).isEmpty)
        #expect(ExecutionClaims.split("azure-code") == "report-only" && ExecutionClaims.split("azure-conv") == "tune")
    }
}
