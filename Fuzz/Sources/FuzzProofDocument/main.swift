// `caldera merkle verify`'s input: any bytes parse to a proof document or throw Malformed; what parses
// verifies or throws MerkleError (never traps), and re-encodes to JSON that parses to the same proof.
import Foundation
import Merkle

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let doc = try? ProofDocument.parse(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    _ = try? doc.verify()
    let json: Data
    switch doc {
    case .inclusion(let p): json = try! JSONEncoder().encode(p)
    case .consistency(let p): json = try! JSONEncoder().encode(p)
    }
    precondition((try? ProofDocument.parse([UInt8](json))) == doc, "re-encoded proof reads differently")
    return 0
}
