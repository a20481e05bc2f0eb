// Economics: the ERA token's money-handling core for Caldera — exact amounts, staking by node class,
// progressive slashing, F1-style revenue distribution, and a durable SQLite ledger. The state machine
// (`EconomyState`) is pure and deterministic; `Ledger` is the only part that does I/O. No floating point
// is used anywhere in this module: every quantity is an integer number of base units (1 ERA = 10^18).

/// Errors in reading or computing an amount of ERA. Arithmetic never wraps: it fails with one of these.
public enum AmountError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not a decimal amount such as "150000 ERA" or "0.5".
    case malformed(String)
    /// A zero before other digits of the integer part ("007 ERA"): refused so that every amount has one spelling
    /// and a typo is not silently read as a different number.
    case leadingZero(String)
    /// More than 18 digits after the decimal point: the value is finer than one base unit.
    case tooManyDecimals(String)
    /// The value does not fit in 128 bits of base units.
    case overflow
    /// A subtraction would go below zero.
    case negativeResult

    public var description: String {
        switch self {
        case .malformed(let text): "'\(text)' is not an amount; write a non-negative decimal number of ERA such as \"150000 ERA\" or \"0.000000000000000001 ERA\""
        case .leadingZero(let text): "'\(text)' has a leading zero; write the whole part without leading zeros, e.g. \"7 ERA\" or \"0.5 ERA\""
        case .tooManyDecimals(let text): "'\(text)' has more than \(Amount.decimals) decimal places; the smallest unit is 0.000000000000000001 ERA"
        case .overflow: "amount overflows the 128-bit range of base units"
        case .negativeResult: "the result would be negative"
        }
    }
}

/// A non-negative quantity of ERA, held exactly as an integer number of base units (18 decimals).
///
/// Arithmetic is checked: overflow and negative results throw ``AmountError`` instead of wrapping, so a bug
/// shows up as an error rather than as silently created or destroyed money.
public struct Amount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExplainsDecodingErrors {
    /// Digits after the decimal point in the human notation.
    public static let decimals = 18
    /// Base units per whole ERA (10^18).
    public static let unitsPerERA: UInt128 = 1_000_000_000_000_000_000

    /// The value in base units.
    public var baseUnits: UInt128

    public static let zero = Amount(baseUnits: 0)

    public init(baseUnits: UInt128) { self.baseUnits = baseUnits }

    /// Whole ERA; throws if `era` × 10^18 does not fit.
    public init(era: UInt128) throws(AmountError) {
        let (value, overflow) = era.multipliedReportingOverflow(by: Amount.unitsPerERA)
        if overflow { throw .overflow }
        self.baseUnits = value
    }

    /// Parses "1234.5 ERA", "1234.5", "0.000000000000000001 ERA". The " ERA" suffix is optional; nothing else
    /// is accepted (no sign, exponent, separators, leading zeros such as "007", or more than 18 decimals —
    /// rounding would be silent).
    public init(parsing text: String) throws(AmountError) {
        var body = Substring(text)
        if body.hasSuffix(" ERA") { body = body.dropLast(4) }
        guard !body.isEmpty else { throw .malformed(text) }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        let isDigits: (Substring) -> Bool = { $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        guard !whole.isEmpty, isDigits(whole), isDigits(fraction), parts.count == 1 || !fraction.isEmpty else {
            throw .malformed(text)
        }
        guard whole.utf8.count == 1 || whole.utf8.first != UInt8(ascii: "0") else { throw .leadingZero(text) }
        guard fraction.count <= Amount.decimals else { throw .tooManyDecimals(text) }
        // The whole part has no leading zero, so whole + padded fraction is canonical unless it is all zeros.
        let digits = whole + fraction + String(repeating: "0", count: Amount.decimals - fraction.count)
        let significant = digits.drop { $0 == "0" }
        self.baseUnits = significant.isEmpty ? 0 : try parseCanonicalDecimal(significant, reporting: text)
    }

    /// Parses a plain decimal count of base units ("1500000000000000000"), the form used in JSON reports.
    /// Canonical only: no leading zeros.
    public init(parsingBaseUnits text: String) throws(AmountError) {
        self.baseUnits = try parseCanonicalDecimal(Substring(text), reporting: text)
    }

    /// "1234.5 ERA": the shortest exact decimal form, with trailing zeros of the fraction removed.
    public var description: String {
        let whole = baseUnits / Amount.unitsPerERA
        let fraction = baseUnits % Amount.unitsPerERA
        if fraction == 0 { return "\(whole) ERA" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: Amount.decimals - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits) ERA"
    }

    /// The base units as a decimal string, the form used in JSON.
    public var baseUnitsString: String { String(baseUnits) }

    public static func < (lhs: Amount, rhs: Amount) -> Bool { lhs.baseUnits < rhs.baseUnits }

    /// `self + other`, or ``AmountError/overflow``.
    public func adding(_ other: Amount) throws(AmountError) -> Amount {
        let (sum, overflow) = baseUnits.addingReportingOverflow(other.baseUnits)
        if overflow { throw .overflow }
        return Amount(baseUnits: sum)
    }

    /// `self - other`, or ``AmountError/negativeResult``.
    public func subtracting(_ other: Amount) throws(AmountError) -> Amount {
        guard other.baseUnits <= baseUnits else { throw .negativeResult }
        return Amount(baseUnits: baseUnits - other.baseUnits)
    }

    /// floor(self × numerator / denominator), exact for any inputs: the product is formed in 256 bits.
    /// Throws ``AmountError/overflow`` only if the quotient itself exceeds 128 bits.
    public func scaled(by numerator: UInt128, over denominator: UInt128) throws(AmountError) -> Amount {
        Amount(baseUnits: try mulDiv(baseUnits, numerator, denominator))
    }

    // Codable as a decimal string of base units (see `DecimalString`).
    public init(from decoder: any Decoder) throws { baseUnits = try DecimalString(from: decoder).wrappedValue }
    public func encode(to encoder: any Encoder) throws { try DecimalString(baseUnits).encode(to: encoder) }
}

/// floor(a × b / d) with a 256-bit intermediate product; throws if d is zero or the quotient needs more than 128 bits.
@inlinable
func mulDiv(_ a: UInt128, _ b: UInt128, _ d: UInt128) throws(AmountError) -> UInt128 {
    guard d != 0 else { throw .overflow }
    let product = a.multipliedFullWidth(by: b)
    // dividingFullWidth traps when the quotient does not fit; the quotient fits exactly when high < d.
    guard product.high < d else { throw .overflow }
    return d.dividingFullWidth((high: product.high, low: product.low)).quotient
}

extension Sequence where Element == Amount {
    /// The checked sum of the amounts.
    public func sum() throws(AmountError) -> Amount {
        var total = Amount.zero
        for amount in self { total = try total.adding(amount) }
        return total
    }
}
