import Testing
@testable import Execution

/// Inputs found in review that trapped the trace loader or the simulator: each must now be a TraceError.
@Suite struct HostileTraceTests {
    func workload(_ text: String, loadFactor: Double? = nil, compression: Double? = nil) throws(TraceError) -> ArrivalWorkload {
        let t = try TraceLoader.parse(text: text, name: "t")
        return try TraceLoader.workload(trace: t, scaling: TraceScaling(timeCompression: compression, loadFactor: loadFactor),
                                        config: SimulationConfig(), seed: 1)
    }

    @Test func badTracesAreErrors() {
        let eth = "number,timestamp,transaction_count\n"
        #expect(throws: TraceError.self) { try workload(eth + "1,-9223372036854775808,1\n2,9223372036854775807,1\n") }
        #expect(throws: TraceError.self) { try workload(eth + "1,100,9223372036854775807\n") }
        #expect(throws: TraceError.self) { try workload(eth + "1,100,10000000000\n") }
        let az = "TIMESTAMP\n"
        #expect(throws: TraceError.self) { try workload(az + "2023-11-16 9223372036854775807:00:00\n") }
        #expect(throws: TraceError.self) { try workload(az + "9223372036854775807-11-16 18:00:00\n") }
        #expect(throws: TraceError.self) { try workload(az + "2023-11-16 18:17:inf\n") }
        #expect(throws: TraceError.self) { try workload(az + "2023-11-16 18:17:nan\n") }
        #expect(throws: TraceError.self) { try workload(eth + "1,100,5\n2,112,7\n", loadFactor: 1e300) }
        #expect(throws: TraceError.self) { try workload(eth + "1,100,5\n2,112,7\n", compression: 1e-300) }
        #expect(throws: TraceError.self) { try workload(eth + "1,100,1000000\n", loadFactor: 1000) }
    }

    @Test func ordinaryTracesStillLoad() throws {
        let w = try workload("number,timestamp,transaction_count\n1,100,5\n2,112,7\n")
        #expect(!w.arrivals.isEmpty)
    }
}
