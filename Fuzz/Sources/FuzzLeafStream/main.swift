// `caldera merkle root`'s streaming reader: the input split into chunks at a point taken from its first
// byte gives the same leaf hashes (or the same error line) as HexLines over the whole input.
import Merkle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = Result { () throws(HexLineError) in try HexLines(text: bytes).leafHashes() }
    let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    var stream = LeafStream()
    let streamed = Result { () throws(HexLineError) -> [Digest] in
        var out = [Digest]()
        for part in [bytes[..<cut], bytes[cut...]] {
            let chunk = Array(part)
            let r = chunk.withUnsafeBytes { p in Result { () throws(HexLineError) in try stream.consume(p) } }
            out += try r.get()
        }
        return out + (try stream.finish())
    }
    switch (whole, streamed) {
    case let (.success(a), .success(b)): precondition(a == b, "streamed leaf hashes differ")
    case let (.failure(a), .failure(b)): precondition(a.line == b.line, "streamed error on another line")
    default: preconditionFailure("streaming and whole-input parsing disagree")
    }
    return 0
}
