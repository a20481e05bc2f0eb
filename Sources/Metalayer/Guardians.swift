import Economics
import Foundation
import Merkle
import Wire

/// A guardian: a 20-byte Ethereum address (it signs with the secp256k1 key behind it) and the stake (base
/// units of ERA, at least `ERA.guardianMinimumStake`) that weighs its signature.
public struct Guardian: Equatable, Sendable {
    public let address: EthereumAddress
    public let stake: UInt128       // base units

    public init(address: EthereumAddress, stake: UInt128) throws(GuardianSetError) {
        // ecrecover reports failure as the zero address: a set holding it would accept garbage on-chain.
        guard address != .zero else { throw .zeroAddress }
        guard stake >= ERA.guardianMinimumStake else { throw .stakeBelowMinimum(address.checksummed, stake) }
        self.address = address; self.stake = stake
    }
}

public enum GuardianSetError: Error, Equatable, CustomStringConvertible {
    case badAddress(String)
    case zeroAddress
    case stakeBelowMinimum(String, UInt128)
    case duplicateAddress(String)
    case size(Int)
    case unsupportedVersion(UInt64)
    case malformed(String)
    public var description: String {
        switch self {
        case let .badAddress(a): "address \"\(a.prefix(64))\" is not 0x and 40 hex digits (with a correct EIP-55 checksum if mixed case)"
        case .zeroAddress: "the zero address cannot be a guardian (ecrecover returns it for invalid signatures)"
        case let .stakeBelowMinimum(a, s): "guardian \(a) stakes \(s) base units, below the guardian minimum of \(Amount(baseUnits: ERA.guardianMinimumStake))"
        case let .duplicateAddress(a): "address \(a) appears twice"
        case let .size(n): "a guardian set has 1 to \(ProofLimits.maxGuardians) guardians, not \(n)"
        case let .unsupportedVersion(v):
            v == 1 ? "guardian set version 1 (Ed25519 public keys) is no longer supported; guardians sign with secp256k1 now: regenerate it (version \(GuardianSet.version), addresses)"
                : "unsupported guardian set version \(v) (this build reads version \(GuardianSet.version))"
        case let .malformed(m): "guardian set: \(m)"
        }
    }
}

/// The guardians of one epoch, in a fixed order (bitmap positions), with their stakes.
public struct GuardianSet: Equatable, Sendable {
    public let id: UInt64
    public let guardians: [Guardian]
    public let totalStake: UInt128

    /// The JSON form's version (docs/proof-format.md, "Guardian set").
    public static let version: UInt64 = 2

    public init(id: UInt64, guardians: [Guardian]) throws(GuardianSetError) {
        guard !guardians.isEmpty, UInt64(guardians.count) <= ProofLimits.maxGuardians else { throw .size(guardians.count) }
        var seen = Set<EthereumAddress>()
        var total: UInt128 = 0
        for g in guardians {
            guard seen.insert(g.address).inserted else { throw .duplicateAddress(g.address.checksummed) }
            let (sum, overflow) = total.addingReportingOverflow(g.stake)
            guard !overflow else { throw .malformed("total stake overflows") }
            total = sum
        }
        self.id = id; self.guardians = guardians; totalStake = total
    }

    /// True when `stake` is more than two thirds of the total (3·stake > 2·total, exactly, in 256 bits).
    public func isQuorum(_ stake: UInt128) -> Bool {
        // Both sides fit in UInt128 unless stakes exceed 2^126; compare via full-width multiplication.
        let lhs = stake.multipliedFullWidth(by: 3), rhs = totalStake.multipliedFullWidth(by: 2)
        return lhs.high != rhs.high ? lhs.high > rhs.high : lhs.low > rhs.low
    }

    /// Checks one guardian's vote: `signature` over `header` is by the guardian at `position` of this set.
    /// Consensus checks votes one at a time and assembles them with `QuorumCertificate(guardianCount:votes:)`.
    public func verifyVote(header: SnapshotHeader, position: Int, signature: Secp256k1.Signature) throws(QuorumCertificate.Invalid) {
        guard header.guardianSetId == id else { throw .wrongSet(certificate: header.guardianSetId, expected: id) }
        guard position >= 0, position < guardians.count else { throw .signerOutsideSet(position: position, guardians: guardians.count) }
        try verify(signature, of: header.signingDigest, position: position)
    }

    func verify(_ signature: Secp256k1.Signature, of digest: Digest, position: Int) throws(QuorumCertificate.Invalid) {
        let signer: EthereumAddress
        do { signer = try signature.recover(digest: digest) } catch { throw .badSignature(signer: position, error) }
        guard signer == guardians[position].address else {
            throw .wrongSigner(position: position, expected: guardians[position].address, recovered: signer)
        }
    }

