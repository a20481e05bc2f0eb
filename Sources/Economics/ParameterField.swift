// One parameter of the economy's configuration, written once: its type, where it lives in its section, and its
// genesis JSON form. Each section (revenue split, offence penalty, slashing, governance) lists its fields once;
// the genesis decoder and encoder, governance's `ParameterKey` (read, parse, set) and the report all go through
// that list, so adding a parameter is one line in one table.

/// The type of a parameter, which fixes its text form (`--set`, the report) and its JSON form (genesis).
enum ParameterKind: Equatable {
    /// An amount: "1000 ERA" in genesis JSON and in text.
    case amount
    /// A whole number; `unit` names what it counts in messages ("epochs", "basis points (0 to 10000)").
    case count(unit: String?)
    /// A fraction in [0, 1] with at most 9 decimals, a JSON string; `example` is shown in messages.
    case fraction(example: String)
    case flag
    /// A pool name (1-64 letters, digits, '-', '_' or '.').
    case pool

    /// What a genesis file must give, for error messages.
    var expected: String {
        switch self {
        case .amount: "an amount such as \"1000 ERA\""
        case .count(let unit): unit.map { "a whole number of \($0)" } ?? "a whole number"
        case .fraction(let example): "a fraction between 0 and 1 as a string, e.g. \"\(example)\""
        case .flag: "true or false"
        case .pool: "a pool name (string)"
        }
    }
}

/// One field of a parameter section `Root`: how to read it as a ``ParameterValue`` and how to write one back.
struct ParameterField<Root> {
    let name: String
    let kind: ParameterKind
    let get: (Root) -> ParameterValue
    /// Writes a value of this field's kind; a value of another kind is ignored (``ParameterKey/parse(_:)`` and the
    /// JSON decoder only make values of the field's kind).
    let set: (inout Root, ParameterValue) -> Void

    static func amount(_ name: String, _ path: WritableKeyPath<Root, Amount>) -> Self {
        Self(name: name, kind: .amount, get: { .amount($0[keyPath: path]) },
             set: { root, value in if case .amount(let v) = value { root[keyPath: path] = v } })
    }

    static func count(_ name: String, _ path: WritableKeyPath<Root, UInt64>, of unit: String? = nil) -> Self {
        Self(name: name, kind: .count(unit: unit), get: { .count($0[keyPath: path]) },
             set: { root, value in if case .count(let v) = value { root[keyPath: path] = v } })
    }

    static func fraction(_ name: String, _ path: WritableKeyPath<Root, Fraction>, example: String = "0.05") -> Self {
        Self(name: name, kind: .fraction(example: example), get: { .fraction($0[keyPath: path]) },
             set: { root, value in if case .fraction(let v) = value { root[keyPath: path] = v } })
    }

    static func flag(_ name: String, _ path: WritableKeyPath<Root, Bool>) -> Self {
        Self(name: name, kind: .flag, get: { .flag($0[keyPath: path]) },
             set: { root, value in if case .flag(let v) = value { root[keyPath: path] = v } })
    }

    static func pool(_ name: String, _ path: WritableKeyPath<Root, String>) -> Self {
        Self(name: name, kind: .pool, get: { .pool($0[keyPath: path]) },
             set: { root, value in if case .pool(let v) = value { root[keyPath: path] = v } })
    }

    /// The same field seen from a containing value (governance's fields from the whole parameter set).
    func lifted<Outer>(_ path: WritableKeyPath<Outer, Root>) -> ParameterField<Outer> {
        let (get, set) = (self.get, self.set)
        return ParameterField<Outer>(name: name, kind: kind, get: { get($0[keyPath: path]) },
                                     set: { outer, value in set(&outer[keyPath: path], value) })
    }
}

extension ParameterField {
    /// Reads `fields` from a JSON object onto `start`. With `required`, every field must be present; otherwise a
    /// missing key keeps `start`'s value (genesis files may omit any parameter). Errors name the field's path.
    static func decode(_ fields: [Self], from c: KeyedDecodingContainer<MemberKey>, onto start: Root, required: Bool) throws -> Root {
        var root = start
        for field in fields {
            let key = MemberKey(stringValue: field.name), expected = field.kind.expected
            let value: ParameterValue?
            switch field.kind {
            case .amount:
                if let text = try c.field(key, String.self, expected: expected) {
                    do { value = .amount(try Amount(parsing: text)) } catch { throw c.fieldError(key, error.description) }
                } else { value = nil }
            case .count: value = try c.field(key, UInt64.self, expected: expected).map { .count($0) }
            case .fraction: value = try c.field(key, Fraction.self, expected: expected).map { .fraction($0) }
            case .flag: value = try c.field(key, Bool.self, expected: expected).map { .flag($0) }
            case .pool: value = try c.field(key, String.self, expected: expected).map { .pool($0) }
            }
            if let value { field.set(&root, value) } else if required { throw c.fieldError(key, "missing; expected \(expected)") }
        }
        return root
    }

    /// Writes `fields` of `root` into a JSON object, in the table's order.
    static func encode(_ fields: [Self], of root: Root, to c: inout KeyedEncodingContainer<MemberKey>) throws {
        for field in fields {
            let key = MemberKey(stringValue: field.name)
            switch field.get(root) {
            case .amount(let v): try c.encode(v.description, forKey: key)
            case .count(let v): try c.encode(v, forKey: key)
            case .fraction(let v): try c.encode(v, forKey: key)
            case .flag(let v): try c.encode(v, forKey: key)
            case .pool(let v): try c.encode(v, forKey: key)
            }
        }
    }
}

