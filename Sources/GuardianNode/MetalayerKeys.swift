// The one adapter between a guardian process and the Metalayer's certificate scheme: secp256k1 keys, a
// guardian (or sequencer) identified by its 20-byte Ethereum address. Signing and checking are Consensus's
// `Secp256k1GuardianKey` / `Secp256k1Verifier`; this file adds what a process needs around them: keys read
// from and written to configuration files, and fresh random keys for a testnet.
import Consensus
import Merkle
import Metalayer

/// A guardian's (or a demo sequencer's) private key.
public struct MetalayerKey: GuardianKey {
    let signer: Secp256k1GuardianKey
    /// The 32 secret bytes, kept only so that `caldera guardian testnet` can write them into configuration
    /// files (mode 600); nothing else reads them.
    public let privateKey: [UInt8]

    /// From 32 secret bytes (nonzero, below the group order).
    public init?(privateKey: [UInt8]) {
        guard let k = try? Secp256k1.PrivateKey(bytes: privateKey) else { return nil }
        signer = Secp256k1GuardianKey(GuardianSigner(key: k)); self.privateKey = privateKey
    }

    /// The 20-byte address.
    public var identity: [UInt8] { signer.identity }
    public var address: EthereumAddress { signer.signer.address }
    public func sign(_ message: [UInt8]) -> [UInt8] { signer.sign(message) }
    public func signHeader(_ header: SnapshotHeader) -> [UInt8] { signer.signHeader(header) }
    /// A sequencer's report, signed as `Secp256k1Verifier.verifyReport` checks it.
    public func signReport(_ entry: RollupEntry) -> RollupReport { Secp256k1Verifier.signReport(entry, with: signer.signer.key) }

    /// A fresh random key (the system's generator).
    public static func generate() -> MetalayerKey {
        var g = SystemRandomNumberGenerator()
        while true { if let k = MetalayerKey(privateKey: (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }) { return k } }
    }
}

/// Checks signatures of the guardians this process follows (by address) and sequencers' reports by rollup;
/// a key outside the set verifies nothing, whatever it signed.
public struct MetalayerVerifier: SignatureVerifier {
    let inner: Secp256k1Verifier
    let guardians: Set<[UInt8]>

    /// `guardians`: the addresses of every set this guardian follows; `sequencers`: rollup id → 20-byte address
    /// (entries that are not 20 bytes are left out: nothing verifies for them).
    public init(guardians: [[UInt8]], sequencers: [UInt64: [UInt8]]) {
        inner = Secp256k1Verifier(sequencers: sequencers.compactMapValues { EthereumAddress(bytes: $0) })
        self.guardians = Set(guardians)
    }
    public func verify(_ message: [UInt8], signature: [UInt8], by identity: [UInt8]) -> Bool {
        guardians.contains(identity) && inner.verify(message, signature: signature, by: identity)
    }
    public func verifyHeader(_ header: SnapshotHeader, signature: [UInt8], by identity: [UInt8]) -> Bool {
        guardians.contains(identity) && inner.verifyHeader(header, signature: signature, by: identity)
    }
    public func verifyReport(_ report: RollupReport) -> Bool { inner.verifyReport(report) }
}
