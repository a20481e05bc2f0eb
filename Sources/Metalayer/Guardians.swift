@preconcurrency import Crypto
import Economics
import Foundation
import Wire
import Merkle

/// A guardian: an Ed25519 public key and the stake (base units of ERA, at least the economics parameters'
/// guardian minimum, `ERA.guardianMinimumStake`) that weighs its signature.
public struct Guardian: Equatable, Sendable {
    public let publicKey: [UInt8]   // 32 bytes, Ed25519 (RFC 8032)
    public let stake: UInt128       // base units
    let key: Curve25519.Signing.PublicKey

    public init(publicKey: [UInt8], stake: UInt128) throws(GuardianSetError) {
        guard publicKey.count == 32, Guardian.isCanonicalLargeOrder(publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            throw .badPublicKey(Hex.encode(publicKey))
        }
        guard stake >= ERA.guardianMinimumStake else { throw .stakeBelowMinimum(Hex.encode(publicKey), stake) }
        self.publicKey = publicKey; self.stake = stake; self.key = key
    }

    public static func == (a: Guardian, b: Guardian) -> Bool { a.publicKey == b.publicKey && a.stake == b.stake }

    /// Small-order points (libsodium's blocklist, sign bit ignored): with such a key, a signature
    /// (R = a small-order point, s = 0) verifies for every message, so anyone could sign for it.
    static let smallOrder: [[UInt8]] = [
        [UInt8](repeating: 0, count: 32),                                   // 0, order 4
        [1] + [UInt8](repeating: 0, count: 31),                             // 1 (identity), order 1
        [0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
         0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05], // order 8
        [0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
         0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a], // order 8
        [0xec] + [UInt8](repeating: 0xff, count: 30) + [0x7f],             // p - 1, order 2
        [0xed] + [UInt8](repeating: 0xff, count: 30) + [0x7f],             // p (= 0), order 4
        [0xee] + [UInt8](repeating: 0xff, count: 30) + [0x7f],             // p + 1 (= 1), order 1
    ]

    /// True for a canonical encoding (y < p) of a point that is not of small order. Distinct byte strings
    /// are then distinct keys, and no key accepts everything.
    static func isCanonicalLargeOrder(_ k: [UInt8]) -> Bool {
        guard k.count == 32 else { return false }
        let y31 = k[31] & 0x7f
        if y31 == 0x7f && k[1..<31].allSatisfy({ $0 == 0xff }) && k[0] >= 0xed { return false } // y ≥ p
        for bad in smallOrder where k[0..<31].elementsEqual(bad[0..<31]) && y31 == bad[31] { return false }
        return true
    }
}

public enum GuardianSetError: Error, Equatable, CustomStringConvertible {
    case badPublicKey(String)
    case stakeBelowMinimum(String, UInt128)
    case duplicateKey(String)
    case size(Int)
    case malformed(String)
    public var description: String {
        switch self {
        case let .badPublicKey(k): "public key \(k.prefix(64)) is not a 32-byte Ed25519 key"
        case let .stakeBelowMinimum(k, s): "guardian \(k.prefix(16))… stakes \(s) base units, below the guardian minimum of \(Amount(baseUnits: ERA.guardianMinimumStake))"
        case let .duplicateKey(k): "public key \(k.prefix(16))… appears twice"
        case let .size(n): "a guardian set has 1 to \(ProofLimits.maxGuardians) guardians, not \(n)"
        case let .malformed(m): "guardian set: \(m)"
        }
    }
}

/// The guardians of one epoch, in a fixed order (bitmap positions), with their stakes.
public struct GuardianSet: Equatable, Sendable {
    public let id: UInt64
    public let guardians: [Guardian]
    public let totalStake: UInt128

