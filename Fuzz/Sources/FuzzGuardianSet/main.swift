// guardians.json parser: any bytes must parse or throw a GuardianSetError.
import Foundation
import Metalayer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? GuardianSet(json: Data(bytes: data, count: size))
    return 0
}
