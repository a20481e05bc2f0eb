// Metalayer: guardian-signed snapshots of every rollup's state, cross-chain proofs against them, and
// meta-proofs that carry many such proofs in one object (one header, one certificate, multiproofs).
//
// Formats are specified byte for byte in docs/proof-format.md. Every decoder here is strict: versioned,
// every length bounded and checked, no trailing bytes, typed errors; each has a libFuzzer target (Fuzz/).

/// Why bytes could not be decoded. Decoding never traps on any input.
public enum DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes themselves: a field cut short, a bad varint, a count over its limit, bytes after the end.
    case wire(WireError)
    case badMagic
    case unsupportedVersion(UInt8)
    case unexpectedKind(UInt8)
    case notIncreasing(field: String)
    case badBitmap
    case compression(String)
    /// A value the format forbids, with the rule it breaks.
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case let .wire(w): "\(w)"
        case .badMagic: "not a Caldera proof (bad magic)"
        case let .unsupportedVersion(v):
            v == 1 ? "format version 1 (Ed25519 certificates) is no longer read; this build reads version 2 (secp256k1): regenerate the proof"
                : "unsupported format version \(v) (this build reads version 2)"
        case let .unexpectedKind(k): "unexpected object kind \(k)"
        case let .notIncreasing(f): "\(f) must be strictly increasing"
        case .badBitmap: "signer bitmap has bits set beyond the guardian count"
        case let .compression(m): "compressed body: \(m)"
        case let .invalid(f, r): "\(f): \(r)"
        }
    }
}

// The reader and writer are Wire's (big-endian here); DecodeError wraps its errors.
typealias ByteReader = Wire.ByteReader<DecodeError>
typealias ByteWriter = Wire.ByteWriter

extension DecodeError: WireErrorConvertible {
    public init(_ wire: WireError) { self = .wire(wire) }
}

import Merkle
import Wire
