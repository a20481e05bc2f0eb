// Chain-codec decoder: any bytes must decode or throw a ChainCodecError, never trap, hang or allocate
// without bound (maxOutputBytes caps the declared size). What decodes must be exactly what some
// encoder wrote: re-encoding it must decode to the same bytes. The input is also encoded as data and
// must round-trip exactly (exercises the RLP column encoder on arbitrary bytes).
import ChainCodec

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let out = try? ChainCodec.decode(bytes, maxOutputBytes: 1 << 20) {
        precondition((try? ChainCodec.decode(ChainCodec.encode(out, level: 1))) == out, "re-encode round trip failed")
    }
    precondition((try? ChainCodec.decode(ChainCodec.encode(bytes, level: 1))) == bytes, "encode round trip failed")
    return 0
}
