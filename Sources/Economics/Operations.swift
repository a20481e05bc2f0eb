/// One state transition of the economy: what the journal records and what `EconomyState.apply` takes.
public enum EconomyOperation: Sendable, Hashable, Codable {
    /// Move `amount` from the account's balance into its bond for `role`.
    case stake(account: String, role: StakeRole, amount: Amount)
    /// Start unbonding `amount` of the account's `role` bond; it returns to the balance after the unbonding delay.
    case unstake(account: String, role: StakeRole, amount: Amount)
    /// Pay one epoch's revenue from `payer` and split it between node classes and pools.
    case distribute(revenue: Amount, payer: String)
    /// Move the account's accrued rewards into its balance.
    case claim(account: String)
    /// Punish the account for an offence.
    case slash(account: String, offence: Offence)
    /// Let `epochs` epochs pass: unbonding entries that are due are released, jails that are over end.
    case advance(epochs: UInt64)
    /// Move liquid tokens between accounts, creating `to` if it does not exist.
    case transfer(from: String, to: String, amount: Amount)
    /// Submit a governance proposal with an initial deposit taken from the proposer's balance into escrow.
    case propose(account: String, content: ProposalContent, deposit: Amount, expedited: Bool)
    /// Add to a proposal's deposit (during its deposit or voting period).
    case deposit(account: String, proposal: UInt64, amount: Amount)
    /// Vote on a proposal in its voting period; a later vote by the same account replaces the earlier one.
    case vote(account: String, proposal: UInt64, option: VoteOption)
}

/// What an operation did, for the journal, the CLI and other layers (e.g. the guardian set watching jailings).
public enum EconomyEvent: Sendable, Hashable, Codable {
    case staked(account: String, role: StakeRole, amount: Amount, bonded: Amount)
    case unbondingStarted(account: String, role: StakeRole, amount: Amount, completesAtEpoch: UInt64)
    case unbondingCompleted(account: String, role: StakeRole, amount: Amount)
    /// `credited` is what each node class's accumulator took; `carriedOut` is what waits for the next epoch.
    case distributed(payer: String, revenue: Amount, carriedIn: Amount, core: Amount, guardian: Amount, flexible: Amount,
                     developers: Amount, userSupport: Amount, carriedOut: Amount)
    case claimed(account: String, amount: Amount)
    /// `fraction` is the total share of slashable stake taken (base × escalation + correlation, capped at 1).
    case slashed(account: String, offence: Offence, amount: Amount, fraction: Fraction, priorOffences: UInt64, pool: String)
    case jailed(account: String, untilEpoch: UInt64)
    case tombstoned(account: String)
    case unjailed(account: String)
    case epochAdvanced(to: UInt64)
    case transferred(from: String, to: String, amount: Amount)
    case proposalSubmitted(proposal: UInt64, proposer: String, deposit: Amount, expedited: Bool)
    case deposited(account: String, proposal: UInt64, amount: Amount, escrow: Amount)
    case votingStarted(proposal: UInt64, endsAtEpoch: UInt64)
    case voted(account: String, proposal: UInt64, option: VoteOption)
    /// The stake-weighted votes when the voting period ended, and what the tally rules made of them.
    case proposalTallied(proposal: UInt64, tally: Tally, outcome: TallyOutcome, expedited: Bool)
    case proposalPassed(proposal: UInt64, executesAtEpoch: UInt64)
    case proposalExpired(proposal: UInt64)
    case depositRefunded(account: String, proposal: UInt64, amount: Amount)
    case depositsBurned(proposal: UInt64, amount: Amount, pool: String)
    /// A passed proposal's changes, applied; `recounted` are the accounts whose bonds a new minimum re-counted.
    case proposalExecuted(proposal: UInt64, content: ProposalContent, recounted: [String])
    case proposalFailed(proposal: UInt64, reason: String)
    /// The guardian set in force from `fromEpoch` (members with an active guardian bond).
    case guardianSetChanged(fromEpoch: UInt64, members: [String])

    /// The proposals whose records this event changed; the ledger rewrites exactly these rows.
    public var proposals: [UInt64] {
        switch self {
        case .proposalSubmitted(let id, _, _, _), .deposited(_, let id, _, _), .votingStarted(let id, _), .voted(_, let id, _),
             .proposalTallied(let id, _, _, _), .proposalPassed(let id, _), .proposalExpired(let id), .depositRefunded(_, let id, _),
             .depositsBurned(let id, _, _), .proposalExecuted(let id, _, _), .proposalFailed(let id, _):
            return [id]
        default:
            return []
        }
    }

    /// The accounts whose records this event changed; the ledger rewrites exactly these rows.
    public var accounts: [String] {
        switch self {
        case .staked(let a, _, _, _), .unbondingStarted(let a, _, _, _), .unbondingCompleted(let a, _, _),
             .claimed(let a, _), .slashed(let a, _, _, _, _, _), .jailed(let a, _), .tombstoned(let a), .unjailed(let a):
            return [a]
        case .distributed(let payer, _, _, _, _, _, _, _, _):
            return [payer]
        case .transferred(let from, let to, _):
            return [from, to]
        case .proposalSubmitted(_, let a, _, _), .deposited(let a, _, _, _), .depositRefunded(let a, _, _):
            return [a]
        case .proposalExecuted(_, _, let recounted):
            return recounted
        case .epochAdvanced, .votingStarted, .voted, .proposalTallied, .proposalPassed, .proposalExpired, .depositsBurned,
             .proposalFailed, .guardianSetChanged:
            return []
        }
    }
}

/// The initial allocation: {"accounts": {"NAME": "AMOUNT", …}, "parameters": {…}} with amounts in ERA notation.
public struct Genesis: Sendable, Hashable, Codable {
    public var accounts: [String: Amount]
    public var parameters: EconomyParameters
    /// The initial guardian membership: nil (the default) for an open membership (every account with an active
    /// guardian bond), or the listed accounts only.
    public var guardians: [String]?

    public init(accounts: [String: Amount], parameters: EconomyParameters = .default, guardians: [String]? = nil) {
        self.accounts = accounts; self.parameters = parameters; self.guardians = guardians
    }

    private enum CodingKeys: String, CodingKey { case accounts, parameters, guardians }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let texts = try c.required(.accounts, [String: String].self, expected: "an object {\"NAME\": \"AMOUNT\", …}")
        var accounts: [String: Amount] = [:]
        for (name, text) in texts {
            do { accounts[name] = try Amount(parsing: text) } catch {
                throw c.fieldError(.accounts, member: name, error.description)
            }
        }
        self.accounts = accounts
        self.parameters = try c.field(.parameters, expected: "an object (see docs/economics.md)") ?? .default
        self.guardians = try c.field(.guardians, expected: "a list of account names")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accounts.mapValues(\.description), forKey: .accounts)
        try c.encode(parameters, forKey: .parameters)
        try c.encodeIfPresent(guardians, forKey: .guardians)
    }
}
