// `caldera economy init --genesis`: any bytes decode strictly to a Genesis or throw; a decoded genesis
// either builds a state whose invariants hold or is refused with an EconomyError.
import Economics
import Wire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let g = try? StrictJSONDecoder().decode(Genesis.self, from: Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    if let state = try? EconomyState(genesis: g) { try! state.checkInvariants() }
    return 0
}
