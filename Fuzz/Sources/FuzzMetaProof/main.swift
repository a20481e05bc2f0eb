// Meta-proof decoder: any bytes must decode or throw, never trap, hang or allocate without bound;
// what decodes must survive path verification and expansion.
import Foundation
import Metalayer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let meta = try? MetaProof(encoded: bytes) {
        _ = try? meta.verifyPaths()
        _ = try? meta.expand()
        // re-encoding what decoded must decode to the same value
        precondition((try? MetaProof(encoded: meta.encoded(compression: .none))) == meta)
    }
    return 0
}
