import Economics
import Merkle
import Metalayer

/// The guardians of one set as consensus sees them: an identity (the bytes the signature scheme names a
/// key by) and a stake per position. Quorums are exact integer comparisons on stake.
public struct Committee: Equatable, Sendable {
    public let setId: UInt64
    public let members: [[UInt8]]
    public let stakes: [UInt128]
    public let totalStake: UInt128

    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case empty, mismatched, duplicate(Int), zeroStake(Int), overflow
        public var description: String {
            switch self {
            case .empty: "a committee needs at least one guardian"
            case .mismatched: "one stake per member"
            case let .duplicate(i): "guardian \(i) appears twice"
            case let .zeroStake(i): "guardian \(i) has no stake"
            case .overflow: "total stake overflows"
            }
        }
    }

    public init(setId: UInt64, members: [[UInt8]], stakes: [UInt128]) throws(Invalid) {
        guard !members.isEmpty else { throw .empty }
        guard members.count == stakes.count else { throw .mismatched }
        var seen = Set<[UInt8]>()
        var total: UInt128 = 0
        for (i, (m, s)) in zip(members, stakes).enumerated() {
            guard seen.insert(m).inserted else { throw .duplicate(i) }
            guard s > 0 else { throw .zeroStake(i) }
            let (t, o) = total.addingReportingOverflow(s)
            guard !o else { throw .overflow }
            total = t
        }
        self.setId = setId; self.members = members; self.stakes = stakes; totalStake = total
    }

    public var count: Int { members.count }
    public func position(of identity: [UInt8]) -> Int? { members.firstIndex(of: identity) }

    /// More than two thirds of the total: 3·stake > 2·total, in full width so nothing overflows.
    public func isQuorum(_ stake: UInt128) -> Bool { Committee.greater(stake, 3, totalStake, 2) }
    /// More than one third: at least one honest guardian is among the holders (when byzantine stake < 1/3).
    public func exceedsOneThird(_ stake: UInt128) -> Bool { Committee.greater(stake, 3, totalStake, 1) }

    static func greater(_ a: UInt128, _ ka: UInt128, _ b: UInt128, _ kb: UInt128) -> Bool {
        let l = a.multipliedFullWidth(by: ka), r = b.multipliedFullWidth(by: kb)
        return l.high != r.high ? l.high > r.high : l.low > r.low
    }

    /// Stake of a set of positions (each counted once).
    public func stake<S: Sequence>(of positions: S) -> UInt128 where S.Element == Int {
        var s: UInt128 = 0
        for p in Set(positions) where p >= 0 && p < stakes.count { s += stakes[p] }
        return s
    }
}

/// Which committee signs which height: the set changes only at epoch boundaries (`epochLength` heights).
public struct CommitteeSchedule: Equatable, Sendable {
    public let epochLength: UInt64
    /// (first epoch, committee), sorted by first epoch; the first starts at epoch 0.
    public let committees: [(fromEpoch: UInt64, committee: Committee)]

    public init(epochLength: UInt64, committees: [(fromEpoch: UInt64, committee: Committee)]) {
        precondition(epochLength > 0 && committees.first?.fromEpoch == 0, "a schedule starts at epoch 0")
        self.epochLength = epochLength; self.committees = committees.sorted { $0.fromEpoch < $1.fromEpoch }
    }
    public init(_ committee: Committee) { self.init(epochLength: 1 << 62, committees: [(0, committee)]) }

    public func committee(forHeight h: UInt64) -> Committee {
        let epoch = h / epochLength
        var c = committees[0].committee
        for (e, k) in committees where e <= epoch { c = k }
        return c
    }

    public static func == (a: CommitteeSchedule, b: CommitteeSchedule) -> Bool {
        a.epochLength == b.epochLength && a.committees.count == b.committees.count
            && zip(a.committees, b.committees).allSatisfy { $0.fromEpoch == $1.fromEpoch && $0.committee == $1.committee }
    }
}

/// The keys a guardian signs with: consensus messages (domain-separated bytes) and the snapshot header
/// itself (the certificate share, in the Metalayer's certificate scheme).
public protocol GuardianKey: Sendable {
    var identity: [UInt8] { get }
    func sign(_ message: [UInt8]) -> [UInt8]
    func signHeader(_ header: SnapshotHeader) -> [UInt8]
}

