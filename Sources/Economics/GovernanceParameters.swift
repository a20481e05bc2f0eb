// Governance configuration: the tally rules and periods (Cosmos SDK x/gov defaults), and the typed registry of every
// parameter a proposal can change (`ParameterKey`), with one text form for the CLI, the journal and the report.
// See docs/economics.md §7.

/// The rules of governance. Defaults follow Cosmos SDK x/gov (`x/gov/types/v1/params.go`: quorum 0.334, threshold
/// 0.5, expedited threshold 0.667, veto 0.334, deposits burned on veto but not on a missed quorum or an unreached
/// minimum deposit, expedited minimum deposit 5 × the minimum, 2-day deposit and voting periods, 1-day expedited
/// period) with days read as epochs, and Compound's Timelock (`MINIMUM_DELAY = 2 days`) for the timelock.
public struct GovernanceParameters: Sendable, Hashable, Codable {
    /// Deposit a proposal needs before voting starts.
    public var minimumDeposit: Amount
    /// Deposit an expedited proposal needs (must exceed ``minimumDeposit``).
    public var expeditedMinimumDeposit: Amount
    /// Epochs a proposal may collect deposits before it expires.
    public var maxDepositPeriodEpochs: UInt64
    /// Epochs votes are open once the minimum deposit is reached.
    public var votingPeriodEpochs: UInt64
    /// The voting period of an expedited proposal (must be shorter than ``votingPeriodEpochs``).
    public var expeditedVotingPeriodEpochs: UInt64
    /// Epochs between a proposal passing and its changes applying (at least 1: changes apply at a later boundary).
    public var timelockEpochs: UInt64
    /// Share of bonded stake that must vote (any option) for a tally to count: voted / bonded ≥ quorum.
    public var quorum: Fraction
    /// A proposal passes when yes / (voted − abstain) > threshold.
    public var threshold: Fraction
    /// The threshold of an expedited proposal (must exceed ``threshold``).
    public var expeditedThreshold: Fraction
    /// A proposal is vetoed when veto / voted > vetoThreshold.
    public var vetoThreshold: Fraction
    /// Cosmos `burn_vote_veto`: a vetoed proposal's deposits are burned (else refunded).
    public var burnDepositsOnVeto: Bool
    /// Cosmos `burn_vote_quorum`: deposits of a proposal that missed quorum are burned (else refunded).
    public var burnDepositsOnNoQuorum: Bool
    /// Cosmos `burn_proposal_deposit_prevote`: deposits of a proposal that never reached the minimum are burned
    /// (else refunded).
    public var burnDepositsBelowMinimum: Bool
    /// The pool burned deposits go to (never spent; like the slashing pool, it keeps the supply accounted for).
    public var burnPool: String

    public static let `default` = GovernanceParameters(
        minimumDeposit: try! Amount(era: 1_000), expeditedMinimumDeposit: try! Amount(era: 5_000),
        maxDepositPeriodEpochs: 2, votingPeriodEpochs: 2, expeditedVotingPeriodEpochs: 1, timelockEpochs: 2,
        quorum: Fraction(partsPerBillion: 334_000_000), threshold: Fraction(partsPerBillion: 500_000_000),
        expeditedThreshold: Fraction(partsPerBillion: 667_000_000), vetoThreshold: Fraction(partsPerBillion: 334_000_000),
        burnDepositsOnVeto: true, burnDepositsOnNoQuorum: false, burnDepositsBelowMinimum: false, burnPool: "burned")

    public init(minimumDeposit: Amount, expeditedMinimumDeposit: Amount, maxDepositPeriodEpochs: UInt64, votingPeriodEpochs: UInt64,
                expeditedVotingPeriodEpochs: UInt64, timelockEpochs: UInt64, quorum: Fraction, threshold: Fraction,
                expeditedThreshold: Fraction, vetoThreshold: Fraction, burnDepositsOnVeto: Bool, burnDepositsOnNoQuorum: Bool,
                burnDepositsBelowMinimum: Bool, burnPool: String) {
        self.minimumDeposit = minimumDeposit; self.expeditedMinimumDeposit = expeditedMinimumDeposit
        self.maxDepositPeriodEpochs = maxDepositPeriodEpochs; self.votingPeriodEpochs = votingPeriodEpochs
        self.expeditedVotingPeriodEpochs = expeditedVotingPeriodEpochs; self.timelockEpochs = timelockEpochs
        self.quorum = quorum; self.threshold = threshold; self.expeditedThreshold = expeditedThreshold
        self.vetoThreshold = vetoThreshold; self.burnDepositsOnVeto = burnDepositsOnVeto
        self.burnDepositsOnNoQuorum = burnDepositsOnNoQuorum; self.burnDepositsBelowMinimum = burnDepositsBelowMinimum
        self.burnPool = burnPool
    }

