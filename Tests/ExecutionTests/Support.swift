import Foundation
import TestSupport
@testable import Execution

let ethereumTrace = SharedData.path("traces/ethereum-mainnet-blocks-2022-09/blocks.csv")
let azureConvTrace = SharedData.path("traces/azure-llm-inference-2023/AzureLLMInferenceTrace_conv.csv")
let azureCodeTrace = SharedData.path("traces/azure-llm-inference-2023/AzureLLMInferenceTrace_code.csv")
let tracesAvailable = [ethereumTrace, azureConvTrace, azureCodeTrace].allSatisfy { FileManager.default.fileExists(atPath: $0) }

func signals(rate: Double, queue: Int = 0, serving: Int, activating: Int = 0, mu: Double = 10, window: Double = 0.25) -> LoadSignals {
    LoadSignals(queueDepth: queue, arrivalRate: rate, serviceRatePerNode: mu, servingNodes: serving, activatingNodes: activating, windowSeconds: window)
}

/// A short settlement-style step workload for fast tests: `low` tx/s, step at 20 s to `high`, held 20 s, horizon 60 s.
func stepWorkload(low: Double = 80, high: Double = 800, seed: UInt64 = 7) -> ArrivalWorkload {
    var rng = Xoshiro256(seed: seed)
    var t = 0.0, out: [Double] = []
    while true {
        t += rng.nextExponential(mean: 1 / high)
        if t >= 60 { break }
        let r = (t >= 20 && t < 40) ? high : low
        if rng.nextUnit() * high < r { out.append(t) }
    }
    return ArrivalWorkload(name: "test-step", arrivals: out, duration: 60, stepTime: 20, description: "test step")
}
