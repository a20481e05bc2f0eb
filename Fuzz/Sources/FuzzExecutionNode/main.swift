// The node protocol's untrusted bytes: any payload must decode as a frame or throw, and what decodes must
// re-encode to the same bytes (one encoding per frame); the same for a bare transaction.
import ExecutionNode

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let f = try? NodeFrame.decode(payload: bytes) { precondition(f.payload() == bytes, "frame encoding is not canonical") }
    if let tx = try? RollupTransaction.decode(bytes) { precondition(tx.encoded() == bytes, "transaction encoding is not canonical") }
    return 0
}
