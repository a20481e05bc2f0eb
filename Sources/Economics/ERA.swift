/// ERA amounts in base units (1 ERA = 10^18, `Amount.unitsPerERA`), with the role minimums taken from the
/// default economics parameters, so that the scheduler, the metalayer and the ledger cannot disagree on who may
/// serve or sign. The one definition for every layer.
public enum ERA {
    public static let baseUnitsPerERA: UInt128 = Amount.unitsPerERA
    /// Minimum stake of a core node (100,000 ERA by default).
    public static let coreMinimumStake: UInt128 = EconomyParameters.default.minimum(for: .core).baseUnits
    /// Minimum stake of a flexible node (50,000 ERA by default).
    public static let flexibleMinimumStake: UInt128 = EconomyParameters.default.minimum(for: .flexible).baseUnits
    /// Minimum stake of a guardian of the metalayer (500,000 ERA by default).
    public static let guardianMinimumStake: UInt128 = EconomyParameters.default.minimum(for: .guardian).baseUnits
    /// `era` whole ERA in base units.
    public static func units(_ era: UInt64) -> UInt128 { UInt128(era) * baseUnitsPerERA }
}
