/// A stake bonded by one account to one role, with its position in the role's reward accumulator.
public struct Bond: Sendable, Hashable, Codable {
    public internal(set) var amount: Amount
    /// The class's reward index when this bond's rewards were last settled (F1's "starting period").
    @DecimalString public internal(set) var rewardIndexAtEntry: UInt128
    /// Whether `amount` is currently part of the class's active stake (earning rewards). Kept explicitly so
    /// that a bond's status change (jail, slash below the minimum) is one well-defined step.
    public internal(set) var counted: Bool
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
    @DecimalString public internal(set) var rewardIndex: UInt128
    /// Rewards credited to this class and not yet settled to an account. Holds at least everything owed to its
    /// bonds; the excess is rounding dust, reported as the `rewardRounding` pool.
    public internal(set) var outstanding: Amount

    static let empty = RewardClass(activeStake: .zero, rewardIndex: 0, outstanding: .zero)
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
/// This file holds the state and the steps shared by every operation; each concern is an extension in its own
/// file (Staking, Distribution, Slashing, Epochs, Invariants), mirroring the test files.
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
    /// Report-only pool: deposits held in escrow by open proposals.
    public static let governanceDepositsPool = "governanceDeposits"
    public static let reservedPoolNames: Set<String> = [developersPool, userSupportPool, carryPool, rewardRoundingPool, governanceDepositsPool]

    /// A name a parameter may give a pool (the slashing destination, governance's burn pool): an account-style name
    /// that is not one of the economy's own pools.
    public static func isValidPoolName(_ name: String) -> Bool {
        isValidAccountName(name) && !reservedPoolNames.contains(name)
    }

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
    /// Proposals, the guardian membership and its history (Governance.swift).
    public internal(set) var governance: GovernanceState

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
        // Governance's burn pool appears when first used (it is usually the slashing pool, "burned", anyway).
        pools = [EconomyState.developersPool: .zero, EconomyState.userSupportPool: .zero, EconomyState.carryPool: .zero,
                 genesis.parameters.slashing.destinationPool: .zero]
        totalBonded = .zero
        totalUnbonding = .zero
        recentSlashes = []
        operationCount = 0
        if let listed = genesis.guardians {
            for name in listed where accounts[name] == nil { throw .invalidGenesis("guardian '\(name)' is not an account of the genesis") }
            guard Set(listed).count == listed.count else { throw .invalidGenesis("a guardian is listed twice") }
            governance = GovernanceState(membership: .listed(listed.sorted()))
        } else {
            governance = GovernanceState(membership: .open)
        }
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
        case .propose(let account, let content, let deposit, let expedited): events = try propose(account, content, deposit, expedited: expedited)
        case .deposit(let account, let proposal, let amount): events = try deposit(account, proposal, amount)
        case .vote(let account, let proposal, let option): events = try vote(account, proposal, option)
        }
        operationCount += 1
        return events
    }

    func existing(_ id: String) throws(EconomyError) -> Account {
        guard let account = accounts[id] else { throw .unknownAccount(id) }
        return account
    }

    func isActive(_ account: Account, _ role: StakeRole, _ amount: Amount) -> Bool {
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
    mutating func rebond(_ id: String, _ role: StakeRole, _ change: (inout Amount) -> Void) {
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

    /// Rebuilds the derived indexes after loading accounts from storage.
    mutating func rebuildIndexes() {
        jailedAccounts = Set(accounts.values.filter { $0.jailedUntilEpoch != nil }.map(\.id))
        unbondingAccounts = Set(accounts.values.filter { !$0.unbonding.isEmpty }.map(\.id))
        governance.rebuildIndexes()
    }

    /// Assembles a state from persisted parts (used by the ledger).
    init(parameters: EconomyParameters, epoch: UInt64, totalSupply: Amount, accounts: [String: Account],
         classes: [StakeRole: RewardClass], pools: [String: Amount], totalBonded: Amount, totalUnbonding: Amount,
         recentSlashes: [RecentSlash], operationCount: UInt64, governance: GovernanceState) {
        self.parameters = parameters; self.epoch = epoch; self.totalSupply = totalSupply; self.accounts = accounts
        self.classes = classes; self.pools = pools; self.totalBonded = totalBonded; self.totalUnbonding = totalUnbonding
        self.recentSlashes = recentSlashes; self.operationCount = operationCount; self.governance = governance
        rebuildIndexes()
    }
}