    // JSON: {"version": 2, "setId": 1, "guardians": [{"address": "0x<40 hex>", "stake": "<base units>"}]}
    struct JSONForm: Codable {
        struct Entry: Codable { var address: String; var stake: String }
        var version: UInt64
        var setId: UInt64
        var guardians: [Entry]
    }

    /// Version 1's shape, recognised only to say that it is no longer read.
    struct LegacyForm: Decodable {
        struct Entry: Decodable { var publicKey: String; var stake: String }
        var setId: UInt64
        var guardians: [Entry]
    }

    public func jsonData() throws -> Data {
        let form = JSONForm(version: GuardianSet.version, setId: id,
                            guardians: guardians.map { .init(address: $0.address.checksummed, stake: String($0.stake)) })
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(form)
    }

    public init(json: Data) throws(GuardianSetError) {
        guard json.count <= 1 << 20 else { throw .malformed("larger than 1 MiB") }
        let bytes = [UInt8](json), decoder = StrictJSONDecoder(maxBytes: 1 << 20)
        let form: JSONForm
        // Strict: a duplicate "setId" or an unknown key would give one file two readings.
        do { form = try decoder.decode(JSONForm.self, from: bytes) } catch {
            if (try? decoder.decode(LegacyForm.self, from: bytes)) != nil { throw .unsupportedVersion(1) }
            throw .malformed("\(error) (expected {\"version\": \(GuardianSet.version), \"setId\": N, \"guardians\": [{\"address\": \"0x…\", \"stake\": \"base units\"}]})")
        }
        guard form.version == GuardianSet.version else { throw .unsupportedVersion(form.version) }
        guard !form.guardians.isEmpty, UInt64(form.guardians.count) <= ProofLimits.maxGuardians else { throw .size(form.guardians.count) }
        var gs = [Guardian]()
        for (i, e) in form.guardians.enumerated() {
            guard let address = EthereumAddress(hex: e.address) else { throw .badAddress(e.address) }
            guard e.stake.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), e.stake.count <= 39, e.stake == "0" || !e.stake.hasPrefix("0"),
                  let stake = UInt128(e.stake) else { throw .malformed("guardian \(i): stake \"\(e.stake)\" is not a whole number of base units") }
            gs.append(try Guardian(address: address, stake: stake))
        }
        try self.init(id: form.setId, guardians: gs)
    }
}

/// A guardian's signing side: its key, and the one thing it signs, snapshot headers.
public struct GuardianSigner: Sendable {
    public let key: Secp256k1.PrivateKey
    public var address: EthereumAddress { key.address }

    public init(key: Secp256k1.PrivateKey) { self.key = key }

    /// A testnet or simulation guardian: `Secp256k1.PrivateKey.derived(seed:index:)`.
    public static func derived(seed: [UInt8], index: UInt64) -> GuardianSigner {
        GuardianSigner(key: .derived(seed: seed, index: index))
    }

    /// The 65-byte signature over the header's signing digest (docs/proof-format.md, "Snapshot header").
    public func sign(_ header: SnapshotHeader) -> Secp256k1.Signature { key.sign(digest: header.signingDigest) }
}

/// Signatures of guardians over one snapshot header: a signer bitmap and, in bitmap order, one 65-byte
/// secp256k1 signature (r ‖ s ‖ v) per set bit.
public struct QuorumCertificate: Equatable, Hashable, Sendable {
    public let guardianCount: Int
    public let signers: [Int]                       // strictly increasing positions
    public let signatures: [Secp256k1.Signature]    // one per signer, same order

    /// Unchecked: `verify` checks everything (decoded certificates are well-formed by construction).
    public init(guardianCount: Int, signers: [Int], signatures: [Secp256k1.Signature]) {
        self.guardianCount = guardianCount; self.signers = signers; self.signatures = signatures
    }

