// Line-per-leaf hex input (`caldera merkle root`): decode or name the bad line; what decodes must
// round-trip to lowercase hex lines.
import Merkle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = Array(UnsafeBufferPointer(start: data, count: size))
    guard let lines = try? HexLines(text: text) else { return 0 }
    precondition(lines.offsets.first == 0 && lines.offsets.last == UInt64(lines.data.count))
    _ = lines.leafHashes()
    _ = try? lines.digests()
    return 0
}
