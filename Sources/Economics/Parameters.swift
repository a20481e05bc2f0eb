/// The node classes a stake can be bonded to. Each has its own minimum and its own share of revenue.
public enum StakeRole: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// A core execution node (default minimum 100,000 ERA).
    case core
    /// A flexible execution node (default minimum 50,000 ERA).
    case flexible
    /// A guardian of the metalayer, signing snapshots (default minimum 500,000 ERA).
    case guardian

    public var description: String { rawValue }
    public static func < (lhs: StakeRole, rhs: StakeRole) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The project's other name for a node class (STYLE.md uses `StakeClass`).
public typealias StakeClass = StakeRole

/// A ratio in [0, 1] held exactly as parts per billion, so that 0.01% (Cosmos Hub downtime) is 100,000 ppb.
public struct Fraction: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExplainsDecodingErrors {
    public static let denominator: UInt128 = 1_000_000_000
    public var partsPerBillion: UInt128

    public static let zero = Fraction(partsPerBillion: 0)
    public static let one = Fraction(partsPerBillion: denominator)

    public init(partsPerBillion: UInt128) { self.partsPerBillion = min(partsPerBillion, Fraction.denominator) }

    /// Parses "0.05", "0.0001", "1"; at most 9 decimals, at most 1.
    public init(parsing text: String) throws(EconomyError) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isDigits: (Substring) -> Bool = { $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        let whole = parts[0], fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.count <= 1, isDigits(whole), isDigits(fraction), fraction.count <= 9,
              parts.count == 1 || !fraction.isEmpty else {
            throw .invalidParameter("'\(text)' is not a fraction between 0 and 1 with at most 9 decimals (e.g. \"0.05\")")
        }
        let digits = whole + fraction + String(repeating: "0", count: 9 - fraction.count)
        let value = UInt128(digits)!
        guard value <= Fraction.denominator else {
            throw .invalidParameter("'\(text)' is greater than 1")
        }
        self.partsPerBillion = value
    }

    /// The shortest exact decimal form, e.g. "0.0001".
    public var description: String {
        if partsPerBillion == Fraction.denominator { return "1" }
        if partsPerBillion == 0 { return "0" }
        var digits = String(partsPerBillion)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "0." + digits
    }

    public static func < (lhs: Fraction, rhs: Fraction) -> Bool { lhs.partsPerBillion < rhs.partsPerBillion }

    /// floor(amount × self): rounding favours the holder of the amount.
    public func of(_ amount: Amount) -> Amount {
        // Cannot overflow: the quotient is at most `amount`.
        Amount(baseUnits: try! mulDiv(amount.baseUnits, partsPerBillion, Fraction.denominator))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try Fraction(parsing: text) } catch {
            let message: String
            if case .invalidParameter(let detail) = error { message = detail } else { message = error.description }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The kinds of harmful behaviour the chain punishes.
public enum Offence: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// A guardian signed two different snapshots at one height (Cosmos "double sign", Ethereum "double vote").
    case equivocation
    /// An execution node committed a state root that a fraud/validity check rejected.
    case invalidRoot = "invalid-root"
    /// The node missed too many duties (Cosmos "downtime": missed blocks in the signed-blocks window).
    case downtime
    /// The node withheld data it was obliged to publish or serve.
    case withholding

    public var description: String { rawValue }
}

/// What one kind of offence costs, before escalation and correlation.
public struct OffencePenalty: Sendable, Hashable, Codable {
    /// Share of the account's slashable stake (bonded + unbonding) taken on a first offence.
    public var fraction: Fraction
    /// Epochs the account is jailed for on a first offence (0: not jailed).
    public var jailEpochs: UInt64
    /// If true the account is tombstoned at once: jailed for ever, never eligible again (Cosmos double-sign).
    public var tombstone: Bool
    /// If true the Ethereum-style correlation penalty applies on top (offences that are dangerous when many
    /// nodes commit them together).
    public var correlated: Bool

    public init(fraction: Fraction, jailEpochs: UInt64, tombstone: Bool, correlated: Bool) {
        self.fraction = fraction; self.jailEpochs = jailEpochs; self.tombstone = tombstone; self.correlated = correlated
    }

