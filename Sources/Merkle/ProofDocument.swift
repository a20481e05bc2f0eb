import Wire

/// A Merkle proof as JSON (what `caldera merkle inclusion|consistency` print): which kind is told by its
/// keys; it is decoded strictly (no duplicate or unknown keys, sizes and indices written as integers,
/// hashes as 64 hex digits), so each proof has one reading.
public enum ProofDocument: Equatable, Sendable {
    case inclusion(InclusionProof)
    case consistency(ConsistencyProof)

    /// No valid proof is larger (64 hashes of 66 bytes, with room for whitespace).
    public static let maxBytes = 1 << 20

    /// Why a proof document is malformed (as opposed to well-formed and invalid).
    public struct Malformed: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ bytes: [UInt8]) throws(Malformed) -> ProofDocument {
        guard bytes.count <= maxBytes else { throw Malformed(description: "larger than 1 MiB; no valid proof is") }
        let value: JSONValue
        do { value = try StrictJSONParser().parse(bytes) } catch { throw Malformed(description: error.description) }
        guard case let .object(keys, _) = value else { throw Malformed(description: "not a JSON object") }
        let decoder = StrictJSONDecoder(maxBytes: maxBytes)
        do {
            if keys.contains("index") { return .inclusion(try decoder.decode(InclusionProof.self, from: value)) }
            if keys.contains("oldSize") { return .consistency(try decoder.decode(ConsistencyProof.self, from: value)) }
        } catch { throw Malformed(description: error.description) }
        throw Malformed(description: "keys \(keys.sorted()) are neither an inclusion proof [index, leafHash, path, root, size] nor a consistency proof [newRoot, newSize, oldRoot, oldSize, path]")
    }

    public func verify() throws(MerkleError) {
        switch self {
        case .inclusion(let p): try p.verify()
        case .consistency(let p): try p.verify()
        }
    }
}
