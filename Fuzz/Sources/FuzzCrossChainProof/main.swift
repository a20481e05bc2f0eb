// Individual cross-chain proof decoder: decode or throw; a decoded proof re-encodes to the same bytes, and its
// certificate's signatures (any 65 bytes) go through secp256k1 recovery without trapping.
import Metalayer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let p = try? CrossChainProof(encoded: bytes) {
        precondition(p.encoded == bytes, "decoding is canonical: one encoding per proof")
        _ = try? p.verifyPaths()
        let digest = p.header.signingDigest
        for sig in p.certificate.signatures { _ = try? sig.recover(digest: digest) }
    }
    return 0
}