    // A penalty given in genesis is given whole (the start value is never seen).
    public init(from decoder: any Decoder) throws {
        self = try ParameterKey.PenaltyField.decode(from: decoder, onto: SlashingPolicy.default.downtime, required: true)
    }
    public func encode(to encoder: any Encoder) throws { try ParameterKey.PenaltyField.encode(self, to: encoder) }
}

/// Progressive slashing: base penalties per offence, escalation for repeat offenders, correlation for
/// offences committed together, and where slashed tokens go. See docs/economics.md for sources.
public struct SlashingPolicy: Sendable, Hashable, Codable {
    public var equivocation: OffencePenalty
    public var invalidRoot: OffencePenalty
    public var downtime: OffencePenalty
    public var withholding: OffencePenalty
    /// Each prior offence of the same account within `escalationWindowEpochs` multiplies the fraction and
    /// jail time by this factor (fraction capped at 1).
    public var escalationFactor: UInt64
    public var escalationWindowEpochs: UInt64
    /// An account reaching this many offences inside the escalation window (this one included) is tombstoned.
    public var tombstoneAfterOffences: UInt64
    /// Ethereum's PROPORTIONAL_SLASHING_MULTIPLIER (3 since Bellatrix).
    public var correlationMultiplier: UInt64
    /// Epochs before the offence whose correlated slashings count towards the correlation penalty.
    public var correlationWindowEpochs: UInt64
    /// Where slashed tokens go: a pool of this name. "burned" means out of circulation for good.
    public var destinationPool: String

    public static let `default` = SlashingPolicy(
        equivocation: OffencePenalty(fraction: Fraction(partsPerBillion: 50_000_000), jailEpochs: 0, tombstone: true, correlated: true),
        invalidRoot: OffencePenalty(fraction: Fraction(partsPerBillion: 50_000_000), jailEpochs: 16, tombstone: false, correlated: true),
        downtime: OffencePenalty(fraction: Fraction(partsPerBillion: 100_000), jailEpochs: 1, tombstone: false, correlated: false),
        withholding: OffencePenalty(fraction: Fraction(partsPerBillion: 10_000_000), jailEpochs: 4, tombstone: false, correlated: true),
        escalationFactor: 2, escalationWindowEpochs: 64, tombstoneAfterOffences: 4,
        correlationMultiplier: 3, correlationWindowEpochs: 16, destinationPool: "burned")

    public init(equivocation: OffencePenalty, invalidRoot: OffencePenalty, downtime: OffencePenalty, withholding: OffencePenalty,
                escalationFactor: UInt64, escalationWindowEpochs: UInt64, tombstoneAfterOffences: UInt64,
                correlationMultiplier: UInt64, correlationWindowEpochs: UInt64, destinationPool: String) {
        self.equivocation = equivocation; self.invalidRoot = invalidRoot; self.downtime = downtime; self.withholding = withholding
        self.escalationFactor = escalationFactor; self.escalationWindowEpochs = escalationWindowEpochs
        self.tombstoneAfterOffences = tombstoneAfterOffences; self.correlationMultiplier = correlationMultiplier
        self.correlationWindowEpochs = correlationWindowEpochs; self.destinationPool = destinationPool
    }

    public func penalty(for offence: Offence) -> OffencePenalty { self[penalty: offence] }

    /// The genesis key of an offence's penalty ("invalidRoot"), for messages.
    static func key(for offence: Offence) -> String {
        switch offence {
        case .equivocation: "equivocation"
        case .invalidRoot: "invalidRoot"
        case .downtime: "downtime"
        case .withholding: "withholding"
        }
    }
}

extension SlashingPolicy {
    /// One offence's penalty, as a key path can name it.
    public subscript(penalty offence: Offence) -> OffencePenalty {
        get { self[keyPath: Self.path(of: offence)] }
        set { self[keyPath: Self.path(of: offence)] = newValue }
    }

    private static func path(of offence: Offence) -> WritableKeyPath<SlashingPolicy, OffencePenalty> {
        switch offence {
        case .equivocation: \.equivocation
        case .invalidRoot: \.invalidRoot
        case .downtime: \.downtime
        case .withholding: \.withholding
        }
    }

