// The one adapter between consensus and the Metalayer's certificate scheme (today Ed25519 through
// swift-crypto, as `QuorumCertificate.verify` checks it). A guardian's identity is its 32-byte public key;
// consensus messages and snapshot headers are signed by the same key, told apart by their domain tags
// ("caldera/consensus-vote/v1", "caldera/snapshot/v1", …). Swapping the scheme means changing this file only.
@preconcurrency import Crypto
import Consensus
import Metalayer

/// A guardian's (or a demo sequencer's) private key.
public struct MetalayerKey: GuardianKey {
    let key: Curve25519.Signing.PrivateKey
    public let identity: [UInt8]

    /// From the 32-byte private key (RFC 8032 seed).
    public init?(privateKey: [UInt8]) {
        guard privateKey.count == 32, let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: privateKey) else { return nil }
        key = k; identity = Array(k.publicKey.rawRepresentation)
    }

    public var privateKey: [UInt8] { Array(key.rawRepresentation) }

    /// An empty signature (which no verifier accepts) if signing fails: the message is then simply not counted.
    public func sign(_ message: [UInt8]) -> [UInt8] { (try? Array(key.signature(for: message))) ?? [] }
    /// The certificate share: the Metalayer's signature over the header's signing message.
    public func signHeader(_ header: SnapshotHeader) -> [UInt8] { sign(header.signingMessage) }
}

/// Checks guardians' signatures by identity (their public keys) and sequencers' reports by rollup.
public struct MetalayerVerifier: SignatureVerifier {
    let keys: [[UInt8]: Curve25519.Signing.PublicKey]
    let sequencers: [UInt64: Curve25519.Signing.PublicKey]

    /// `guardians`: the public keys of every set this guardian follows; `sequencers`: rollup id → public key.
    /// Keys that do not parse are left out (nothing they sign verifies).
    public init(guardians: [[UInt8]], sequencers: [UInt64: [UInt8]]) {
        var k = [[UInt8]: Curve25519.Signing.PublicKey]()
        for g in guardians { if let p = try? Curve25519.Signing.PublicKey(rawRepresentation: g) { k[g] = p } }
        keys = k
        self.sequencers = sequencers.compactMapValues { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
    }

    public func verify(_ message: [UInt8], signature: [UInt8], by identity: [UInt8]) -> Bool {
        signature.count == 64 && (keys[identity]?.isValidSignature(signature, for: message) ?? false)
    }
    public func verifyHeader(_ header: SnapshotHeader, signature: [UInt8], by identity: [UInt8]) -> Bool {
        verify(header.signingMessage, signature: signature, by: identity)
    }
    public func verifyReport(_ report: RollupReport) -> Bool {
        guard report.signature.count == 64, let k = sequencers[report.entry.rollupId] else { return false }
        return k.isValidSignature(report.signature, for: RollupReport.signingMessage(report.entry))
    }
}

extension MetalayerKey {
    /// A fresh random key (the system's generator).
    public static func generate() -> MetalayerKey {
        MetalayerKey(privateKey: Array(Curve25519.Signing.PrivateKey().rawRepresentation))!
    }
}