    /// Assembles votes (each checked with `GuardianSet.verifyVote`) in any order into bitmap order.
    /// Refuses a position twice or outside 0..<guardianCount; does not judge quorum (`verify` does).
    public init(guardianCount: Int, votes: [(position: Int, signature: Secp256k1.Signature)]) throws(Invalid) {
        let sorted = votes.sorted { $0.position < $1.position }
        for v in sorted where v.position < 0 || v.position >= guardianCount {
            throw .signerOutsideSet(position: v.position, guardians: guardianCount)
        }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.position == b.position { throw .duplicateSigner(a.position) }
        self.init(guardianCount: guardianCount, signers: sorted.map(\.position), signatures: sorted.map(\.signature))
    }

    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case wrongSet(certificate: UInt64, expected: UInt64)
        case wrongGuardianCount(Int, Int)
        case signatureCount(signers: Int, signatures: Int)
        case duplicateSigner(Int)
        case signerOutsideSet(position: Int, guardians: Int)
        case signersOutOfOrder
        case badSignature(signer: Int, Secp256k1.Failure)
        case wrongSigner(position: Int, expected: EthereumAddress, recovered: EthereumAddress)
        case noQuorum(signed: UInt128, total: UInt128)
        public var description: String {
            switch self {
            case let .wrongSet(c, e): "snapshot is signed by guardian set \(c), verifier has set \(e)"
            case let .wrongGuardianCount(c, e): "certificate is for \(c) guardians, the set has \(e)"
            case let .signatureCount(s, g): "certificate names \(s) signers but carries \(g) signatures"
            case let .duplicateSigner(p): "guardian \(p) signs twice; each guardian counts once"
            case let .signerOutsideSet(p, n): "signer position \(p) is outside the set of \(n) guardians"
            case .signersOutOfOrder: "signers must be in increasing guardian order"
            case let .badSignature(s, f): "signature of guardian \(s) is refused: \(f)"
            case let .wrongSigner(p, e, r): "signature at guardian \(p) is by \(r), not by the guardian's address \(e)"
            case let .noQuorum(s, t): "signers hold \(s) of \(t) base units of stake, not more than two thirds"
            }
        }
    }

    /// Valid when every signature recovers to its guardian's address and the signers hold more than 2/3 of
    /// the set's stake.
    public func verify(header: SnapshotHeader, set: GuardianSet) throws(Invalid) {
        guard header.guardianSetId == set.id else { throw .wrongSet(certificate: header.guardianSetId, expected: set.id) }
        guard guardianCount == set.guardians.count else { throw .wrongGuardianCount(guardianCount, set.guardians.count) }
        // Decoded certificates satisfy these by construction (a bitmap); built ones must too.
        guard signers.count == signatures.count else { throw .signatureCount(signers: signers.count, signatures: signatures.count) }
        for s in signers where s < 0 || s >= guardianCount { throw .signerOutsideSet(position: s, guardians: guardianCount) }
        for (a, b) in zip(signers, signers.dropFirst()) where a >= b { throw a == b ? .duplicateSigner(a) : .signersOutOfOrder }
        let digest = header.signingDigest
        var stake: UInt128 = 0
        for (s, sig) in zip(signers, signatures) {
            try set.verify(sig, of: digest, position: s)
            stake += set.guardians[s].stake // cannot overflow: bounded by totalStake
        }
        guard set.isQuorum(stake) else { throw .noQuorum(signed: stake, total: set.totalStake) }
    }

    /// Signs with the given guardians (by position); the smallest stake-ordered subset that reaches quorum
    /// when `trimToQuorum`, as a relayer would forward it.
    public static func sign(header: SnapshotHeader, set: GuardianSet, signers: [Int: GuardianSigner],
                            trimToQuorum: Bool = true) -> QuorumCertificate {
        var chosen = signers.keys.sorted()
        if trimToQuorum {
            var byStake = chosen.sorted { set.guardians[$0].stake != set.guardians[$1].stake ? set.guardians[$0].stake > set.guardians[$1].stake : $0 < $1 }
            var stake: UInt128 = 0
            var pick = [Int]()
            while !set.isQuorum(stake), !byStake.isEmpty {
                let g = byStake.removeFirst()
                pick.append(g); stake += set.guardians[g].stake
            }
            chosen = pick.sorted()
        }
        return QuorumCertificate(guardianCount: set.guardians.count, signers: chosen, signatures: chosen.map { signers[$0]!.sign(header) })
    }

    func encode(_ w: inout ByteWriter) {
        w.varint(UInt64(guardianCount))
        var bitmap = [UInt8](repeating: 0, count: (guardianCount + 7) / 8)
        for s in signers { bitmap[s / 8] |= 1 << UInt8(s % 8) }
        w.raw(bitmap)
        for sig in signatures { w.raw(sig.bytes) }
    }

    static func decode(_ r: inout ByteReader) throws(DecodeError) -> QuorumCertificate {
        let n = try r.count("certificate.guardianCount", max: ProofLimits.maxGuardians)
        guard n > 0 else { throw .invalid(field: "certificate.guardianCount", reason: "is 0; a certificate needs at least one guardian") }
        let bitmap = try r.take((n + 7) / 8, "certificate.bitmap")
        var signers = [Int]()
        for (byteIndex, byte) in bitmap.enumerated() {
            for bit in 0..<8 where byte & (1 << UInt8(bit)) != 0 {
                let s = byteIndex * 8 + bit
                guard s < n else { throw .badBitmap }
                signers.append(s)
            }
        }
        var sigs = [Secp256k1.Signature]()
        for _ in signers { sigs.append(Secp256k1.Signature(unchecked: Array(try r.take(Secp256k1.Signature.byteCount, "certificate.signature")))) }
        return QuorumCertificate(guardianCount: n, signers: signers, signatures: sigs)
    }
}