    // Every key optional: the penalties (objects, each given whole), then the scalar fields.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: MemberKey.self)
        var policy = SlashingPolicy.default
        for offence in Offence.allCases {
            let expected = "an object {\"fraction\", \"jailEpochs\", \"tombstone\", \"correlated\"}"
            if let penalty = try c.field(MemberKey(stringValue: Self.key(for: offence)), OffencePenalty.self, expected: expected) {
                policy[penalty: offence] = penalty
            }
        }
        self = try ParameterField.decode(ParameterKey.SlashingField.fields, from: c, onto: policy, required: false)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: MemberKey.self)
        for offence in Offence.allCases { try c.encode(self[penalty: offence], forKey: MemberKey(stringValue: Self.key(for: offence))) }
        try ParameterField.encode(ParameterKey.SlashingField.fields, of: self, to: &c)
    }
}

/// The revenue split of every epoch, in basis points of the revenue (must sum to 10,000).
public struct RevenueSplit: Sendable, Hashable, Codable {
    public var core: UInt64
    public var guardian: UInt64
    public var flexible: UInt64
    public var developers: UInt64
    public var userSupport: UInt64

    /// 40% core nodes / 25% guardians / 15% flexible nodes / 10% developers / 10% user support.
    public static let `default` = RevenueSplit(core: 4000, guardian: 2500, flexible: 1500, developers: 1000, userSupport: 1000)

    public init(core: UInt64, guardian: UInt64, flexible: UInt64, developers: UInt64, userSupport: UInt64) {
        self.core = core; self.guardian = guardian; self.flexible = flexible; self.developers = developers; self.userSupport = userSupport
    }

    public func basisPoints(for role: StakeRole) -> UInt64 {
        switch role {
        case .core: core
        case .flexible: flexible
        case .guardian: guardian
        }
    }

    // Every share is required: a split is only meaningful whole.
    public init(from decoder: any Decoder) throws {
        self = try ParameterKey.SplitShare.decode(from: decoder, onto: .default, required: true)
    }
    public func encode(to encoder: any Encoder) throws { try ParameterKey.SplitShare.encode(self, to: encoder) }
}

/// Every rule of the economy that is configuration rather than code. Defaults are documented in docs/economics.md.
public struct EconomyParameters: Sendable, Hashable, Codable {
    /// Minimum bond per role: flexible 50,000 ERA, core 100,000 ERA, guardian 500,000 ERA.
    public var minimumStake: [StakeRole: Amount]
    /// Epochs between `unstake` and the funds returning to the balance; slashable meanwhile.
    public var unbondingEpochs: UInt64
    public var revenueSplit: RevenueSplit
    public var slashing: SlashingPolicy
    /// The rules of governance itself (deposits, periods, tally thresholds, timelock); see Governance.swift.
    public var governance: GovernanceParameters
    /// Length of one guardian snapshot slot in milliseconds (default 12,000: Ethereum's SECONDS_PER_SLOT). The
    /// economy does not use it; guardian consensus reads the value in force from the ledger.
    public var snapshotSlotMillis: UInt64

    /// Bounds of ``snapshotSlotMillis``: 1 ms to one day.
    public static let snapshotSlotRange: ClosedRange<UInt64> = 1...86_400_000

    public static let `default` = EconomyParameters(
        minimumStake: [.flexible: try! Amount(era: 50_000), .core: try! Amount(era: 100_000), .guardian: try! Amount(era: 500_000)],
        unbondingEpochs: 7, revenueSplit: .default, slashing: .default)

    public init(minimumStake: [StakeRole: Amount], unbondingEpochs: UInt64, revenueSplit: RevenueSplit, slashing: SlashingPolicy,
                governance: GovernanceParameters = .default, snapshotSlotMillis: UInt64 = 12_000) {
        self.minimumStake = minimumStake; self.unbondingEpochs = unbondingEpochs
        self.revenueSplit = revenueSplit; self.slashing = slashing
        self.governance = governance; self.snapshotSlotMillis = snapshotSlotMillis
    }

    public func minimum(for role: StakeRole) -> Amount { minimumStake[role] ?? .zero }

    /// The longest delay a parameter can set, and the cap of an escalated jail: 10^12 epochs. With epochs below
    /// ``EconomyState/maxEpoch`` (10^15), every `epoch + delay` is exact in 64 bits and below 2^53.
    public static let maxDelayEpochs: UInt64 = 1_000_000_000_000