    public func minimumDeposit(expedited: Bool) -> Amount { expedited ? expeditedMinimumDeposit : minimumDeposit }
    public func votingPeriod(expedited: Bool) -> UInt64 { expedited ? expeditedVotingPeriodEpochs : votingPeriodEpochs }
    public func threshold(expedited: Bool) -> Fraction { expedited ? expeditedThreshold : threshold }

    // Every key optional, as in the rest of the genesis parameters; amounts in ERA notation.
    public init(from decoder: any Decoder) throws {
        self = try ParameterKey.GovernanceField.decode(from: decoder, onto: .default, required: false)
    }
    public func encode(to encoder: any Encoder) throws { try ParameterKey.GovernanceField.encode(self, to: encoder) }

    /// The checks of Cosmos's `Params.ValidateBasic`, in epochs, plus our delay limit. Messages name the field.
    public func validate() throws(EconomyError) {
        let field = "parameters.governance."
        guard minimumDeposit.baseUnits > 0 else { throw .invalidParameter(field + "minimumDeposit must be greater than 0") }
        guard expeditedMinimumDeposit > minimumDeposit else {
            throw .invalidParameter(field + "expeditedMinimumDeposit must be greater than minimumDeposit")
        }
        for (name, value) in [("maxDepositPeriodEpochs", maxDepositPeriodEpochs), ("votingPeriodEpochs", votingPeriodEpochs),
                              ("expeditedVotingPeriodEpochs", expeditedVotingPeriodEpochs), ("timelockEpochs", timelockEpochs)] {
            guard value >= 1 else { throw .invalidParameter(field + name + " must be at least 1") }
            guard value <= EconomyParameters.maxDelayEpochs else {
                throw .parameterOutOfRange(field: field + name, value: value, limit: EconomyParameters.maxDelayEpochs)
            }
        }
        guard expeditedVotingPeriodEpochs < votingPeriodEpochs else {
            throw .invalidParameter(field + "expeditedVotingPeriodEpochs must be less than votingPeriodEpochs")
        }
        guard threshold.partsPerBillion > 0 else { throw .invalidParameter(field + "threshold must be greater than 0") }
        guard expeditedThreshold > threshold else { throw .invalidParameter(field + "expeditedThreshold must be greater than threshold") }
        guard vetoThreshold.partsPerBillion > 0 else { throw .invalidParameter(field + "vetoThreshold must be greater than 0") }
        guard EconomyState.isValidPoolName(burnPool) else {
            throw .invalidParameter(field + "burnPool must be a name of 1-64 letters, digits, '-', '_' or '.' other than \(EconomyState.reservedPoolNames.sorted())")
        }
    }
}

/// A typed parameter value. Its text form is the one `--set KEY=VALUE` accepts and `report --json` prints.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case amount(Amount)
    case count(UInt64)
    case fraction(Fraction)
    case flag(Bool)
    case pool(String)

    public var description: String {
        switch self {
        case .amount(let value): value.description
        case .count(let value): String(value)
        case .fraction(let value): value.description
        case .flag(let value): value ? "true" : "false"
        case .pool(let value): value
        }
    }
}

