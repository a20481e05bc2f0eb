import Merkle

/// A reproducible workload of random operations, shared by the property tests, the crash test's writer process,
/// the claims measurements and the benchmarks. It deliberately produces invalid operations too (amounts below
/// minimums, unknown accounts, over-large unstakes) so that refusals are exercised as much as successes.
public enum OperationWorkload {
    /// The same sequence on every platform for a given seed (SplitMix64, shared with the other layers).
    public typealias Random = SplitMix64

    /// A genesis for workloads: `count` stakers with 2,000,000 ERA each and a `fees` account with 100,000,000 ERA.
    public static func genesis(stakers count: Int, parameters: EconomyParameters = .default) -> Genesis {
        var accounts: [String: Amount] = ["fees": try! Amount(era: 100_000_000)]
        for i in 0..<count { accounts["s\(i)"] = try! Amount(era: 2_000_000) }
        return Genesis(accounts: accounts, parameters: parameters)
    }

    /// Decodes one random word into an operation over `accounts` (which should be sorted for reproducibility).
    public static func operation(from word: UInt64, accounts: [String], parameters: EconomyParameters = .default) -> EconomyOperation {
        var random = Random(seed: word)
        let pick = { (r: inout Random) -> String in
            if r.below(50) == 0 { return "nobody" }  // an unknown account, now and then
            return accounts.isEmpty ? "nobody" : accounts[Int(r.below(UInt64(accounts.count)))]
        }
        let role = StakeRole.allCases[Int(random.below(3))]
        let minimum = parameters.minimum(for: role).baseUnits
        let amount: Amount = {
            switch random.below(6) {
            case 0: return Amount(baseUnits: minimum == 0 ? 1 : minimum - 1)           // just below a minimum
            case 1: return Amount(baseUnits: minimum)                                  // exactly the minimum
            case 2: return Amount(baseUnits: minimum + UInt128(random.next()) * 7_919)  // a bit above, odd units
            case 3: return Amount(baseUnits: UInt128(random.next()) % 100_000_000_000_000_000_000_000)  // up to 100k ERA
            case 4: return Amount(baseUnits: UInt128(random.below(1000)))              // dust
            default: return Amount(baseUnits: UInt128(random.next()) << 20)            // large
            }
        }()
        switch random.below(100) {
        case 0..<30:
            return .stake(account: pick(&random), role: role, amount: amount)
        case 30..<44:
            return .unstake(account: pick(&random), role: role, amount: amount)
        case 44..<64:
            let revenue = Amount(baseUnits: UInt128(random.next() % 10_000_000_000_000_000_000) + UInt128(random.below(3)))
            return .distribute(revenue: revenue, payer: random.below(4) == 0 ? pick(&random) : "fees")
        case 64..<76:
            return .claim(account: pick(&random))
        case 76..<84:
            return .slash(account: pick(&random), offence: Offence.allCases[Int(random.below(4))])
        case 84..<94:
            return .advance(epochs: 1 + random.below(4))
        default:
            return .transfer(from: pick(&random), to: pick(&random), amount: Amount(baseUnits: amount.baseUnits / 3 + 1))
        }
    }
}

extension SplitMix64 {
    /// A value in 0..<bound (0 when bound is 0); the small modulo bias is irrelevant for workloads.
    public mutating func below(_ bound: UInt64) -> UInt64 { bound == 0 ? 0 : next() % bound }
}