    /// Rejects parameter sets that would break an invariant (a split not summing to 100%, a zero escalation factor,
    /// a delay beyond ``maxDelayEpochs``…). Messages name the genesis field.
    public func validate() throws(EconomyError) {
        let s = revenueSplit
        for (name, bp) in [("core", s.core), ("guardian", s.guardian), ("flexible", s.flexible), ("developers", s.developers), ("userSupport", s.userSupport)]
            where bp > 10_000 {
            throw .parameterOutOfRange(field: "parameters.revenueSplit.\(name)", value: bp, limit: 10_000)
        }
        guard s.core + s.guardian + s.flexible + s.developers + s.userSupport == 10_000 else {
            throw .invalidParameter("parameters.revenueSplit must sum to 10000 basis points")
        }
        guard unbondingEpochs <= EconomyParameters.maxDelayEpochs else {
            throw .parameterOutOfRange(field: "parameters.unbondingEpochs", value: unbondingEpochs, limit: EconomyParameters.maxDelayEpochs)
        }
        for offence in Offence.allCases where slashing.penalty(for: offence).jailEpochs > EconomyParameters.maxDelayEpochs {
            throw .parameterOutOfRange(field: "parameters.slashing.\(SlashingPolicy.key(for: offence)).jailEpochs",
                                       value: slashing.penalty(for: offence).jailEpochs, limit: EconomyParameters.maxDelayEpochs)
        }
        guard slashing.escalationFactor >= 1 else { throw .invalidParameter("parameters.slashing.escalationFactor must be at least 1") }
        guard slashing.tombstoneAfterOffences >= 1 else { throw .invalidParameter("parameters.slashing.tombstoneAfterOffences must be at least 1") }
        guard EconomyState.isValidPoolName(slashing.destinationPool) else {
            throw .invalidParameter("parameters.slashing.destinationPool must be a name of 1-64 letters, digits, '-', '_' or '.' other than \(EconomyState.reservedPoolNames.sorted())")
        }
        guard EconomyParameters.snapshotSlotRange.contains(snapshotSlotMillis) else {
            throw .invalidParameter("parameters.snapshotSlotMillis must be between \(EconomyParameters.snapshotSlotRange.lowerBound) and \(EconomyParameters.snapshotSlotRange.upperBound) milliseconds")
        }
        try governance.validate()
    }

    private enum CodingKeys: String, CodingKey { case minimumStake, unbondingEpochs, revenueSplit, slashing, governance, snapshotSlotMillis }

    // Genesis files give amounts in ERA notation ("50000 ERA") and may omit any key.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EconomyParameters.default
        var minimums = d.minimumStake
        if let given = try c.field(.minimumStake, [String: String].self, expected: "an object {\"core\": \"AMOUNT\", …}") {
            for (key, text) in given {
                guard let role = StakeRole(rawValue: key) else {
                    throw c.fieldError(.minimumStake, "unknown role '\(key)'; expected core, flexible or guardian")
                }
                do { minimums[role] = try Amount(parsing: text) } catch {
                    throw c.fieldError(.minimumStake, member: key, error.description)
                }
            }
        }
        minimumStake = minimums
        unbondingEpochs = try c.field(.unbondingEpochs, expected: "a whole number of epochs") ?? d.unbondingEpochs
        revenueSplit = try c.field(.revenueSplit, expected: "an object of five basis-point counts") ?? d.revenueSplit
        slashing = try c.field(.slashing, expected: "an object (see docs/economics.md)") ?? d.slashing
        governance = try c.field(.governance, expected: "an object (see docs/economics.md, governance)") ?? d.governance
        snapshotSlotMillis = try c.field(.snapshotSlotMillis, expected: "a whole number of milliseconds") ?? d.snapshotSlotMillis
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var minimums: [String: String] = [:]
        for (role, amount) in minimumStake { minimums[role.rawValue] = amount.description }
        try c.encode(minimums, forKey: .minimumStake)
        try c.encode(unbondingEpochs, forKey: .unbondingEpochs)
        try c.encode(revenueSplit, forKey: .revenueSplit)
        try c.encode(slashing, forKey: .slashing)
        try c.encode(governance, forKey: .governance)
        try c.encode(snapshotSlotMillis, forKey: .snapshotSlotMillis)
    }
}