/// Checks signatures by identity: guardians' messages and header shares, and sequencers' reports.
public protocol SignatureVerifier: Sendable {
    func verify(_ message: [UInt8], signature: [UInt8], by identity: [UInt8]) -> Bool
    func verifyHeader(_ header: SnapshotHeader, signature: [UInt8], by identity: [UInt8]) -> Bool
    /// True when `report` is signed by the sequencer key registered for its rollup.
    func verifyReport(_ report: RollupReport) -> Bool
}

/// Signatures for the simulator: a keyed SHA-256 that is cheap enough for thousands of simulated runs of
/// 100 guardians. It models unforgeability by construction (the simulator's byzantine strategies sign only
/// with keys they hold); real runs use the Metalayer's scheme. Identities are 8-byte key numbers.
public struct SimulatedKey: GuardianKey {
    public let identity: [UInt8]
    public init(number: UInt64) {
        var b = [UInt8](); for i in (0..<8).reversed() { b.append(UInt8(truncatingIfNeeded: number >> (8 * UInt64(i)))) }
        identity = b
    }
    public func sign(_ message: [UInt8]) -> [UInt8] { SimulatedSignatures.mac(identity, message) }
    public func signHeader(_ header: SnapshotHeader) -> [UInt8] { SimulatedSignatures.mac(identity, [0x48] + header.signingMessage) }
}

public struct SimulatedSignatures: SignatureVerifier {
    /// Rollup ids with a sequencer; a sequencer's identity is `SimulatedKey(number: 1 << 32 | rollupId)`.
    public let rollups: Set<UInt64>
    public init(rollups: Set<UInt64>) { self.rollups = rollups }

    static func mac(_ identity: [UInt8], _ message: [UInt8]) -> [UInt8] {
        SHA256.hash(Array("caldera/simulated-signature".utf8) + identity + message).bytes
    }
    public static func sequencerKey(_ rollup: UInt64) -> SimulatedKey { SimulatedKey(number: 1 << 32 | rollup) }

    public func verify(_ message: [UInt8], signature: [UInt8], by identity: [UInt8]) -> Bool {
        signature == SimulatedSignatures.mac(identity, message)
    }
    public func verifyHeader(_ header: SnapshotHeader, signature: [UInt8], by identity: [UInt8]) -> Bool {
        signature == SimulatedSignatures.mac(identity, [0x48] + header.signingMessage)
    }
    public func verifyReport(_ report: RollupReport) -> Bool {
        rollups.contains(report.entry.rollupId)
            && report.signature == SimulatedSignatures.sequencerKey(report.entry.rollupId).sign(RollupReport.signingMessage(report.entry))
    }
}

extension CommitteeSchedule {
    public enum LedgerError: Error, Equatable, CustomStringConvertible {
        case noKey(account: String)
        case emptySet(epoch: UInt64)
        public var description: String {
            switch self {
            case let .noKey(a): "guardian account \(a) has no registered signing key"
            case let .emptySet(e): "the ledger's guardian set in force at epoch \(e) is empty"
            }
        }
    }

    /// The committees the ERA ledger puts in force (`EconomyState.guardianSchedule()` / `Ledger.guardianSchedule()`),
    /// one per membership change, each weighted by its guardians' bonds. `identity` maps a guardian account to
    /// the key it signs with (for secp256k1, its 20-byte address). Set ids follow the membership version, so a
    /// governance change of the set is a new set id from its first epoch on.
    public init(ledger views: [GuardianSetView], epochLength: UInt64, identity: (String) -> [UInt8]?) throws {
        var committees = [(fromEpoch: UInt64, committee: Committee)]()
        for v in views {
            guard !v.members.isEmpty else { throw LedgerError.emptySet(epoch: v.epoch) }
            var ids = [[UInt8]]()
            for m in v.members {
                guard let id = identity(m.account) else { throw LedgerError.noKey(account: m.account) }
                ids.append(id)
            }
            committees.append((v.epoch, try Committee(setId: v.membershipVersion + 1, members: ids, stakes: v.members.map(\.stake.baseUnits))))
        }
        self.init(epochLength: epochLength, committees: committees)
    }
}