/// The names of one section's fields (a `ParameterKey` enum): each case knows its field, and the cases in order are
/// the section's JSON object.
protocol ParameterFieldName: CaseIterable, RawRepresentable where RawValue == String {
    associatedtype Section
    var field: ParameterField<Section> { get }
}

extension ParameterFieldName {
    static var fields: [ParameterField<Section>] { allCases.map(\.field) }

    static func decode(from decoder: any Decoder, onto start: Section, required: Bool) throws -> Section {
        try ParameterField.decode(fields, from: decoder.container(keyedBy: MemberKey.self), onto: start, required: required)
    }

    static func encode(_ section: Section, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: MemberKey.self)
        try ParameterField.encode(fields, of: section, to: &c)
    }
}

// MARK: The sections' tables. Names are the genesis keys and the `ParameterKey` enums' raw values.

extension ParameterKey.SplitShare: ParameterFieldName {
    var field: ParameterField<RevenueSplit> {
        let bp = "basis points (0 to 10000)"
        return switch self {
        case .core: .count(rawValue, \.core, of: bp)
        case .guardian: .count(rawValue, \.guardian, of: bp)
        case .flexible: .count(rawValue, \.flexible, of: bp)
        case .developers: .count(rawValue, \.developers, of: bp)
        case .userSupport: .count(rawValue, \.userSupport, of: bp)
        }
    }
}

extension ParameterKey.PenaltyField: ParameterFieldName {
    var field: ParameterField<OffencePenalty> {
        switch self {
        case .fraction: .fraction(rawValue, \.fraction)
        case .jailEpochs: .count(rawValue, \.jailEpochs, of: "epochs")
        case .tombstone: .flag(rawValue, \.tombstone)
        case .correlated: .flag(rawValue, \.correlated)
        }
    }
}

extension ParameterKey.SlashingField: ParameterFieldName {
    var field: ParameterField<SlashingPolicy> {
        let epochs = "epochs"
        return switch self {
        case .escalationFactor: .count(rawValue, \.escalationFactor)
        case .escalationWindowEpochs: .count(rawValue, \.escalationWindowEpochs, of: epochs)
        case .tombstoneAfterOffences: .count(rawValue, \.tombstoneAfterOffences)
        case .correlationMultiplier: .count(rawValue, \.correlationMultiplier)
        case .destinationPool: .pool(rawValue, \.destinationPool)
        case .correlationWindowEpochs: .count(rawValue, \.correlationWindowEpochs, of: epochs)
        }
    }
}

extension ParameterKey.GovernanceField: ParameterFieldName {
    var field: ParameterField<GovernanceParameters> {
        let epochs = "epochs"
        return switch self {
        case .minimumDeposit: .amount(rawValue, \.minimumDeposit)
        case .expeditedMinimumDeposit: .amount(rawValue, \.expeditedMinimumDeposit)
        case .maxDepositPeriodEpochs: .count(rawValue, \.maxDepositPeriodEpochs, of: epochs)
        case .votingPeriodEpochs: .count(rawValue, \.votingPeriodEpochs, of: epochs)
        case .expeditedVotingPeriodEpochs: .count(rawValue, \.expeditedVotingPeriodEpochs, of: epochs)
        case .timelockEpochs: .count(rawValue, \.timelockEpochs, of: epochs)
        case .quorum: .fraction(rawValue, \.quorum, example: "0.334")
        case .threshold: .fraction(rawValue, \.threshold, example: "0.334")
        case .expeditedThreshold: .fraction(rawValue, \.expeditedThreshold, example: "0.334")
        case .vetoThreshold: .fraction(rawValue, \.vetoThreshold, example: "0.334")
        case .burnDepositsOnVeto: .flag(rawValue, \.burnDepositsOnVeto)
        case .burnDepositsOnNoQuorum: .flag(rawValue, \.burnDepositsOnNoQuorum)
        case .burnDepositsBelowMinimum: .flag(rawValue, \.burnDepositsBelowMinimum)
        case .burnPool: .pool(rawValue, \.burnPool)
        }
    }
}

extension EconomyParameters {
    /// A role's minimum bond, as a key path can name it (absent: zero).
    subscript(minimumStake role: StakeRole) -> Amount {
        get { minimum(for: role) }
        set { minimumStake[role] = newValue }
    }
}

extension ParameterKey {
    /// Where this key's value lives in a whole parameter set, and its type.
    var field: ParameterField<EconomyParameters> {
        switch self {
        case .minimumStake(let role): .amount(description, \.[minimumStake: role])
        case .unbondingEpochs: .count(description, \.unbondingEpochs, of: "epochs")
        case .revenueSplit(let share): share.field.lifted(\.revenueSplit)
        case .penalty(let offence, let field): field.field.lifted(\.slashing[penalty: offence])
        case .slashing(let field): field.field.lifted(\.slashing)
        case .governance(let field): field.field.lifted(\.governance)
        case .snapshotSlotMillis: .count(description, \.snapshotSlotMillis, of: "milliseconds")
        }
    }
}