/// Every parameter a proposal can change, named as in the genesis `parameters` object with dots
/// ("slashing.downtime.fraction", "minimumStake.guardian", "governance.quorum", "snapshotSlotMillis").
public enum ParameterKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum SplitShare: String, Sendable, CaseIterable { case core, guardian, flexible, developers, userSupport }
    public enum PenaltyField: String, Sendable, CaseIterable { case fraction, jailEpochs, tombstone, correlated }
    public enum SlashingField: String, Sendable, CaseIterable {
        case escalationFactor, escalationWindowEpochs, tombstoneAfterOffences, correlationMultiplier, correlationWindowEpochs, destinationPool
    }
    public enum GovernanceField: String, Sendable, CaseIterable {
        case minimumDeposit, expeditedMinimumDeposit, maxDepositPeriodEpochs, votingPeriodEpochs, expeditedVotingPeriodEpochs
        case timelockEpochs, quorum, threshold, expeditedThreshold, vetoThreshold, burnDepositsOnVeto, burnDepositsOnNoQuorum
        case burnDepositsBelowMinimum, burnPool
    }

    case minimumStake(StakeRole)
    case unbondingEpochs
    case revenueSplit(SplitShare)
    case penalty(Offence, PenaltyField)
    case slashing(SlashingField)
    case governance(GovernanceField)
    case snapshotSlotMillis

    /// Every key, in a fixed order (the order of the report).
    public static let allKeys: [ParameterKey] = {
        var keys: [ParameterKey] = StakeRole.allCases.map { .minimumStake($0) } + [.unbondingEpochs]
        keys += SplitShare.allCases.map { .revenueSplit($0) }
        for offence in Offence.allCases { keys += PenaltyField.allCases.map { .penalty(offence, $0) } }
        keys += SlashingField.allCases.map { .slashing($0) }
        keys += GovernanceField.allCases.map { .governance($0) }
        return keys + [.snapshotSlotMillis]
    }()

    private static let byName: [String: ParameterKey] = Dictionary(uniqueKeysWithValues: allKeys.map { ($0.description, $0) })

    /// The key named `name`, or nil.
    public init?(name: String) {
        guard let key = ParameterKey.byName[name] else { return nil }
        self = key
    }

    public var description: String {
        switch self {
        case .minimumStake(let role): "minimumStake.\(role.rawValue)"
        case .unbondingEpochs: "unbondingEpochs"
        case .revenueSplit(let share): "revenueSplit.\(share.rawValue)"
        case .penalty(let offence, let field): "slashing.\(SlashingPolicy.key(for: offence)).\(field.rawValue)"
        case .slashing(let field): "slashing.\(field.rawValue)"
        case .governance(let field): "governance.\(field.rawValue)"
        case .snapshotSlotMillis: "snapshotSlotMillis"
        }
    }

    public static func < (a: ParameterKey, b: ParameterKey) -> Bool {
        allKeys.firstIndex(of: a)! < allKeys.firstIndex(of: b)!
    }

    /// Parses `text` as this key's type: an amount ("60000 ERA" or "60000"), a whole number without leading zeros,
    /// a fraction ("0.001"), true/false, or a pool name. Range rules are checked on the whole parameter set.
    public func parse(_ text: String) throws(EconomyError) -> ParameterValue {
        switch field.kind {
        case .amount:
            do { return .amount(try Amount(parsing: text)) } catch { throw .invalidProposal("\(self): \(error.description)") }
        case .count:
            guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  text == "0" || !text.hasPrefix("0"), let value = UInt64(text) else {
                throw .invalidProposal("\(self): '\(text)' is not a whole number (digits only, no leading zeros, below 2^64)")
            }
            return .count(value)
        case .fraction:
            do { return .fraction(try Fraction(parsing: text)) } catch {
                if case .invalidParameter(let detail) = error { throw .invalidProposal("\(self): \(detail)") }
                throw .invalidProposal("\(self): \(error.description)")
            }
        case .flag:
            switch text {
            case "true": return .flag(true)
            case "false": return .flag(false)
            default: throw .invalidProposal("\(self): '\(text)' is not true or false")
            }
        case .pool:
            guard EconomyState.isValidPoolName(text) else {
                throw .invalidProposal("\(self): '\(text)' is not a pool name (1-64 letters, digits, '-', '_' or '.', not \(EconomyState.reservedPoolNames.sorted()))")
            }
            return .pool(text)
        }
    }

    /// The value of this key in `parameters`.
    public func value(in p: EconomyParameters) -> ParameterValue { field.get(p) }

    /// Sets this key to `value` in `p`. The value's type must be the key's (``parse(_:)`` made it so).
    func set(_ value: ParameterValue, in p: inout EconomyParameters) { field.set(&p, value) }
}

/// One typed parameter change of a proposal: validated when parsed, applied when the proposal executes.
/// JSON: {"key": "slashing.downtime.fraction", "value": "0.001"} (the value in its text form, re-parsed on decoding).
public struct ParameterChange: Sendable, Hashable, Codable, CustomStringConvertible {
    public let key: ParameterKey
    public let value: ParameterValue

    public init(key: ParameterKey, value: ParameterValue) { self.key = key; self.value = value }

    /// Parses "KEY=VALUE" as given to `--set`.
    public init(parsing assignment: String) throws(EconomyError) {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw .invalidProposal("'\(assignment)' is not KEY=VALUE (e.g. slashing.downtime.fraction=0.001)")
        }
        try self.init(key: String(assignment[..<equals]), value: String(assignment[assignment.index(after: equals)...]))
    }

    public init(key name: String, value text: String) throws(EconomyError) {
        guard let key = ParameterKey(name: name) else { throw .unknownParameter(name) }
        self.key = key
        self.value = try key.parse(text)
    }

    public var description: String { "\(key)=\(value)" }

    private enum CodingKeys: String, CodingKey { case key, value }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.required(.key, String.self, expected: "a parameter name")
        let text = try c.required(.value, String.self, expected: "the value as text")
        do { try self.init(key: name, value: text) } catch { throw c.fieldError(.value, error.description) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key.description, forKey: .key)
        try c.encode(value.description, forKey: .value)
    }
}
