import CCaldera
import Merkle
import Wire

/// Ethereum-style secp256k1 signatures (the C core over Debian's libsecp256k1): what guardians sign
/// snapshot headers with, so that an EVM contract can check them with `ecrecover`.
/// Signatures are r ‖ s ‖ v (65 bytes), low-s (EIP-2) with v ∈ {27, 28}; signing is deterministic (RFC 6979).
public enum Secp256k1 {
    /// Why a key or a signature was refused.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// A secret key that is 0 or not below the group order n.
        case badSecretKey
        /// s > n/2: the malleable twin of a valid signature, which EIP-2 (and `ecrecover`-based verifiers) refuse.
        case highS
        /// v is not 27 or 28.
        case badV(UInt8)
        /// r or s is 0 or not below the group order.
        case outOfRange
        /// No public key has this signature on this digest (r is no point's x).
        case unrecoverable

        init(code: Int32, v: UInt8) {
            switch Int(code) {
            case CAL_ERR_BAD_KEY: self = .badSecretKey
            case CAL_ERR_SIG_HIGH_S: self = .highS
            case CAL_ERR_SIG_V: self = .badV(v)
            case CAL_ERR_SIG_RANGE: self = .outOfRange
            default: self = .unrecoverable
            }
        }

        public var description: String {
            switch self {
            case .badSecretKey: "a secp256k1 secret key must be 32 bytes, not 0 and below the group order"
            case .highS: "signature has a high s (s > n/2): a malleable signature, refused as EIP-2 requires"
            case let .badV(v): "signature's v is \(v), not 27 or 28"
            case .outOfRange: "signature's r or s is 0 or not below the group order"
            case .unrecoverable: "no public key recovers from this signature and digest"
            }
        }
    }

    /// A secret key with its public key and address. Its bytes stay inside this value: no accessor, and
    /// `description` does not show them.
    public struct PrivateKey: Sendable, CustomStringConvertible {
        let secret: [UInt8]
        /// Uncompressed public key, 0x04 ‖ x ‖ y (65 bytes).
        public let publicKey: [UInt8]
        public let address: EthereumAddress

        /// A 32-byte big-endian secret, 0 < k < n.
        public init(bytes: [UInt8]) throws(Failure) {
            guard bytes.count == 32 else { throw .badSecretKey }
            var pub = [UInt8](repeating: 0, count: 65), addr = [UInt8](repeating: 0, count: 20)
            let rc = bytes.withUnsafeBytes { k in
                pub.withUnsafeMutableBytes { p in addr.withUnsafeMutableBytes { a in cal_secp256k1_public_key(k.baseAddress, p.baseAddress, a.baseAddress) } }
            }
            guard rc == 0 else { throw Failure(code: rc, v: 0) }
            secret = bytes; publicKey = pub; address = EthereumAddress(unchecked: addr)
        }

        static let derivationTag = Array("caldera/secp256k1-key/v1".utf8)

        /// A key derived deterministically from a seed and an index, for testnets and simulations (never for
        /// real stake: anyone who knows the seed has every key). The secret is
        /// keccak256("caldera/secp256k1-key/v1" ‖ seed ‖ u64(index) ‖ u32(attempt)) for the first attempt
        /// 0, 1, … that is a valid key (the first one is, except with probability about 2^-128).
        public static func derived(seed: [UInt8], index: UInt64) -> PrivateKey {
            var attempt: UInt32 = 0
            while true {
                var w = ByteWriter(endianness: .big)
                w.raw(derivationTag); w.raw(seed); w.u64(index); w.u32(attempt)
                if let k = try? PrivateKey(bytes: Keccak256.hash(w.bytes).bytes) { return k }
                attempt += 1
            }
        }

        /// Signs a 32-byte digest (low-s, v ∈ {27, 28}, deterministic).
        public func sign(digest: Digest) -> Signature {
            var out = [UInt8](repeating: 0, count: 65)
            let rc = secret.withUnsafeBytes { k in
                digest.withUnsafeBytes { d in out.withUnsafeMutableBytes { cal_secp256k1_sign(k.baseAddress, d.baseAddress, $0.baseAddress) } }
            }
            precondition(rc == 0, "a checked secret key signs") // the key was validated when this value was made
            return Signature(unchecked: out)
        }

        public var description: String { "secp256k1 key of \(address)" }
    }

    /// A recoverable signature as Ethereum lays it out: r (32 bytes) ‖ s (32 bytes) ‖ v (1 byte).
    /// Any 65 bytes make a value; `recover` decides whether it is a signature.
    public struct Signature: Hashable, Sendable, CustomStringConvertible {
        public let bytes: [UInt8]
        public static let byteCount = 65

        /// Exactly 65 bytes; `nil` for any other length.
        public init?(bytes: [UInt8]) {
            guard bytes.count == Signature.byteCount else { return nil }
            self.bytes = bytes
        }

        init(unchecked bytes: [UInt8]) { self.bytes = bytes }

        public var r: ArraySlice<UInt8> { bytes[0..<32] }
        public var s: ArraySlice<UInt8> { bytes[32..<64] }
        public var v: UInt8 { bytes[64] }

        /// The signer's address, as `ecrecover` finds it, refusing high-s, a v other than 27 or 28, and r or s
        /// out of range.
        public func recover(digest: Digest) throws(Failure) -> EthereumAddress {
            EthereumAddress(unchecked: try recovered(digest).address)
        }

        /// The signer's uncompressed public key (65 bytes), with the same checks.
        public func recoverPublicKey(digest: Digest) throws(Failure) -> [UInt8] { try recovered(digest).publicKey }

        private func recovered(_ digest: Digest) throws(Failure) -> (publicKey: [UInt8], address: [UInt8]) {
            var pub = [UInt8](repeating: 0, count: 65), addr = [UInt8](repeating: 0, count: 20)
            let rc = bytes.withUnsafeBytes { s in
                digest.withUnsafeBytes { d in
                    pub.withUnsafeMutableBytes { p in
                        addr.withUnsafeMutableBytes { a in cal_secp256k1_recover(d.baseAddress, s.baseAddress, p.baseAddress, a.baseAddress) }
                    }
                }
            }
            guard rc == 0 else { throw Failure(code: rc, v: v) }
            return (pub, addr)
        }

        public var description: String { "0x" + Hex.encode(bytes) }
    }
}

