import Foundation
import Testing
@testable import Execution

@Suite struct TraceTests {
    @Test func parsesUnsortedEthereumBlocks() throws {
        let csv = """
        number,hash,timestamp,transaction_count
        12,0xc,1030,30
        10,0xa,1000,5
        11,0xb,1015,0
        """
        let t = try TraceLoader.parse(text: csv, name: "eth")
        #expect(t.format == .ethereumBlocks)
        #expect(t.times == [0, 15, 30])
        #expect(t.counts == [5, 0, 30])
        var config = SimulationConfig(); config.seed = 1
        let w = try TraceLoader.workload(trace: t, scaling: TraceScaling(timeCompression: 15, loadFactor: 2), config: config, seed: 1)
        #expect(w.arrivals.count == 70)
        #expect(w.arrivals == w.arrivals.sorted())
        // Block 2's 60 tx arrive within the mean block interval (1 s compressed) before it (shifted by 1 s).
        #expect(w.arrivals.filter { $0 >= 2 && $0 <= 3 }.count == 60)
    }

    @Test func parsesAzureArrivals() throws {
        let csv = """
        TIMESTAMP,ContextTokens,GeneratedTokens
        2023-11-16 18:15:46.6805900,374,44
        2023-11-16 18:15:50.9951690,396,109
        2023-11-16 18:16:00.0000000,1,1
        """
        let t = try TraceLoader.parse(text: csv, name: "az")
        #expect(t.format == .azureArrivals)
        #expect(abs(t.times[1] - 4.314579) < 1e-6)
        #expect(abs(t.times[2] - 13.31941) < 1e-6)
        #expect(TraceLoader.parseAzureTimestamp("1970-01-02 00:00:01.5") == 86_401.5)
        let w = try TraceLoader.workload(trace: t, scaling: TraceScaling(loadFactor: 10), config: SimulationConfig(), seed: 1)
        #expect(w.arrivals.count == 30)
    }

    @Test func badInputsAreTypedErrors() {
        #expect(throws: TraceError.fileNotFound("/nonexistent/x.csv")) { try TraceLoader.load(path: "/nonexistent/x.csv") }
        #expect(throws: TraceError.self) { try TraceLoader.parse(text: "a,b\n1,2\n", name: "x") }
        #expect(throws: TraceError.self) { try TraceLoader.parse(text: "timestamp,transaction_count\nabc,1\n", name: "x") }
        #expect(throws: TraceError.self) { try TraceLoader.parse(text: "TIMESTAMP\nyesterday\n", name: "x") }
        #expect(throws: TraceError.empty("<input>")) { try TraceLoader.parse(text: "", name: "x") }
        let e = TraceError.unrecognizedFormat("f.csv", header: "a,b")
        #expect(e.description.contains("TIMESTAMP"))
    }

    // Needs ../shared/traces (ethereum-mainnet-blocks-2022-09/blocks.csv); skipped in a checkout without it.
    @Test(.enabled(if: tracesAvailable, "shared traces not found (../shared/traces or $CALDERA_SHARED)"))
    func realEthereumTraceLoads() throws {
        let t = try TraceLoader.load(path: ethereumTrace)
        #expect(t.times.count == 1_640)
        #expect(t.counts.reduce(0, +) == 310_856)
        #expect(t.times == t.times.sorted())
        #expect(t.times.last == 24_560)
    }

    // Needs ../shared/traces/azure-llm-inference-2023; skipped in a checkout without it.
    @Test(.enabled(if: tracesAvailable, "shared traces not found (../shared/traces or $CALDERA_SHARED)"))
    func realAzureTracesLoad() throws {
        let conv = try TraceLoader.load(path: azureConvTrace)
        let code = try TraceLoader.load(path: azureCodeTrace)
        #expect(conv.times.count == 19_366)
        #expect(code.times.count == 8_819)
        #expect(conv.times.last! > 3_400 && conv.times.last! < 3_600)
    }
}

@Suite struct RealTraceSimulationTests {
    // Needs ../shared/traces (Ethereum blocks and Azure code arrivals); skipped in a checkout without it.
    @Test(.enabled(if: tracesAvailable, "shared traces not found (../shared/traces or $CALDERA_SHARED)"),
          arguments: [ethereumTrace, azureCodeTrace])
    func calderaBeatsHPAOnP99AndSavesAgainstFixedPeak(path: String) throws {
        var config = SimulationConfig()
        config.recordTimeline = false
        let w = try TraceLoader.workload(trace: TraceLoader.load(path: path), scaling: TraceScaling(), config: config, seed: 1)
        let cal = ExecutionRunner.run(.caldera, workload: w, config: config)
        let hpa = ExecutionRunner.run(.hpa, workload: w, config: config)
        let peak = ExecutionRunner.run(.fixedPeak, workload: w, config: config)
        #expect(cal.p99DelaySeconds < hpa.p99DelaySeconds)
        #expect(cal.droppedTx == 0)
        #expect(cal.nodeSeconds <= 0.7 * peak.nodeSeconds)
        #expect(cal.servedTx + cal.droppedTx + cal.queuedAtEnd == cal.arrivedTx)
        #expect(cal.timeline.isEmpty)
    }
}
