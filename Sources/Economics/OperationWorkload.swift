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

extension OperationWorkload {
    /// Governance mixed into the economy's workload: about a third of the words become a proposal (4%), a deposit (4%)
    /// or a vote (27%, half of them yes) on one of the two latest proposals or the next id (so an unknown id appears),
    /// the rest an `operation(from:)`.
    /// Proposals carry random changes from a menu that includes refused ones (a split off 100%, a guardian minimum
    /// above every guardian's bond, a voting period not above the expedited one) and guardian-set edits.
    public static func governedOperation(from word: UInt64, accounts: [String], proposals: UInt64,
                                         parameters: EconomyParameters = .default) -> EconomyOperation {
        var random = Random(seed: word ^ 0x9E37_79B9_7F4A_7C15)
        let choice = random.below(100)
        guard choice < 35 else { return operation(from: random.next(), accounts: accounts, parameters: parameters) }
        let pick = { (r: inout Random) -> String in
            if r.below(50) == 0 { return "nobody" }
            return accounts.isEmpty ? "nobody" : accounts[Int(r.below(UInt64(accounts.count)))]
        }
        let proposal = proposals + 1 - min(random.below(3), proposals)
        let rules = parameters.governance
        let amount: Amount = {
            switch random.below(5) {
            case 0: return Amount(baseUnits: UInt128(1 + random.below(1_000)))                          // dust
            case 1: return rules.minimumDeposit                                                       // exactly the minimum
            case 2: return Amount(baseUnits: rules.minimumDeposit.baseUnits / 2 + UInt128(random.next() % 1_000_000))
            case 3: return rules.expeditedMinimumDeposit
            default: return Amount(baseUnits: UInt128(random.next()) << 12)                           // up to ~17,000 ERA
            }
        }()
        switch choice {
        case 0..<4:
            return .propose(account: pick(&random), content: proposalContent(&random, accounts: accounts), deposit: amount,
                            expedited: random.below(4) == 0)
        case 4..<8:
            return .deposit(account: pick(&random), proposal: proposal, amount: amount)
        default:
            let option: VoteOption = [.yes, .yes, .yes, .yes, .yes, .no, .no, .abstain, .veto, .veto][Int(random.below(10))]
            return .vote(account: pick(&random), proposal: proposal, option: option)
        }
    }

    static func proposalContent(_ random: inout Random, accounts: [String]) -> ProposalContent {
        var content = ProposalContent()
        var used: Set<ParameterKey> = []
        func add(_ key: ParameterKey, _ value: ParameterValue) {
            if used.insert(key).inserted { content.changes.append(ParameterChange(key: key, value: value)) }
        }
        for _ in 0..<random.below(3) {
            switch random.below(10) {
            case 0: add(.penalty(.downtime, .fraction), .fraction(Fraction(partsPerBillion: [100_000, 1_000_000, 10_000_000, 1_000_000_000][Int(random.below(4))])))
            case 1: add(.minimumStake(.guardian), .amount(try! Amount(era: [1, 500_000, 1_000_000, 3_000_000][Int(random.below(4))])))
            case 2: add(.minimumStake(.core), .amount(try! Amount(era: [50_000, 100_000, 150_000][Int(random.below(3))])))
            case 3:  // a valid pair, or half of it (a split off 100%, refused)
                add(.revenueSplit(.core), .count(3_500))
                if random.below(3) != 0 { add(.revenueSplit(.developers), .count(1_500)) }
            case 4: add(.unbondingEpochs, .count(random.below(10)))
            case 5: add(.governance(.votingPeriodEpochs), .count(1 + random.below(4)))  // 1 is refused (expedited is 1)
            case 6: add(.governance(.quorum), .fraction(Fraction(partsPerBillion: [334_000_000, 500_000_000, 1_000_000_000][Int(random.below(3))])))
            case 7: add(.snapshotSlotMillis, .count([0, 6_000, 12_000][Int(random.below(3))]))  // 0 is refused
            case 8: if !accounts.isEmpty { content.guardianAdditions.append(accounts[Int(random.below(UInt64(accounts.count)))]) }
            default: if !accounts.isEmpty { content.guardianRemovals.append(accounts[Int(random.below(UInt64(accounts.count)))]) }
            }
        }
        if content.changes.isEmpty && !content.changesGuardianSet || random.below(3) == 0 { content.text = "signal \(random.below(1_000))" }
        return content
    }
}