/// A 20-byte Ethereum address: the last 20 bytes of keccak256 of an uncompressed public key's x ‖ y.
public struct EthereumAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public static let zero = EthereumAddress(unchecked: [UInt8](repeating: 0, count: 20))

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Exactly 20 bytes; `nil` otherwise.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 20 else { return nil }
        self.bytes = bytes
    }

    /// "0x" and 40 hex digits: all lowercase, all uppercase, or mixed case with a correct EIP-55 checksum
    /// (a mixed-case address with a wrong checksum is a typo, and refused).
    public init?(hex: String) {
        let digits = hex.utf8.starts(with: "0x".utf8) ? hex.utf8.dropFirst(2) : hex.utf8[...]
        guard hex.utf8.starts(with: "0x".utf8), digits.count == 40, let b = Hex.decode(hex) else { return nil }
        let hasLower = digits.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") }
        let hasUpper = digits.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }
        self.bytes = b
        if hasLower && hasUpper && checksummed != hex { return nil }
    }

    /// EIP-55 mixed-case form: a letter is uppercase when the matching nibble of keccak256(lowercase hex) ≥ 8.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes).utf8)
        let h = Keccak256.hash(lower).bytes
        var out = Array("0x".utf8)
        for (i, c) in lower.enumerated() {
            let nibble = i % 2 == 0 ? h[i / 2] >> 4 : h[i / 2] & 0x0f
            out.append(c >= UInt8(ascii: "a") && nibble >= 8 ? c - 32 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { checksummed }

    public static func < (a: EthereumAddress, b: EthereumAddress) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
