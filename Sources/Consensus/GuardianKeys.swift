import Merkle
import Metalayer

/// The real scheme: a guardian's secp256k1 key (the Metalayer's certificate scheme), its 20-byte Ethereum
/// address as its identity. Consensus messages are signed over keccak256 of their domain-separated bytes;
/// shares are the Metalayer's header signatures, so a committed certificate is a `QuorumCertificate`.
public struct Secp256k1GuardianKey: GuardianKey {
    public let signer: GuardianSigner
    public init(_ signer: GuardianSigner) { self.signer = signer }
    public var identity: [UInt8] { signer.address.bytes }
    public func sign(_ message: [UInt8]) -> [UInt8] { signer.key.sign(digest: Keccak256.hash(message)).bytes }
    public func signHeader(_ header: SnapshotHeader) -> [UInt8] { signer.sign(header).bytes }
}

/// Checks guardians' secp256k1 signatures by recovering the address, and sequencers' reports against the
/// sequencer address registered per rollup (sequencers sign keccak256 of `RollupReport.signingMessage`).
public struct Secp256k1Verifier: SignatureVerifier {
    public let sequencers: [UInt64: EthereumAddress]
    public init(sequencers: [UInt64: EthereumAddress]) { self.sequencers = sequencers }

    static func recovers(_ signature: [UInt8], _ digest: Digest, to identity: [UInt8]) -> Bool {
        guard let sig = Secp256k1.Signature(bytes: signature), let a = try? sig.recover(digest: digest) else { return false }
        return a.bytes == identity
    }

    public func verify(_ message: [UInt8], signature: [UInt8], by identity: [UInt8]) -> Bool {
        Secp256k1Verifier.recovers(signature, Keccak256.hash(message), to: identity)
    }
    public func verifyHeader(_ header: SnapshotHeader, signature: [UInt8], by identity: [UInt8]) -> Bool {
        Secp256k1Verifier.recovers(signature, header.signingDigest, to: identity)
    }
    public func verifyReport(_ report: RollupReport) -> Bool {
        guard let seq = sequencers[report.entry.rollupId] else { return false }
        return Secp256k1Verifier.recovers(report.signature, Keccak256.hash(RollupReport.signingMessage(report.entry)), to: seq.bytes)
    }

    /// A sequencer's signature on its report.
    public static func signReport(_ entry: RollupEntry, with key: Secp256k1.PrivateKey) -> RollupReport {
        RollupReport(entry: entry, signature: key.sign(digest: Keccak256.hash(RollupReport.signingMessage(entry))).bytes)
    }
}

extension Committee {
    /// The committee of a Metalayer guardian set: identities are the guardians' addresses.
    public init(_ set: GuardianSet) throws(Committee.Invalid) {
        try self.init(setId: set.id, members: set.guardians.map(\.address.bytes), stakes: set.guardians.map(\.stake))
    }
}