    public init(id: UInt64, guardians: [Guardian]) throws(GuardianSetError) {
        guard !guardians.isEmpty, UInt64(guardians.count) <= ProofLimits.maxGuardians else { throw .size(guardians.count) }
        var seen = Set<[UInt8]>()
        var total: UInt128 = 0
        for g in guardians {
            guard seen.insert(g.publicKey).inserted else { throw .duplicateKey(Hex.encode(g.publicKey)) }
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

    // JSON: {"setId": 1, "guardians": [{"publicKey": "<64 hex>", "stake": "<base units>"}]}
    struct JSONForm: Codable {
        struct Entry: Codable { var publicKey: String; var stake: String }
        var setId: UInt64
        var guardians: [Entry]
    }

    public func jsonData() throws -> Data {
        let form = JSONForm(setId: id, guardians: guardians.map { .init(publicKey: Hex.encode($0.publicKey), stake: String($0.stake)) })
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(form)
    }

    public init(json: Data) throws(GuardianSetError) {
        guard json.count <= 1 << 20 else { throw .malformed("larger than 1 MiB") }
        let form: JSONForm
        // Strict: a duplicate "setId" or an unknown key would give one file two readings.
        do { form = try StrictJSONDecoder(maxBytes: 1 << 20).decode(JSONForm.self, from: [UInt8](json)) } catch {
            throw .malformed("\(error) (expected {\"setId\": N, \"guardians\": [{\"publicKey\": hex, \"stake\": \"base units\"}]})")
        }
        var gs = [Guardian]()
        for (i, e) in form.guardians.enumerated() {
            guard let key = Hex.decode(e.publicKey) else { throw .malformed("guardian \(i): publicKey is not hex") }
            guard e.stake.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), e.stake.count <= 39, e.stake == "0" || !e.stake.hasPrefix("0"),
                  let stake = UInt128(e.stake) else { throw .malformed("guardian \(i): stake \"\(e.stake)\" is not a whole number of base units") }
            gs.append(try Guardian(publicKey: key, stake: stake))
        }
        try self.init(id: form.setId, guardians: gs)
    }
}

/// Signatures of guardians over one snapshot header: a signer bitmap and, in bitmap order, one
/// 64-byte Ed25519 signature per set bit.
public struct QuorumCertificate: Equatable, Hashable, Sendable {
    public let guardianCount: Int
    public let signers: [Int]               // strictly increasing positions
    public let signatures: [[UInt8]]        // 64 bytes each

    public init(guardianCount: Int, signers: [Int], signatures: [[UInt8]]) {
        self.guardianCount = guardianCount; self.signers = signers; self.signatures = signatures
    }

    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case wrongSet(certificate: UInt64, expected: UInt64)
        case wrongGuardianCount(Int, Int)
        case badSignature(signer: Int)
        case noQuorum(signed: UInt128, total: UInt128)
        case malformedSigners
        public var description: String {
            switch self {
            case let .wrongSet(c, e): "snapshot is signed by guardian set \(c), verifier has set \(e)"
            case let .wrongGuardianCount(c, e): "certificate is for \(c) guardians, the set has \(e)"
            case let .badSignature(s): "signature of guardian \(s) does not verify"
            case let .noQuorum(s, t): "signers hold \(s) of \(t) base units of stake, not more than two thirds"
            case .malformedSigners: "signers must be distinct guardian positions in increasing order, one 64-byte signature each"
            }
        }
    }

    /// Valid when every signature verifies and the signers hold more than 2/3 of the set's stake.
    public func verify(header: SnapshotHeader, set: GuardianSet) throws(Invalid) {
        guard header.guardianSetId == set.id else { throw .wrongSet(certificate: header.guardianSetId, expected: set.id) }
        guard guardianCount == set.guardians.count else { throw .wrongGuardianCount(guardianCount, set.guardians.count) }
        // Decoded certificates satisfy these by construction (a bitmap); built ones must too.
        guard signers.count == signatures.count, signatures.allSatisfy({ $0.count == 64 }),
              zip(signers, signers.dropFirst()).allSatisfy({ $0 < $1 }),
              signers.allSatisfy({ $0 >= 0 && $0 < guardianCount }) else { throw .malformedSigners }
        let message = header.signingMessage
        var stake: UInt128 = 0
        for (s, sig) in zip(signers, signatures) {
            guard set.guardians[s].key.isValidSignature(sig, for: message) else { throw .badSignature(signer: s) }
            stake += set.guardians[s].stake // cannot overflow: bounded by totalStake
        }
        guard set.isQuorum(stake) else { throw .noQuorum(signed: stake, total: set.totalStake) }
    }

    /// Signs with the given private keys (by position); the smallest stake-ordered subset that reaches
    /// quorum when `trimToQuorum`, as a relayer would forward it.
    public static func sign(header: SnapshotHeader, set: GuardianSet, keys: [Int: Curve25519.Signing.PrivateKey],
                            trimToQuorum: Bool = true) throws -> QuorumCertificate {
        var chosen = keys.keys.sorted()
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
        let message = header.signingMessage
        let sigs = try chosen.map { Array(try keys[$0]!.signature(for: message)) }
        return QuorumCertificate(guardianCount: set.guardians.count, signers: chosen, signatures: sigs)
    }

    func encode(_ w: inout ByteWriter) {
        w.varint(UInt64(guardianCount))
        var bitmap = [UInt8](repeating: 0, count: (guardianCount + 7) / 8)
        for s in signers { bitmap[s / 8] |= 1 << UInt8(s % 8) }
        w.raw(bitmap)
        for sig in signatures { w.raw(sig) }
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
        var sigs = [[UInt8]]()
        for _ in signers { sigs.append(Array(try r.take(64, "certificate.signature"))) }
        return QuorumCertificate(guardianCount: n, signers: signers, signatures: sigs)
    }
}
