// Claims: the rows of `caldera claims`, one per headline number of the design: the claim, its target, what
// this machine measured (through the Measure module and the layers) and whether it holds.
//
// Every row is measured in the run that prints it, on this machine, with its conditions stated;
// nothing here is a constant. Each layer contributes a group (merkle, proof, metalayer, data, codec, economy, execution).
import Foundation
import Measure

/// One row of `caldera claims`: a headline claim of the design and what this machine measured for it.
public struct ClaimResult: Sendable, Codable, Equatable {
    public var id: String          // e.g. "merkle.throughput"
    public var claim: String       // the design's claim, in words
    public var target: String      // e.g. "≥ 1.5×"
    public var measured: Double    // the measured value, in `unit`
    public var unit: String
    public var holds: Bool
    public var conditions: String  // what was measured, how, on what input
    public init(id: String, claim: String, target: String, measured: Double, unit: String, holds: Bool, conditions: String) {
        self.id = id; self.claim = claim; self.target = target; self.measured = measured
        self.unit = unit; self.holds = holds; self.conditions = conditions
    }

    /// The group is the part of the id before the first dot.
    public var group: String { String(id.prefix { $0 != "." }) }
}

/// A named set of measurements.
public struct ClaimGroup: Sendable {
    public let name: String
    public let summary: String
    public let measure: @Sendable (ClaimContext) -> [ClaimResult]
}

/// What a measurement may read: the shared data directory (corpus, traces, vectors) if present.
public struct ClaimContext: Sendable {
    public var sharedDirectory: URL?
    public init(sharedDirectory: URL?) { self.sharedDirectory = sharedDirectory }

    /// `CALDERA_SHARED`, else `../shared` beside the current directory, if it exists (`SharedDirectory.resolve`).
    public static func fromEnvironment() -> ClaimContext { ClaimContext(sharedDirectory: SharedDirectory.resolve()) }
}

/// Every group `caldera claims` knows, in the order it prints them.
public enum ClaimsRegistry {
    public static let groups: [ClaimGroup] = [
        ClaimGroup(name: "merkle", summary: "Merkle node hashing vs the machine's SHA-256 limit", measure: MerkleClaims.measure),
        ClaimGroup(name: "proof", summary: "meta-proof size, L1 gas and verification throughput", measure: ProofClaims.measure),
        ClaimGroup(name: "metalayer", summary: "guardian consensus: snapshots per minute, verify latency at 100 WAN guardians, safety (simulated, about a minute)",
                   measure: MetalayerClaims.measure),
        ClaimGroup(name: "data", summary: "cold-archive compression on the real corpus, and storage cost vs a traditional rollup",
                   measure: DataClaims.measure),
        ClaimGroup(name: "codec", summary: "chain-aware archive codec vs zstd -19, xz -9 and brotli 11 on the corpus (about a minute)",
                   measure: CodecClaimsRow.measure),
        ClaimGroup(name: "economy", summary: "exact 40/25/15/10/10 split, flat per-epoch distribution cost, ledger throughput",
                   measure: { _ in EconomyClaims.measure() }),
        ClaimGroup(name: "execution", summary: "scale-up time, congestion and waste of the load-aware scheduler vs baselines",
                   measure: { ExecutionClaims.measure(sharedDirectory: $0.sharedDirectory) }),
    ]

    /// Runs the named group (or all) and returns its rows.
    public static func run(only: String?, context: ClaimContext) -> [ClaimResult] {
        groups.filter { only == nil || $0.name == only }.flatMap { $0.measure(context) }
    }
}
