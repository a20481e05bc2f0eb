/// A stake bonded by one account to one role, with its position in the role's reward accumulator.
public struct Bond: Sendable, Hashable, Codable {
    public internal(set) var amount: Amount
    /// The class's reward index when this bond's rewards were last settled (F1's "starting period").
    public internal(set) var rewardIndexAtEntry: UInt128
    /// Whether `amount` is currently part of the class's active stake (earning rewards). Kept explicitly so
    /// that a bond's status change (jail, slash below the minimum) is one well-defined step.
    public internal(set) var counted: Bool

    // The index is a 128-bit integer: JSON carries it as a decimal string.
    private enum CodingKeys: String, CodingKey { case amount, rewardIndexAtEntry, counted }
    init(amount: Amount, rewardIndexAtEntry: UInt128, counted: Bool) {
        self.amount = amount; self.rewardIndexAtEntry = rewardIndexAtEntry; self.counted = counted
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        amount = try c.decode(Amount.self, forKey: .amount)
        rewardIndexAtEntry = try decodeUInt128(c, .rewardIndexAtEntry)
        counted = try c.decode(Bool.self, forKey: .counted)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(amount, forKey: .amount)
        try c.encode(String(rewardIndexAtEntry), forKey: .rewardIndexAtEntry)
        try c.encode(counted, forKey: .counted)
    }
}

func decodeUInt128<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> UInt128 {
    let text = try c.decode(String.self, forKey: key)
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt128(text) else {
        throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not a 128-bit unsigned integer")
    }
    return value
}

/// Stake on its way out: still slashable until `completesAtEpoch`, when it returns to the balance.
public struct UnbondingEntry: Sendable, Hashable, Codable {
    public internal(set) var role: StakeRole
    public internal(set) var amount: Amount
    public internal(set) var completesAtEpoch: UInt64
}

/// Everything the economy knows about one account.
public struct Account: Sendable, Hashable, Codable {
    public internal(set) var id: String
    /// Liquid tokens.
    public internal(set) var balance: Amount
    public internal(set) var bonds: [StakeRole: Bond]
    public internal(set) var unbonding: [UnbondingEntry]
    /// Rewards already taken out of the class accumulators but not yet claimed into the balance.
    public internal(set) var settledRewards: Amount
    /// Jailed while `epoch < jailedUntilEpoch`; nil when free.
    public internal(set) var jailedUntilEpoch: UInt64?
    /// Permanently banned from every role.
    public internal(set) var tombstoned: Bool
    /// Epochs of this account's offences inside the escalation window (older ones are forgotten).
    public internal(set) var offenceEpochs: [UInt64]

    init(id: String, balance: Amount) {
        self.id = id; self.balance = balance; bonds = [:]; unbonding = []; settledRewards = .zero
        jailedUntilEpoch = nil; tombstoned = false; offenceEpochs = []
    }

    public func bonded(_ role: StakeRole) -> Amount { bonds[role]?.amount ?? .zero }
}

extension StakeRole: CodingKeyRepresentable {}

/// One node class's lazy reward accumulator (Cosmos F1): revenue per unit of active stake, scaled by 10^27.
public struct RewardClass: Sendable, Hashable, Codable {
    /// Sum of the counted bonds of this class.
    public internal(set) var activeStake: Amount
    /// Σ over distributions of floor(share × 10^27 / activeStake): base units of reward per base unit staked, × 10^27.
    public internal(set) var rewardIndex: UInt128
    /// Rewards credited to this class and not yet settled to an account. Holds at least everything owed to its
    /// bonds; the excess is rounding dust, reported as the `rewardRounding` pool.
    public internal(set) var outstanding: Amount

    static let empty = RewardClass(activeStake: .zero, rewardIndex: 0, outstanding: .zero)

    private enum CodingKeys: String, CodingKey { case activeStake, rewardIndex, outstanding }
    init(activeStake: Amount, rewardIndex: UInt128, outstanding: Amount) {
        self.activeStake = activeStake; self.rewardIndex = rewardIndex; self.outstanding = outstanding
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        activeStake = try c.decode(Amount.self, forKey: .activeStake)
        rewardIndex = try decodeUInt128(c, .rewardIndex)
        outstanding = try c.decode(Amount.self, forKey: .outstanding)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(activeStake, forKey: .activeStake)
        try c.encode(String(rewardIndex), forKey: .rewardIndex)
        try c.encode(outstanding, forKey: .outstanding)
    }
}

