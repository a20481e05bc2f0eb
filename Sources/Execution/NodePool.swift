import Economics
import Merkle

public enum NodeRole: String, Sendable, Codable, Equatable { case core, flexible }

/// A node as reported by the economics ledger. Plain input: the ledger adapter builds these.
public struct NodeCandidate: Sendable, Codable, Equatable, Hashable {
    public var id: String
    /// Stake in base units (18 decimals).
    public var stake: UInt128
    public var role: NodeRole
    /// Slashed or jailed nodes are excluded from both sets.
    public var jailed: Bool
    public init(id: String, stake: UInt128, role: NodeRole, jailed: Bool = false) {
        self.id = id; self.stake = stake; self.role = role; self.jailed = jailed
    }
}

public enum NodePoolError: Error, Equatable, CustomStringConvertible {
    case duplicateID(String)
    case stakeOverflow
    case invalidSeedLength(Int)
    public var description: String {
        switch self {
        case .duplicateID(let id): return "node id '\(id)' appears more than once in the candidate list; ids must be unique"
        case .stakeOverflow: return "the sum of stakes overflows 128 bits; check the ledger's stake units (base units, 18 decimals)"
        case .invalidSeedLength(let n): return "the selection seed must be 32 bytes (e.g. a snapshot root), got \(n)"
        }
    }
}

/// Why a candidate is not in either set.
public enum NodeExclusion: String, Sendable, Codable, Equatable {
    case jailed
    case belowCoreMinimum      // role core, stake < 100k ERA
    case belowFlexibleMinimum  // role flexible, stake < 50k ERA
}

/// The eligible core and flexible node sets, built from ledger candidates.
///
/// Rules: jailed/slashed nodes are excluded; a core node needs ≥ 100,000 ERA, a flexible node ≥ 50,000 ERA
/// (a node is judged in the role it registered for; no demotion). Sets are sorted by id so that the
/// result does not depend on the ledger's iteration order.
public struct NodePool: Sendable, Equatable {
    public private(set) var core: [NodeCandidate]
    public private(set) var flexible: [NodeCandidate]
    public private(set) var excluded: [String: NodeExclusion]

    public init(candidates: [NodeCandidate]) throws(NodePoolError) {
        var seen = Set<String>()
        var core: [NodeCandidate] = [], flexible: [NodeCandidate] = [], excluded: [String: NodeExclusion] = [:]
        for c in candidates {
            guard seen.insert(c.id).inserted else { throw .duplicateID(c.id) }
            if c.jailed { excluded[c.id] = .jailed; continue }
            switch c.role {
            case .core:
                if c.stake >= ERA.coreMinimumStake { core.append(c) } else { excluded[c.id] = .belowCoreMinimum }
            case .flexible:
                if c.stake >= ERA.flexibleMinimumStake { flexible.append(c) } else { excluded[c.id] = .belowFlexibleMinimum }
            }
        }
        self.core = core.sorted { $0.id < $1.id }
        self.flexible = flexible.sorted { $0.id < $1.id }
        self.excluded = excluded
        // Checks that stake sums used by selection cannot overflow.
        _ = try Self.total(self.flexible)
    }

    static func total(_ nodes: [NodeCandidate]) throws(NodePoolError) -> UInt128 {
        var sum: UInt128 = 0
        for n in nodes {
            let (s, o) = sum.addingReportingOverflow(n.stake)
            if o { throw .stakeOverflow }
            sum = s
        }
        return sum
    }

    /// Picks `count` flexible nodes, stake-weighted, without replacement, from the eligible flexible set minus
    /// `excluding` (e.g. nodes already serving). Deterministic for a given 32-byte public seed (e.g. the last
    /// snapshot root); unpredictable as long as the seed is. Each draw picks node i with probability
    /// stake_i / (sum of remaining stakes), computed with integers only. Returns the picks in draw order.
    public func selectFlexible(count: Int, seed: [UInt8], excluding: Set<String> = []) throws(NodePoolError) -> [NodeCandidate] {
        guard seed.count == 32 else { throw .invalidSeedLength(seed.count) }
        var remaining = flexible.filter { !excluding.contains($0.id) }
        var total = try Self.total(remaining)
        var rng = Xoshiro256(seed32: seed)
        var picks: [NodeCandidate] = []
        while picks.count < count, total > 0 {
            var r = rng.nextUInt128(below: total)
            var index = 0
            while r >= remaining[index].stake { r -= remaining[index].stake; index += 1 }
            let pick = remaining.remove(at: index)
            total -= pick.stake
            picks.append(pick)
        }
        return picks
    }

    /// The full join order of the flexible set (a stake-weighted random permutation) for one seed.
    public func joinOrder(seed: [UInt8]) throws(NodePoolError) -> [NodeCandidate] {
        try selectFlexible(count: flexible.count, seed: seed)
    }

    /// A synthetic pool standing in for the ledger until it is wired in: `coreCount` core nodes
    /// (100k–190k ERA), `flexibleCount` flexible nodes (50k–500k ERA), plus a few jailed and under-staked
    /// candidates that must be excluded. Deterministic (no randomness).
    public static func synthetic(coreCount: Int = 10, flexibleCount: Int = 120) -> NodePool {
        var c: [NodeCandidate] = []
        for i in 0..<coreCount {
            c.append(NodeCandidate(id: "core-" + pad3(i), stake: ERA.units(100_000 + UInt64(i) * 10_000), role: .core))
        }
        for i in 0..<flexibleCount {
            let era = 50_000 + UInt64((i * 7_919) % 451) * 1_000   // 50k ... 500k ERA, spread
            c.append(NodeCandidate(id: "flex-" + pad3(i), stake: ERA.units(era), role: .flexible))
        }
        c.append(NodeCandidate(id: "core-jailed", stake: ERA.units(300_000), role: .core, jailed: true))
        c.append(NodeCandidate(id: "flex-jailed", stake: ERA.units(300_000), role: .flexible, jailed: true))
        c.append(NodeCandidate(id: "core-understaked", stake: ERA.units(99_999), role: .core))
        c.append(NodeCandidate(id: "flex-understaked", stake: ERA.units(49_999), role: .flexible))
        return try! NodePool(candidates: c)
    }
}

/// Derives a 32-byte stand-in for a public seed (e.g. a snapshot root) from a 64-bit simulation seed.
public func publicSeed(from seed: UInt64) -> [UInt8] {
    var sm = SplitMix64(seed: seed ^ 0x5EED_5EED_5EED_5EED)
    var bytes: [UInt8] = []
    for _ in 0..<4 {
        let w = sm.next()
        for b in 0..<8 { bytes.append(UInt8((w >> (8 * UInt64(b))) & 0xFF)) }
    }
    return bytes
}

func pad3(_ i: Int) -> String { let s = String(i); return String(repeating: "0", count: max(0, 3 - s.count)) + s }
