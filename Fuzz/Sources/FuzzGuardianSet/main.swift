// guardians.json parser: any bytes must parse or throw a GuardianSetError; a parsed set writes JSON that
// parses to the same set (addresses in EIP-55 form).
import Foundation
import Metalayer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let set = try? GuardianSet(json: Data(bytes: data, count: size)) {
        precondition((try? GuardianSet(json: set.jsonData())) == set, "a written guardian set reads back")
    }
    return 0
}
