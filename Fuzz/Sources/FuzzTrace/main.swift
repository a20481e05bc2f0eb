// Trace parser and workload builder (`caldera execution simulate --trace`): any text must parse or
// throw a TraceError; what parses must turn into a workload or a TraceError, never trap.
import Execution
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(bytes: UnsafeBufferPointer(start: data, count: size), encoding: .utf8),
          let trace = try? TraceLoader.parse(text: text, name: "fuzz") else { return 0 }
    _ = try? TraceLoader.workload(trace: trace, scaling: TraceScaling(), config: SimulationConfig(), seed: 1)
    return 0
}
