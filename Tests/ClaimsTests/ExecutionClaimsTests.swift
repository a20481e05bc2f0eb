import Claims
import Foundation
import Testing

@Suite struct ExecutionClaimsTests {
    @Test func withoutTracesReportsScenarioRowsAndSaysSo() {
        let rows = ExecutionClaims.measure(sharedDirectory: URL(fileURLWithPath: "/nonexistent-shared"))
        #expect(rows.map(\.id) == ["execution.scale-time", "execution.congestion", "execution.waste"])
        #expect(rows.allSatisfy { $0.measured.isFinite && !$0.conditions.isEmpty })
        #expect(rows[1].conditions.contains("NOT found"))
        #expect(rows[0].conditions.contains("activation"))
        #expect(rows[0].holds == (rows[0].measured <= 3))
    }
}