/// A correlated slashing remembered for Ethereum's correlation penalty.
public struct RecentSlash: Sendable, Hashable, Codable {
    public var epoch: UInt64
    /// The offender's whole slashable stake at the time (what Ethereum adds to its `slashings` vector).
    public var stake: Amount
}

/// One node eligible for duties at an epoch, weighted by its bonded stake.
public struct EligibleNode: Sendable, Hashable, Codable {
    public var account: String
    public var stake: Amount
}

/// The whole economy as a pure value: `apply(_:)` is its only way to change, and it does no I/O.
///
/// Conservation: `totalSupply = Σ balances + Σ bonds + Σ unbonding + Σ pools + Σ settled rewards + Σ class
/// outstanding`, checked by ``checkInvariants()``. Operations validate everything that can fail before the
/// first mutation, so a refused operation leaves the state untouched.
public struct EconomyState: Sendable, Hashable {
    /// Reward indexes are scaled by 10^27 so that a distribution loses less than one base unit to rounding
    /// for any class holding less than 10^27 base units (10^9 ERA) of stake.
    public static let rewardIndexScale: UInt128 = 1_000_000_000_000_000_000_000_000_000
    /// Pool names the economy itself uses.
    public static let developersPool = "developers"
    public static let userSupportPool = "userSupport"
    /// Remainders of a distribution (indivisible base units, shares of classes without stake) for the next epoch.
    public static let carryPool = "carry"
    /// Report-only pool: the F1 rounding dust inside class accumulators, owed to nobody yet.
    public static let rewardRoundingPool = "rewardRounding"
    public static let reservedPoolNames: Set<String> = [developersPool, userSupportPool, carryPool, rewardRoundingPool]

    public internal(set) var parameters: EconomyParameters
    public internal(set) var epoch: UInt64
    /// Fixed at genesis: slashing moves tokens to a pool (named `burned` by default), it does not destroy them.
    public internal(set) var totalSupply: Amount
    public internal(set) var accounts: [String: Account]
    public internal(set) var classes: [StakeRole: RewardClass]
    public internal(set) var pools: [String: Amount]
    public internal(set) var totalBonded: Amount
    public internal(set) var totalUnbonding: Amount
    public internal(set) var recentSlashes: [RecentSlash]
    /// Number of operations applied since genesis; the journal's sequence number of the last one.
    public internal(set) var operationCount: UInt64

    // Derived indexes so that `advance` costs O(jailed + unbonding accounts), not O(accounts). Not persisted.
    var jailedAccounts: Set<String> = []
    var unbondingAccounts: Set<String> = []

    /// The economy at genesis: every genesis token in a balance, all pools empty.
    public init(genesis: Genesis) throws(EconomyError) {
        try genesis.parameters.validate()
        parameters = genesis.parameters
        epoch = 0
        var supply = Amount.zero
        accounts = [:]
        for (name, amount) in genesis.accounts {
            guard EconomyState.isValidAccountName(name) else { throw .invalidAccountName(name) }
            do { supply = try supply.adding(amount) } catch { throw .invalidGenesis("the total supply overflows 128 bits") }
            accounts[name] = Account(id: name, balance: amount)
        }
        totalSupply = supply
        classes = Dictionary(uniqueKeysWithValues: StakeRole.allCases.map { ($0, RewardClass.empty) })
        pools = [EconomyState.developersPool: .zero, EconomyState.userSupportPool: .zero, EconomyState.carryPool: .zero,
                 genesis.parameters.slashing.destinationPool: .zero]
        totalBonded = .zero
        totalUnbonding = .zero
        recentSlashes = []
        operationCount = 0
    }

