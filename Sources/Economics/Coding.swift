// JSON forms shared by every record of the module: 128-bit integers as decimal strings, and decoding errors that
// name the field ("parameters.unbondingEpochs: …") so that a bad genesis file says where it is wrong.

/// Parses the canonical decimal form of a 128-bit unsigned integer: ASCII digits only, no sign, no leading zero
/// (except "0" itself), so that every value has exactly one spelling.
func parseCanonicalDecimal(_ text: Substring, reporting original: String) throws(AmountError) -> UInt128 {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
        throw .malformed(original)
    }
    guard text.utf8.count == 1 || text.utf8.first != UInt8(ascii: "0") else { throw .leadingZero(original) }
    var value: UInt128 = 0
    for byte in text.utf8 {
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (next, o2) = times10.addingReportingOverflow(UInt128(byte - UInt8(ascii: "0")))
        if o1 || o2 { throw .overflow }
        value = next
    }
    return value
}

/// A value whose decoder explains its own failures ("'1.5' is greater than 1"): field errors quote it rather than
/// replacing it with what was expected.
protocol ExplainsDecodingErrors {}

/// A `UInt128` as JSON carries it: a decimal string, because JSON numbers cannot hold 128-bit integers exactly
/// (most readers turn them into doubles). The single Codable form of every 128-bit quantity in this module
/// (amounts, reward indexes). As a property wrapper (`@DecimalString var rewardIndex: UInt128`) it lets a
/// record keep its synthesised `Codable`.
@propertyWrapper
public struct DecimalString: Codable, Sendable, Hashable, ExplainsDecodingErrors {
    public var wrappedValue: UInt128

    public init(wrappedValue: UInt128) { self.wrappedValue = wrappedValue }
    public init(_ value: UInt128) { wrappedValue = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { wrappedValue = try parseCanonicalDecimal(Substring(text), reporting: text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error.description) (expected a decimal string of a 128-bit unsigned integer)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(wrappedValue))
    }
}

/// "parameters.slashing.downtime": the dotted path of a coding position, as a user would look for it in a file.
func fieldPath(_ path: [any CodingKey]) -> String {
    path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}

extension KeyedDecodingContainer {
    /// `decodeIfPresent`, with every failure reported as `path: what was expected` (a `dataCorrupted` error whose
    /// description names the field). Errors from deeper fields that already name themselves pass through.
    func field<T: Decodable>(_ key: Key, _ type: T.Type = T.self, expected: String) throws -> T? {
        do {
            return try decodeIfPresent(type, forKey: key)
        } catch let error as DecodingError {
            throw named(error, key, expected: expected, explains: T.self is any ExplainsDecodingErrors.Type)
        }
    }

    /// `decode` (the key must be present), with errors named as in ``field(_:_:expected:)``.
    func required<T: Decodable>(_ key: Key, _ type: T.Type = T.self, expected: String) throws -> T {
        guard let value = try field(key, type, expected: expected) else {
            throw fieldError(key, "missing; expected \(expected)")
        }
        return value
    }

    /// A `dataCorrupted` error for `key` (or its member `member`) whose message starts with the field's path.
    func fieldError(_ key: Key, member: String? = nil, _ message: String) -> DecodingError {
        var path: [any CodingKey] = codingPath + [key]
        if let member { path.append(MemberKey(stringValue: member)) }
        return .dataCorrupted(.init(codingPath: path, debugDescription: "\(fieldPath(path)): \(message)"))
    }

    private func named(_ error: DecodingError, _ key: Key, expected: String, explains: Bool) -> DecodingError {
        let own = codingPath.count + 1
        switch error {
        case .dataCorrupted(let context) where context.codingPath.count > own:
            return error  // a deeper field, named by its own decoder
        case .dataCorrupted(let context) where context.debugDescription.hasPrefix(fieldPath(context.codingPath) + ":"):
            return error
        case .dataCorrupted(let context) where explains:
            // The value's own decoder said what is wrong with it (e.g. "'1.5' is greater than 1").
            return fieldError(key, context.debugDescription)
        case .keyNotFound(let missing, let context):
            return .dataCorrupted(.init(codingPath: context.codingPath + [missing],
                                        debugDescription: "\(fieldPath(context.codingPath + [missing])): missing"))
        default:
            return fieldError(key, "expected \(expected)")
        }
    }
}

/// A dictionary member's name as a coding key (an account in `accounts`, a role in `minimumStake`).
struct MemberKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
