/// Where every token of the supply is: the `caldera economy report --json` document.
///
/// Every token is in exactly one place: an account's balance, bonds, unbonding entries or pending rewards, or a
/// named pool (`developers`, `userSupport`, `carry`, `rewardRounding`, and the slashing pool, `burned` by default).
/// Amounts are encoded as decimal strings of base units.
public struct EconomyReport: Sendable, Hashable, Codable {
    public struct BondedByRole: Sendable, Hashable, Codable {
        public var core: Amount
        public var flexible: Amount
        public var guardian: Amount
    }

    public struct AccountLine: Sendable, Hashable, Codable {
        public var id: String
        public var balance: Amount
        public var bonded: BondedByRole
        public var unbonding: Amount
        public var pendingRewards: Amount
        /// "active", "jailed until epoch N" or "tombstoned" (not part of the required JSON, extra information).
        public var status: String
    }

    /// One proposal as `report --json` and `proposals --json` show it.
    public struct ProposalLine: Sendable, Hashable, Codable {
        public var id: UInt64
        public var status: ProposalStatus
        public var proposer: String
        public var expedited: Bool
        /// "KEY=VALUE" changes, then "guardian-add ID" / "guardian-remove ID".
        public var changes: [String]
        public var text: String?
        /// Deposits now in escrow, and everything deposited over the proposal's life.
        public var escrow: Amount
        public var totalDeposited: Amount
        /// "refunded" or "burned" once settled.
        public var depositOutcome: String?
        public var depositEndEpoch: UInt64
        public var votingEndEpoch: UInt64?
        public var executesAtEpoch: UInt64?
        /// The final tally once voting ended; during voting, the tally with the stakes now.
        public var tally: Tally?
        public var outcome: TallyOutcome?
        public var failureReason: String?
    }

    public var epoch: UInt64
    public var totalSupply: Amount
    public var accounts: [AccountLine]
    public var pools: [String: Amount]
    /// Every governable parameter in force, keyed as `--set` names it, valued in its `--set` text form.
    public var parameters: [String: String] = [:]
    public var proposals: [ProposalLine] = []

    /// Sum of every place a token can be; equals `totalSupply` for a consistent state. A decoded report is input:
    /// a sum past 128 bits gives `UInt128.max` (never equal to a supply that fits) instead of trapping.
    public var accountedFor: Amount {
        var total: UInt128 = 0
        func add(_ value: Amount) {
            let (sum, overflow) = total.addingReportingOverflow(value.baseUnits)
            total = overflow ? .max : sum
        }
        for line in accounts {
            for part in [line.balance, line.bonded.core, line.bonded.flexible, line.bonded.guardian, line.unbonding, line.pendingRewards] {
                add(part)
            }
        }
        for amount in pools.values { add(amount) }
        return Amount(baseUnits: total)
    }
}

extension EconomyState {
    /// The report of the current state; O(accounts).
    public func report() -> EconomyReport {
        let lines = accounts.values.sorted { $0.id < $1.id }.map { account -> EconomyReport.AccountLine in
            let status: String
            if account.tombstoned { status = "tombstoned" }
            else if let until = account.jailedUntilEpoch { status = "jailed until epoch \(until)" }
            else { status = "active" }
            return EconomyReport.AccountLine(
                id: account.id, balance: account.balance,
                bonded: .init(core: account.bonded(.core), flexible: account.bonded(.flexible), guardian: account.bonded(.guardian)),
                unbonding: Amount(baseUnits: account.unbonding.reduce(0) { $0 + $1.amount.baseUnits }),
                pendingRewards: pendingRewards(of: account.id), status: status)
        }
        var reportPools = pools
        reportPools[EconomyState.rewardRoundingPool] = rewardRounding()
        reportPools[EconomyState.governanceDepositsPool] = governanceEscrow
        return EconomyReport(epoch: epoch, totalSupply: totalSupply, accounts: lines, pools: reportPools,
                             parameters: parameterTable(), proposals: proposalLines())
    }

    /// Every governable parameter in force, by key.
    public func parameterTable() -> [String: String] {
        Dictionary(uniqueKeysWithValues: ParameterKey.allKeys.map { ($0.description, $0.value(in: parameters).description) })
    }

    /// Every proposal, by id. O(proposals + votes of voting proposals).
    public func proposalLines() -> [EconomyReport.ProposalLine] {
        governance.proposals.values.sorted { $0.id < $1.id }.map { p in
            let content = p.content
            return EconomyReport.ProposalLine(
                id: p.id, status: p.status, proposer: p.proposer, expedited: p.expedited,
                changes: content.changes.map(\.description) + content.guardianAdditions.map { "guardian-add \($0)" }
                    + content.guardianRemovals.map { "guardian-remove \($0)" },
                text: content.text, escrow: p.escrow, totalDeposited: p.totalDeposited, depositOutcome: p.depositOutcome,
                depositEndEpoch: p.depositEndEpoch, votingEndEpoch: p.votingEndEpoch, executesAtEpoch: p.executesAtEpoch,
                tally: p.status == .voting ? currentTally(of: p) : p.finalTally, outcome: p.tallyOutcome, failureReason: p.failureReason)
        }
    }
}