    /// 1–64 characters from [A-Za-z0-9._-]: safe in files, tables and command lines.
    public static func isValidAccountName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count) else { return false }
        return name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x2D || c == 0x5F
        }
    }

    // MARK: - Applying operations

    /// Applies one operation. Either succeeds and returns what happened, or throws and changes nothing.
    @discardableResult
    public mutating func apply(_ operation: EconomyOperation) throws(EconomyError) -> [EconomyEvent] {
        let events: [EconomyEvent]
        switch operation {
        case .stake(let account, let role, let amount): events = try stake(account, role, amount)
        case .unstake(let account, let role, let amount): events = try unstake(account, role, amount)
        case .distribute(let revenue, let payer): events = try distribute(revenue, from: payer)
        case .claim(let account): events = try claim(account)
        case .slash(let account, let offence): events = try slash(account, offence)
        case .advance(let epochs): events = try advance(epochs)
        case .transfer(let from, let to, let amount): events = try transfer(from, to, amount)
        }
        operationCount += 1
        return events
    }

    private func existing(_ id: String) throws(EconomyError) -> Account {
        guard let account = accounts[id] else { throw .unknownAccount(id) }
        return account
    }

    private func isActive(_ account: Account, _ role: StakeRole, _ amount: Amount) -> Bool {
        !account.tombstoned && account.jailedUntilEpoch == nil && amount.baseUnits > 0 && amount >= parameters.minimum(for: role)
    }

    /// Rewards a bond has earned since its last settlement: floor(amount × (index − entry) / 10^27).
    func owed(_ bond: Bond, in rewardClass: RewardClass) -> Amount {
        guard bond.counted else { return .zero }
        // Cannot overflow for a consistent state: the result is at most the class's outstanding rewards.
        let delta = rewardClass.rewardIndex - bond.rewardIndexAtEntry
        return Amount(baseUnits: (try? mulDiv(bond.amount.baseUnits, delta, EconomyState.rewardIndexScale)) ?? 0)
    }

    /// The single place where a bond changes. F1's rule: settle the bond's rewards at the old stake, take it out
    /// of the class's active stake, apply the change, then put it back if it is (still) active. The account's
    /// jail/tombstone status must already be updated in `accounts` before calling.
    private mutating func rebond(_ id: String, _ role: StakeRole, _ change: (inout Amount) -> Void) {
        guard var account = accounts[id] else { return }
        var rewardClass = classes[role] ?? .empty
        var bond = account.bonds[role] ?? Bond(amount: .zero, rewardIndexAtEntry: rewardClass.rewardIndex, counted: false)
        if bond.counted {
            let reward = owed(bond, in: rewardClass)
            account.settledRewards.baseUnits += reward.baseUnits
            rewardClass.outstanding.baseUnits -= reward.baseUnits
            rewardClass.activeStake.baseUnits -= bond.amount.baseUnits
        }
        bond.rewardIndexAtEntry = rewardClass.rewardIndex
        bond.counted = false
        let before = bond.amount
        change(&bond.amount)
        if bond.amount >= before { totalBonded.baseUnits += bond.amount.baseUnits - before.baseUnits }
        else { totalBonded.baseUnits -= before.baseUnits - bond.amount.baseUnits }
        if isActive(account, role, bond.amount) {
            rewardClass.activeStake.baseUnits += bond.amount.baseUnits
            bond.counted = true
        }
        account.bonds[role] = bond.amount.baseUnits == 0 ? nil : bond
        if rewardClass.activeStake.baseUnits == 0 && rewardClass.outstanding.baseUnits > 0 {
            // No bond is counted, so nothing is owed: what remains is rounding dust. Send it round again.
            pools[EconomyState.carryPool, default: .zero].baseUnits += rewardClass.outstanding.baseUnits
            rewardClass.outstanding = .zero
        }
        classes[role] = rewardClass
        accounts[id] = account
    }

    private mutating func stake(_ id: String, _ role: StakeRole, _ amount: Amount) throws(EconomyError) -> [EconomyEvent] {
        let account = try existing(id)
        guard !account.tombstoned else { throw .tombstoned(id) }
        guard amount.baseUnits > 0 else { throw .zeroAmount("the stake") }
        guard account.balance >= amount else { throw .insufficientBalance(account: id, needed: amount, available: account.balance) }
        let resulting: Amount
        do { resulting = try account.bonded(role).adding(amount) } catch { throw .amount(error) }
        let minimum = parameters.minimum(for: role)
        guard resulting >= minimum else { throw .belowMinimum(role: role, resulting: resulting, minimum: minimum) }

        accounts[id]!.balance.baseUnits -= amount.baseUnits
        rebond(id, role) { $0 = resulting }
        return [.staked(account: id, role: role, amount: amount, bonded: resulting)]
    }

    private mutating func unstake(_ id: String, _ role: StakeRole, _ amount: Amount) throws(EconomyError) -> [EconomyEvent] {
        let account = try existing(id)
        guard amount.baseUnits > 0 else { throw .zeroAmount("the amount to unstake") }
        let bonded = account.bonded(role)
        guard amount <= bonded else { throw .insufficientBond(account: id, role: role, requested: amount, bonded: bonded) }
        let remaining = Amount(baseUnits: bonded.baseUnits - amount.baseUnits)
        let minimum = parameters.minimum(for: role)
        guard remaining.baseUnits == 0 || remaining >= minimum else {
            throw .wouldLeaveBelowMinimum(account: id, role: role, remaining: remaining, minimum: minimum)
        }

        rebond(id, role) { $0 = remaining }
        if parameters.unbondingEpochs == 0 {
            accounts[id]!.balance.baseUnits += amount.baseUnits
            return [.unbondingStarted(account: id, role: role, amount: amount, completesAtEpoch: epoch),
                    .unbondingCompleted(account: id, role: role, amount: amount)]
        }
        let completes = epoch.addingReportingOverflow(parameters.unbondingEpochs)
        // Clamped to the last epoch time can reach, or these funds could never be released (review finding).
        let completesAt = min(completes.overflow ? UInt64.max : completes.partialValue, EconomyState.maxEpoch)
        accounts[id]!.unbonding.append(UnbondingEntry(role: role, amount: amount, completesAtEpoch: completesAt))
        totalUnbonding.baseUnits += amount.baseUnits
        unbondingAccounts.insert(id)
        return [.unbondingStarted(account: id, role: role, amount: amount, completesAtEpoch: completesAt)]
    }

    /// The split of one distribution, computed before anything is mutated.
    struct DistributionPlan {
        var credited: [StakeRole: Amount] = [:]
        var newIndex: [StakeRole: UInt128] = [:]
        var developers = Amount.zero
        var userSupport = Amount.zero
        var carriedOut = Amount.zero
    }

    /// Splits `revenue + carry` by the configured basis points. Each share is floor(total × bp / 10000); the
    /// (at most 4 base units of) remainder carries to the next epoch, as does the share of a class without active
    /// stake. A class's whole share enters its accumulator: the index grows by floor(share × 10^27 / activeStake),
    /// and the under-one-base-unit that this floor leaves unattributed stays in the class's outstanding rewards as
    /// rounding dust (reported as the `rewardRounding` pool, swept to `carry` when the class empties). O(classes).
    func planDistribution(of total: Amount) throws(EconomyError) -> DistributionPlan {
        var plan = DistributionPlan()
        let split = parameters.revenueSplit
        func share(_ bp: UInt64) -> Amount { Amount(baseUnits: try! mulDiv(total.baseUnits, UInt128(bp), 10_000)) }
        plan.developers = share(split.developers)
        plan.userSupport = share(split.userSupport)
        var allocated = plan.developers.baseUnits + plan.userSupport.baseUnits
        for role in StakeRole.allCases {
            let roleShare = share(split.basisPoints(for: role))
            allocated += roleShare.baseUnits
            let rewardClass = classes[role] ?? .empty
            guard rewardClass.activeStake.baseUnits > 0 else {
                plan.carriedOut.baseUnits += roleShare.baseUnits
                continue
            }
            let delta: UInt128
            do { delta = try mulDiv(roleShare.baseUnits, EconomyState.rewardIndexScale, rewardClass.activeStake.baseUnits) }
            catch { throw .accumulatorOverflow(role) }
            let (index, overflow) = rewardClass.rewardIndex.addingReportingOverflow(delta)
            if overflow { throw .accumulatorOverflow(role) }
            plan.newIndex[role] = index
            plan.credited[role] = roleShare
        }
        plan.carriedOut.baseUnits += total.baseUnits - allocated
        return plan
    }

    private mutating func distribute(_ revenue: Amount, from payerID: String) throws(EconomyError) -> [EconomyEvent] {
        let payer = try existing(payerID)
        guard revenue.baseUnits > 0 else { throw .zeroAmount("the revenue") }
        guard payer.balance >= revenue else { throw .insufficientBalance(account: payerID, needed: revenue, available: payer.balance) }
        let carriedIn = pools[EconomyState.carryPool] ?? .zero
        // Cannot overflow: revenue and carry are disjoint parts of the total supply.
        let total = Amount(baseUnits: revenue.baseUnits + carriedIn.baseUnits)
        let plan = try planDistribution(of: total)

        accounts[payerID]!.balance.baseUnits -= revenue.baseUnits
        for (role, index) in plan.newIndex {
            classes[role]!.rewardIndex = index
            classes[role]!.outstanding.baseUnits += plan.credited[role]!.baseUnits
        }
        pools[EconomyState.developersPool, default: .zero].baseUnits += plan.developers.baseUnits
        pools[EconomyState.userSupportPool, default: .zero].baseUnits += plan.userSupport.baseUnits
        pools[EconomyState.carryPool] = plan.carriedOut
        return [.distributed(payer: payerID, revenue: revenue, carriedIn: carriedIn,
                             core: plan.credited[.core] ?? .zero, guardian: plan.credited[.guardian] ?? .zero,
                             flexible: plan.credited[.flexible] ?? .zero,
                             developers: plan.developers, userSupport: plan.userSupport, carriedOut: plan.carriedOut)]
    }

    private mutating func claim(_ id: String) throws(EconomyError) -> [EconomyEvent] {
        let account = try existing(id)
        for role in account.bonds.keys.sorted() { rebond(id, role) { _ in } }
        let amount = accounts[id]!.settledRewards
        accounts[id]!.balance.baseUnits += amount.baseUnits
        accounts[id]!.settledRewards = .zero
        return [.claimed(account: id, amount: amount)]
    }

    /// x × factor^n, saturating at `cap`.
    private static func escalate(_ x: UInt128, factor: UInt64, times n: UInt64, cap: UInt128) -> UInt128 {
        var value = min(x, cap)
        var i: UInt64 = 0
        while i < n && value < cap && value > 0 {
            let (next, overflow) = value.multipliedReportingOverflow(by: UInt128(factor))
            value = overflow ? cap : min(next, cap)
            if factor == 1 { break }
            i += 1
        }
        return value
    }

    /// The fraction of slashable stake an offence takes now: min(base × factor^prior + correlation, 1), with
    /// correlation = min(multiplier × (stake slashed for correlated offences in the window, this one included)
    /// / (total bonded + unbonding), 1) — Ethereum's proportional slashing.
    public func slashingFraction(for id: String, offence: Offence) -> (fraction: Fraction, priorOffences: UInt64) {
        guard let account = accounts[id] else { return (.zero, 0) }
        let policy = parameters.slashing
        let penalty = policy.penalty(for: offence)
        let prior = UInt64(account.offenceEpochs.filter { epoch - $0 < policy.escalationWindowEpochs }.count)
        var ppb = EconomyState.escalate(penalty.fraction.partsPerBillion, factor: policy.escalationFactor, times: prior, cap: Fraction.denominator)
        if penalty.correlated {
            let own = slashableStake(account)
            var windowStake = own.baseUnits
            for slash in recentSlashes where epoch - slash.epoch < policy.correlationWindowEpochs {
                let (sum, overflow) = windowStake.addingReportingOverflow(slash.stake.baseUnits)
                windowStake = overflow ? UInt128.max : sum
            }
            let total = totalBonded.baseUnits + totalUnbonding.baseUnits
            let correlation: UInt128
            if total == 0 { correlation = Fraction.denominator } else {
                let (scaled, overflow) = windowStake.multipliedReportingOverflow(by: UInt128(policy.correlationMultiplier))
                correlation = overflow ? Fraction.denominator
                    : min((try? mulDiv(scaled, Fraction.denominator, total)) ?? Fraction.denominator, Fraction.denominator)
            }
            ppb = min(ppb + correlation, Fraction.denominator)
        }
        return (Fraction(partsPerBillion: ppb), prior)
    }

    func slashableStake(_ account: Account) -> Amount {
        var total: UInt128 = 0
        for bond in account.bonds.values { total += bond.amount.baseUnits }
        for entry in account.unbonding { total += entry.amount.baseUnits }
        return Amount(baseUnits: total)
    }

    private mutating func slash(_ id: String, _ offence: Offence) throws(EconomyError) -> [EconomyEvent] {
        let account = try existing(id)
        guard !account.tombstoned else { throw .tombstoned(id) }
        let slashable = slashableStake(account)
        guard slashable.baseUnits > 0 else { throw .nothingToSlash(id) }
        let policy = parameters.slashing
        let penalty = policy.penalty(for: offence)
        let (fraction, prior) = slashingFraction(for: id, offence: offence)
        var events: [EconomyEvent] = []

        // Status first, so that `rebond` settles rewards at the old status and re-counts at the new one.
        let tombstone = penalty.tombstone || prior + 1 >= policy.tombstoneAfterOffences
        var updated = account
        if tombstone {
            updated.tombstoned = true
            updated.jailedUntilEpoch = nil
            jailedAccounts.remove(id)
        } else if penalty.jailEpochs > 0 {
            let jail = UInt64(EconomyState.escalate(UInt128(penalty.jailEpochs), factor: policy.escalationFactor, times: prior, cap: UInt128(UInt64.max)))
            let (until, overflow) = epoch.addingReportingOverflow(jail)
            let newUntil = min(max(updated.jailedUntilEpoch ?? 0, overflow ? UInt64.max : until), EconomyState.maxEpoch)
            updated.jailedUntilEpoch = newUntil
            jailedAccounts.insert(id)
            events.append(.jailed(account: id, untilEpoch: newUntil))
        }
        updated.offenceEpochs = updated.offenceEpochs.filter { epoch - $0 < policy.escalationWindowEpochs } + [epoch]
        var slashedTotal: UInt128 = 0
        var remainingEntries: [UnbondingEntry] = []
        for var entry in updated.unbonding {
            let cut = fraction.of(entry.amount).baseUnits
            entry.amount.baseUnits -= cut
            slashedTotal += cut
            totalUnbonding.baseUnits -= cut
            if entry.amount.baseUnits > 0 { remainingEntries.append(entry) }
        }
        updated.unbonding = remainingEntries
        if remainingEntries.isEmpty { unbondingAccounts.remove(id) }
        accounts[id] = updated
        for role in StakeRole.allCases where updated.bonds[role] != nil {
            let cut = fraction.of(updated.bonded(role)).baseUnits
            slashedTotal += cut
            rebond(id, role) { $0.baseUnits -= cut }
        }
        pools[policy.destinationPool, default: .zero].baseUnits += slashedTotal
        if penalty.correlated {
            recentSlashes = recentSlashes.filter { epoch - $0.epoch < policy.correlationWindowEpochs }
                + [RecentSlash(epoch: epoch, stake: slashable)]
        }
        events.insert(.slashed(account: id, offence: offence, amount: Amount(baseUnits: slashedTotal), fraction: fraction,
                               priorOffences: prior, pool: policy.destinationPool), at: 0)
        if tombstone { events.append(.tombstoned(account: id)) }
        return events
    }

    /// The last epoch time can reach (SQLite stores signed 64-bit integers).
    public static let maxEpoch = UInt64(Int64.max)

    private mutating func advance(_ epochs: UInt64) throws(EconomyError) -> [EconomyEvent] {
        guard epochs > 0 else { throw .zeroEpochs }
        let (next, overflow) = epoch.addingReportingOverflow(epochs)
        // Saturate at Int64.max: the ledger stores epochs as SQLite integers (found in review: a larger
        // epoch trapped on the way to disk).
        epoch = min(overflow ? UInt64.max : next, EconomyState.maxEpoch)
        var events: [EconomyEvent] = []
        for id in unbondingAccounts.sorted() {
            var account = accounts[id]!
            var kept: [UnbondingEntry] = []
            for entry in account.unbonding {
                if entry.completesAtEpoch <= epoch {
                    account.balance.baseUnits += entry.amount.baseUnits
                    totalUnbonding.baseUnits -= entry.amount.baseUnits
                    events.append(.unbondingCompleted(account: id, role: entry.role, amount: entry.amount))
                } else {
                    kept.append(entry)
                }
            }
            account.unbonding = kept
            if kept.isEmpty { unbondingAccounts.remove(id) }
            accounts[id] = account
        }
        for id in jailedAccounts.sorted() {
            guard let until = accounts[id]!.jailedUntilEpoch, until <= epoch else { continue }
            accounts[id]!.jailedUntilEpoch = nil
            jailedAccounts.remove(id)
            for role in StakeRole.allCases where accounts[id]!.bonds[role] != nil { rebond(id, role) { _ in } }
            events.append(.unjailed(account: id))
        }
        events.append(.epochAdvanced(to: epoch))
        return events
    }

    private mutating func transfer(_ from: String, _ to: String, _ amount: Amount) throws(EconomyError) -> [EconomyEvent] {
        let source = try existing(from)
        guard EconomyState.isValidAccountName(to) else { throw .invalidAccountName(to) }
        guard amount.baseUnits > 0 else { throw .zeroAmount("the transfer") }
        guard source.balance >= amount else { throw .insufficientBalance(account: from, needed: amount, available: source.balance) }
        accounts[from]!.balance.baseUnits -= amount.baseUnits
        accounts[to, default: Account(id: to, balance: .zero)].balance.baseUnits += amount.baseUnits
        return [.transferred(from: from, to: to, amount: amount)]
    }

    // MARK: - Queries

    /// Rewards the account could claim now: settled rewards plus what its counted bonds have accrued.
    public func pendingRewards(of id: String) -> Amount {
        guard let account = accounts[id] else { return .zero }
        var total = account.settledRewards.baseUnits
        for (role, bond) in account.bonds { total += owed(bond, in: classes[role] ?? .empty).baseUnits }
        return Amount(baseUnits: total)
    }

    /// Nodes eligible for `role` duties at `epoch`, sorted by account, with their bonded stake as weight:
    /// bond at least the role's minimum, not tombstoned, and not jailed at that epoch. The state keeps no
    /// history, so an epoch before the current one is answered from the current bonds and jails.
    public func eligibleNodes(role: StakeRole, atEpoch queryEpoch: UInt64) -> [EligibleNode] {
        let minimum = parameters.minimum(for: role)
        var nodes: [EligibleNode] = []
        for account in accounts.values {
            guard let bond = account.bonds[role], !account.tombstoned, bond.amount >= minimum, bond.amount.baseUnits > 0 else { continue }
            if let until = account.jailedUntilEpoch, until > max(queryEpoch, epoch) { continue }
            nodes.append(EligibleNode(account: account.id, stake: bond.amount))
        }
        return nodes.sorted { $0.account < $1.account }
    }

    /// Sum of the stake of ``eligibleNodes(role:atEpoch:)``.
    public func eligibleStake(role: StakeRole, atEpoch queryEpoch: UInt64) -> Amount {
        Amount(baseUnits: eligibleNodes(role: role, atEpoch: queryEpoch).reduce(0) { $0 + $1.stake.baseUnits })
    }

    /// The F1 rounding dust: class outstanding rewards minus what every counted bond is owed. O(bonds).
    public func rewardRounding() -> Amount {
        var owedByRole: [StakeRole: UInt128] = [:]
        for account in accounts.values {
            for (role, bond) in account.bonds { owedByRole[role, default: 0] += owed(bond, in: classes[role] ?? .empty).baseUnits }
        }
        var dust: UInt128 = 0
        for (role, rewardClass) in classes {
            let owed = owedByRole[role] ?? 0
            dust += rewardClass.outstanding.baseUnits >= owed ? rewardClass.outstanding.baseUnits - owed : 0
        }
        return Amount(baseUnits: dust)
    }

    // MARK: - Invariants

    /// Checks every invariant of the economy; O(accounts). Tests call it after every operation, the ledger on open.
    public func checkInvariants() throws(InvariantViolation) {
        var balances: UInt128 = 0, bonded: UInt128 = 0, unbonding: UInt128 = 0, settled: UInt128 = 0
        var activeByRole: [StakeRole: UInt128] = [:], owedByRole: [StakeRole: UInt128] = [:]
        var jailed: Set<String> = [], withUnbonding: Set<String> = []
        func add(_ total: inout UInt128, _ value: UInt128) throws(InvariantViolation) {
            let (sum, overflow) = total.addingReportingOverflow(value)
            if overflow { throw InvariantViolation("a sum of holdings overflows 128 bits") }
            total = sum
        }
        for (id, account) in accounts {
            guard account.id == id else { throw InvariantViolation("account keyed '\(id)' is named '\(account.id)'") }
            try add(&balances, account.balance.baseUnits)
            try add(&settled, account.settledRewards.baseUnits)
            if account.jailedUntilEpoch != nil { jailed.insert(id) }
            if !account.unbonding.isEmpty { withUnbonding.insert(id) }
            if account.tombstoned && account.jailedUntilEpoch != nil { throw InvariantViolation("'\(id)' is both tombstoned and jailed") }
            for entry in account.unbonding {
                guard entry.amount.baseUnits > 0 else { throw InvariantViolation("'\(id)' has an empty unbonding entry") }
                try add(&unbonding, entry.amount.baseUnits)
            }
            for (role, bond) in account.bonds {
                guard bond.amount.baseUnits > 0 else { throw InvariantViolation("'\(id)' has an empty \(role) bond") }
                try add(&bonded, bond.amount.baseUnits)
                let rewardClass = classes[role] ?? .empty
                guard bond.rewardIndexAtEntry <= rewardClass.rewardIndex else {
                    throw InvariantViolation("'\(id)' \(role) bond entered at an index above the class index")
                }
                guard bond.counted == isActive(account, role, bond.amount) else {
                    throw InvariantViolation("'\(id)' \(role) bond counted=\(bond.counted) disagrees with its status")
                }
                if bond.counted {
                    try add(&activeByRole[role, default: 0], bond.amount.baseUnits)
                    try add(&owedByRole[role, default: 0], owed(bond, in: rewardClass).baseUnits)
                }
            }
        }
        var poolTotal: UInt128 = 0
        for amount in pools.values { try add(&poolTotal, amount.baseUnits) }
        var outstanding: UInt128 = 0
        for role in StakeRole.allCases {
            let rewardClass = classes[role] ?? .empty
            try add(&outstanding, rewardClass.outstanding.baseUnits)
            guard rewardClass.activeStake.baseUnits == activeByRole[role] ?? 0 else {
                throw InvariantViolation("\(role) active stake \(rewardClass.activeStake) ≠ sum of counted bonds")
            }
            guard rewardClass.outstanding.baseUnits >= owedByRole[role] ?? 0 else {
                throw InvariantViolation("\(role) accumulator holds \(rewardClass.outstanding) but owes more")
            }
            if rewardClass.activeStake.baseUnits == 0 && rewardClass.outstanding.baseUnits != 0 {
                throw InvariantViolation("\(role) has outstanding rewards but no active stake")
            }
        }
        guard bonded == totalBonded.baseUnits else { throw InvariantViolation("totalBonded counter is off") }
        guard unbonding == totalUnbonding.baseUnits else { throw InvariantViolation("totalUnbonding counter is off") }
        guard jailed == jailedAccounts else { throw InvariantViolation("jailed index is off") }
        guard withUnbonding == unbondingAccounts else { throw InvariantViolation("unbonding index is off") }
        var total: UInt128 = 0
        for part in [balances, bonded, unbonding, poolTotal, settled, outstanding] { try add(&total, part) }
        guard total == totalSupply.baseUnits else {
            throw InvariantViolation("conservation: balances+bonded+unbonding+pools+rewards = \(total) ≠ total supply \(totalSupply.baseUnits)")
        }
    }

    /// Rebuilds the derived indexes after loading accounts from storage.
    mutating func rebuildIndexes() {
        jailedAccounts = Set(accounts.values.filter { $0.jailedUntilEpoch != nil }.map(\.id))
        unbondingAccounts = Set(accounts.values.filter { !$0.unbonding.isEmpty }.map(\.id))
    }

    /// Assembles a state from persisted parts (used by the ledger).
    init(parameters: EconomyParameters, epoch: UInt64, totalSupply: Amount, accounts: [String: Account],
         classes: [StakeRole: RewardClass], pools: [String: Amount], totalBonded: Amount, totalUnbonding: Amount,
         recentSlashes: [RecentSlash], operationCount: UInt64) {
        self.parameters = parameters; self.epoch = epoch; self.totalSupply = totalSupply; self.accounts = accounts
        self.classes = classes; self.pools = pools; self.totalBonded = totalBonded; self.totalUnbonding = totalUnbonding
        self.recentSlashes = recentSlashes; self.operationCount = operationCount
        rebuildIndexes()
    }
}
