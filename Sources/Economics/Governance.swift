// ERA governance: stake-weighted proposals that change the economy's parameters and the guardian set, as part of the
// economy's pure state machine (proposals hold deposits, so they share its conservation invariant and its ledger
// transaction). Proposal lifecycle after Cosmos SDK x/gov (deposit period → voting period → tally), with a
// Compound-style timelock between passing and execution. See docs/economics.md §7.

/// A voter's choice (Cosmos: yes, no, abstain, no-with-veto).
public enum VoteOption: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case yes, no, abstain, veto
    public var description: String { rawValue }
}

/// Where a proposal is in its life.
public enum ProposalStatus: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// Collecting deposits until the minimum is reached or the deposit period ends.
    case deposit
    /// Open for votes until `votingEndEpoch`.
    case voting
    /// Passed; its changes apply at `executesAtEpoch`.
    case passed
    /// Its changes were applied.
    case executed
    /// Passed, but its changes were refused at execution (they would have broken an invariant by then); nothing applied.
    case failed
    /// Did not pass: no quorum, everyone abstained, or not enough yes votes.
    case rejected
    /// More than the veto threshold voted veto.
    case vetoed
    /// The deposit period ended below the minimum deposit.
    case expired

    /// Whether the proposal can still change (and holds deposits in escrow while in `deposit` or `voting`).
    public var isOpen: Bool { self == .deposit || self == .voting || self == .passed }
    public var description: String { rawValue }
}

/// What a proposal would do. At least one of: parameter changes, guardian-set changes, text.
public struct ProposalContent: Sendable, Hashable, Codable {
    /// Parameter changes, applied together (each key at most once).
    public var changes: [ParameterChange]
    /// Accounts to add to the guardian membership.
    public var guardianAdditions: [String]
    /// Accounts to remove from the guardian membership.
    public var guardianRemovals: [String]
    /// Free text: the whole of a signalling proposal, or a description of the changes.
    public var text: String?

    public init(changes: [ParameterChange] = [], guardianAdditions: [String] = [], guardianRemovals: [String] = [], text: String? = nil) {
        self.changes = changes; self.guardianAdditions = guardianAdditions; self.guardianRemovals = guardianRemovals; self.text = text
    }

    /// Limits that keep a proposal record small: changes and guardian edits per proposal, and text bytes.
    public static let maxChanges = 64
    public static let maxGuardianEdits = 64
    public static let maxTextBytes = 4096

    public var changesGuardianSet: Bool { !guardianAdditions.isEmpty || !guardianRemovals.isEmpty }
}

/// Votes weighted by bonded stake, and the stake that could have voted (the quorum's denominator).
public struct Tally: Sendable, Hashable, Codable {
    public var yes: Amount
    public var no: Amount
    public var abstain: Amount
    public var veto: Amount
    /// Total active bonded stake when the tally was taken.
    public var bondedStake: Amount

    public init(yes: Amount = .zero, no: Amount = .zero, abstain: Amount = .zero, veto: Amount = .zero, bondedStake: Amount = .zero) {
        self.yes = yes; self.no = no; self.abstain = abstain; self.veto = veto; self.bondedStake = bondedStake
    }

    /// yes + no + abstain + veto (never above `bondedStake` for a tally built from one state).
    public var voted: UInt128 { yes.baseUnits + no.baseUnits + abstain.baseUnits + veto.baseUnits }
}

/// The result of applying the tally rules.
public enum TallyOutcome: String, Sendable, Hashable, Codable {
    case passed
    case noStake
    case noQuorum
    case allAbstained
    case vetoed
    case belowThreshold
}

extension GovernanceParameters {
    /// Cosmos x/gov's `Tally` decision (`x/gov/keeper/tally.go`), exactly, in this order: no bonded stake → fails;
    /// voted/bonded < quorum → fails (deposits burned if `burnDepositsOnNoQuorum`); everyone abstained → fails;
    /// veto/voted > vetoThreshold → vetoed (burned if `burnDepositsOnVeto`); yes/(voted − abstain) > threshold →
    /// passes; else rejected. Every comparison is exact: `a/b ⋚ f` is decided as `a × 10^9 ⋚ f_ppb × b` in 256 bits,
    /// so exactly 33.4% turnout meets a 0.334 quorum and exactly 50% yes does not pass a 0.5 threshold.
    public func decide(_ tally: Tally, expedited: Bool) -> (outcome: TallyOutcome, burnDeposits: Bool) {
        let bonded = tally.bondedStake.baseUnits
        guard bonded > 0 else { return (.noStake, false) }
        let voted = tally.voted
        guard GovernanceParameters.ratio(voted, over: bonded, isAtLeast: quorum) else { return (.noQuorum, burnDepositsOnNoQuorum) }
        let nonAbstaining = voted - tally.abstain.baseUnits
        guard nonAbstaining > 0 else { return (.allAbstained, false) }
        if GovernanceParameters.ratio(tally.veto.baseUnits, over: voted, exceeds: vetoThreshold) { return (.vetoed, burnDepositsOnVeto) }
        if GovernanceParameters.ratio(tally.yes.baseUnits, over: nonAbstaining, exceeds: threshold(expedited: expedited)) { return (.passed, false) }
        return (.belowThreshold, false)
    }

    /// a/b > f, exactly (b > 0).
    static func ratio(_ a: UInt128, over b: UInt128, exceeds f: Fraction) -> Bool {
        compare(a, b, f) == .greater
    }

    /// a/b ≥ f, exactly (b > 0).
    static func ratio(_ a: UInt128, over b: UInt128, isAtLeast f: Fraction) -> Bool {
        compare(a, b, f) != .less
    }

    enum Order { case less, equal, greater }

    /// Orders a × 10^9 against f_ppb × b, both formed in 256 bits.
    static func compare(_ a: UInt128, _ b: UInt128, _ f: Fraction) -> Order {
        let lhs = a.multipliedFullWidth(by: Fraction.denominator), rhs = b.multipliedFullWidth(by: f.partsPerBillion)
        if lhs.high != rhs.high { return lhs.high < rhs.high ? .less : .greater }
        if lhs.low != rhs.low { return lhs.low < rhs.low ? .less : .greater }
        return .equal
    }
}

/// One proposal and everything recorded about it.
public struct Proposal: Sendable, Hashable, Codable {
    public internal(set) var id: UInt64
    public internal(set) var proposer: String
    public internal(set) var content: ProposalContent
    /// Expedited: higher deposit and threshold, shorter voting period; converted to a regular proposal if it fails
    /// without a veto or burn (Cosmos).
    public internal(set) var expedited: Bool
    public internal(set) var status: ProposalStatus
    public internal(set) var submitEpoch: UInt64
    public internal(set) var depositEndEpoch: UInt64
    public internal(set) var votingStartEpoch: UInt64?
    public internal(set) var votingEndEpoch: UInt64?
    public internal(set) var executesAtEpoch: UInt64?
    /// Deposits held in escrow, by depositor. Emptied when they are refunded or burned.
    public internal(set) var deposits: [String: Amount]
    /// Everything deposited over the proposal's life.
    public internal(set) var totalDeposited: Amount
    /// "refunded" or "burned" once the deposits are settled.
    public internal(set) var depositOutcome: String?
    /// The latest vote of each voter (a new vote replaces the old one until the voting period ends).
    public internal(set) var votes: [String: VoteOption]
    public internal(set) var finalTally: Tally?
    public internal(set) var tallyOutcome: TallyOutcome?
    /// Why execution was refused (status `failed`).
    public internal(set) var failureReason: String?

    /// The escrowed deposits' sum.
    public var escrow: Amount { Amount(baseUnits: deposits.values.reduce(0) { $0 + $1.baseUnits }) }
}

/// Who may be a guardian. `open`: every account with an active guardian bond (the rule before governance, and the
/// default). `listed`: only the listed accounts, and only while their guardian bond is active.
public enum GuardianMembership: Sendable, Hashable, Codable {
    case open
    case listed([String])
}

/// A guardian membership in force from an epoch on.
public struct GuardianMembershipChange: Sendable, Hashable, Codable {
    public var fromEpoch: UInt64
    public var membership: GuardianMembership
    /// 0 for the genesis membership, n after the n-th executed change.
    public var version: UInt64
}

/// The guardian set in force at an epoch, as guardian consensus reads it: members with their guardian bonds as weight.
public struct GuardianSetView: Sendable, Hashable, Codable {
    public var epoch: UInt64
    /// Changes with every executed guardian-set proposal (0 at genesis).
    public var membershipVersion: UInt64
    /// Sorted by account; each an active guardian bond (at least the guardian minimum, not jailed, not tombstoned).
    public var members: [EligibleNode]
    public var totalStake: Amount
}

/// Everything governance keeps in the state besides the parameters themselves.
public struct GovernanceState: Sendable, Hashable {
    public internal(set) var nextProposalID: UInt64 = 1
    public internal(set) var proposals: [UInt64: Proposal] = [:]
    /// Membership history, oldest first; the last entry is in force.
    public internal(set) var membershipHistory: [GuardianMembershipChange]
    /// Ids of proposals in `deposit`, `voting` or `passed` (derived, not persisted).
    var open: Set<UInt64> = []

    init(membership: GuardianMembership) {
        membershipHistory = [GuardianMembershipChange(fromEpoch: 0, membership: membership, version: 0)]
    }

    public var membership: GuardianMembership { membershipHistory.last!.membership }

    mutating func rebuildIndexes() { open = Set(proposals.values.filter { $0.status.isOpen }.map(\.id)) }

    /// The part stored in the ledger's global record (proposals have their own rows).
    struct Globals: Codable, Hashable {
        var nextProposalID: UInt64
        var membershipHistory: [GuardianMembershipChange]
    }

    var globals: Globals { Globals(nextProposalID: nextProposalID, membershipHistory: membershipHistory) }

    init(globals: Globals, proposals: [UInt64: Proposal]) {
        nextProposalID = globals.nextProposalID; membershipHistory = globals.membershipHistory; self.proposals = proposals
        rebuildIndexes()
    }
}

// MARK: - Operations

extension EconomyState {
    /// Escrow of every open proposal's deposits (reported as the `governanceDeposits` pool). O(open proposals).
    public var governanceEscrow: Amount {
        Amount(baseUnits: governance.open.reduce(0) { $0 + (governance.proposals[$1]?.escrow.baseUnits ?? 0) })
    }

    func existingProposal(_ id: UInt64) throws(EconomyError) -> Proposal {
        guard let proposal = governance.proposals[id] else { throw .unknownProposal(id) }
        return proposal
    }

    mutating func propose(_ proposerID: String, _ content: ProposalContent, _ deposit: Amount, expedited: Bool) throws(EconomyError) -> [EconomyEvent] {
        let proposer = try existing(proposerID)
        guard deposit.baseUnits > 0 else { throw .zeroAmount("the initial deposit") }
        guard proposer.balance >= deposit else { throw .insufficientBalance(account: proposerID, needed: deposit, available: proposer.balance) }
        _ = try changed(by: content)  // refuses a change that would break an invariant now
        let rules = parameters.governance
        let id = governance.nextProposalID
        let depositEnd = try epoch(after: rules.maxDepositPeriodEpochs, field: "parameters.governance.maxDepositPeriodEpochs")

        accounts[proposerID]!.balance.baseUnits -= deposit.baseUnits
        var proposal = Proposal(id: id, proposer: proposerID, content: content, expedited: expedited, status: .deposit,
                                submitEpoch: epoch, depositEndEpoch: depositEnd, votingStartEpoch: nil, votingEndEpoch: nil,
                                executesAtEpoch: nil, deposits: [proposerID: deposit], totalDeposited: deposit, depositOutcome: nil,
                                votes: [:], finalTally: nil, tallyOutcome: nil, failureReason: nil)
        var events: [EconomyEvent] = [.proposalSubmitted(proposal: id, proposer: proposerID, deposit: deposit, expedited: expedited)]
        if let started = startVotingIfFunded(&proposal) { events.append(started) }
        governance.proposals[id] = proposal
        governance.open.insert(id)
        governance.nextProposalID += 1
        return events
    }

    /// Moves a proposal with enough deposit into its voting period (Cosmos `ActivateVotingPeriod`).
    private func startVotingIfFunded(_ proposal: inout Proposal) -> EconomyEvent? {
        let rules = parameters.governance
        guard proposal.status == .deposit, proposal.escrow >= rules.minimumDeposit(expedited: proposal.expedited) else { return nil }
        // Exact: the epoch is at most maxEpoch and every governance period at most maxDelayEpochs (validated).
        let end = epoch + rules.votingPeriod(expedited: proposal.expedited)
        proposal.status = .voting
        proposal.votingStartEpoch = epoch
        proposal.votingEndEpoch = end
        return .votingStarted(proposal: proposal.id, endsAtEpoch: end)
    }

    mutating func deposit(_ id: String, _ proposalID: UInt64, _ amount: Amount) throws(EconomyError) -> [EconomyEvent] {
        let depositor = try existing(id)
        var proposal = try existingProposal(proposalID)
        guard proposal.status == .deposit || proposal.status == .voting else {
            throw .proposalClosed(proposal: proposalID, status: proposal.status, action: "take deposits")
        }
        guard amount.baseUnits > 0 else { throw .zeroAmount("the deposit") }
        guard depositor.balance >= amount else { throw .insufficientBalance(account: id, needed: amount, available: depositor.balance) }
        // Cannot overflow: deposits are disjoint parts of the total supply.
        proposal.deposits[id, default: .zero].baseUnits += amount.baseUnits
        proposal.totalDeposited.baseUnits += amount.baseUnits
        let started = startVotingIfFunded(&proposal)
        accounts[id]!.balance.baseUnits -= amount.baseUnits
        governance.proposals[proposalID] = proposal
        return [.deposited(account: id, proposal: proposalID, amount: amount, escrow: proposal.escrow)] + (started.map { [$0] } ?? [])
    }

    mutating func vote(_ id: String, _ proposalID: UInt64, _ option: VoteOption) throws(EconomyError) -> [EconomyEvent] {
        _ = try existing(id)
        let proposal = try existingProposal(proposalID)
        guard proposal.status == .voting else { throw .proposalClosed(proposal: proposalID, status: proposal.status, action: "take votes") }
        governance.proposals[proposalID]!.votes[id] = option
        return [.voted(account: id, proposal: proposalID, option: option)]
    }

    // MARK: - Voting power and the guardian set

    /// An account's voting power: the sum of its active bonds (counted for rewards: at least the role's minimum, not
    /// jailed, not tombstoned), as Cosmos counts only bonded validators' tokens. Each base unit of stake is in one
    /// bond of one account, so no stake can vote twice.
    public func votingPower(of id: String) -> Amount {
        guard let account = accounts[id] else { return .zero }
        return Amount(baseUnits: account.bonds.values.reduce(0) { $0 + ($1.counted ? $1.amount.baseUnits : 0) })
    }

    /// Total active bonded stake: the quorum's denominator.
    public var bondedVotingStake: Amount { Amount(baseUnits: classes.values.reduce(0) { $0 + $1.activeStake.baseUnits }) }

    /// The tally of a proposal's votes weighted by the stakes now.
    public func currentTally(of proposal: Proposal) -> Tally {
        var tally = Tally(bondedStake: bondedVotingStake)
        for (voter, option) in proposal.votes {
            let power = votingPower(of: voter)
            switch option {
            case .yes: tally.yes.baseUnits += power.baseUnits
            case .no: tally.no.baseUnits += power.baseUnits
            case .abstain: tally.abstain.baseUnits += power.baseUnits
            case .veto: tally.veto.baseUnits += power.baseUnits
            }
        }
        return tally
    }

    /// The guardian membership in force at `epoch` (the latest change at or before it).
    public func guardianMembership(atEpoch queryEpoch: UInt64) -> GuardianMembershipChange {
        governance.membershipHistory.last { $0.fromEpoch <= queryEpoch } ?? governance.membershipHistory[0]
    }

    /// The guardian set in force at `epoch`: the membership in force then, restricted to accounts eligible for the
    /// guardian role (``eligibleNodes(role:atEpoch:)``), each weighted by its guardian bond. Membership is exact for
    /// any epoch (its history is kept); stakes and jails are the current ones (the state keeps no stake history), and
    /// for a future epoch, changes not yet executed are not included. Guardian consensus reads this per epoch.
    public func guardianSet(atEpoch queryEpoch: UInt64) -> GuardianSetView {
        let membership = guardianMembership(atEpoch: queryEpoch)
        var members = eligibleNodes(role: .guardian, atEpoch: queryEpoch)
        if case .listed(let listed) = membership.membership {
            let allowed = Set(listed)
            members = members.filter { allowed.contains($0.account) }
        }
        return GuardianSetView(epoch: queryEpoch, membershipVersion: membership.version, members: members,
                               totalStake: Amount(baseUnits: members.reduce(0) { $0 + $1.stake.baseUnits }))
    }

    /// The guardian set from each membership change on, oldest first (the first from epoch 0): the shape of a
    /// consensus committee schedule, `(fromEpoch, set)`, with each set as ``guardianSet(atEpoch:)`` gives it (current
    /// stakes and jails). One entry per executed membership change, plus genesis.
    public func guardianSchedule() -> [GuardianSetView] {
        governance.membershipHistory.map { guardianSet(atEpoch: $0.fromEpoch) }
    }

    // MARK: - Changes

    /// The state with `content`'s changes applied, or the reason they are refused: unknown or duplicate keys, a
    /// parameter set that fails validation (a split not summing to 100%, …), guardian edits naming unknown accounts
    /// or non-members, or a change that would empty a non-empty guardian set (e.g. a guardian minimum above every
    /// guardian's bond). Used at submission (on a copy) and at execution (applied only if it succeeds).
    func changed(by content: ProposalContent) throws(EconomyError) -> (state: EconomyState, recounted: [String]) {
        guard !content.changes.isEmpty || content.changesGuardianSet || !(content.text ?? "").isEmpty else {
            throw .invalidProposal("a proposal needs a parameter change, a guardian-set change or a text")
        }
        guard content.changes.count <= ProposalContent.maxChanges else {
            throw .invalidProposal("at most \(ProposalContent.maxChanges) parameter changes per proposal")
        }
        guard content.guardianAdditions.count + content.guardianRemovals.count <= ProposalContent.maxGuardianEdits else {
            throw .invalidProposal("at most \(ProposalContent.maxGuardianEdits) guardian additions and removals per proposal")
        }
        if let text = content.text, text.utf8.count > ProposalContent.maxTextBytes {
            throw .invalidProposal("the text is \(text.utf8.count) bytes; at most \(ProposalContent.maxTextBytes)")
        }
        var keys: Set<ParameterKey> = []
        var newParameters = parameters
        for change in content.changes {
            guard keys.insert(change.key).inserted else { throw .invalidProposal("\(change.key) is set twice") }
            change.key.set(change.value, in: &newParameters)
        }
        try newParameters.validate()

        var next = self
        if content.changesGuardianSet {
            var members: [String]
            switch membership {
            case .listed(let listed): members = listed
            // The first edit of an open membership starts the list from the guardians eligible now.
            case .open: members = eligibleNodes(role: .guardian, atEpoch: epoch).map(\.account)
            }
            var set = Set(members)
            for id in content.guardianRemovals {
                guard set.remove(id) != nil else { throw .invalidProposal("'\(id)' is not a guardian member, so it cannot be removed") }
            }
            for id in content.guardianAdditions {
                guard accounts[id] != nil else { throw .unknownAccount(id) }
                guard set.insert(id).inserted else { throw .invalidProposal("'\(id)' is already a guardian member (or added twice)") }
            }
            let version = (governance.membershipHistory.last?.version ?? 0) + 1
            let change = GuardianMembershipChange(fromEpoch: epoch, membership: .listed(set.sorted()), version: version)
            if governance.membershipHistory.last?.fromEpoch == epoch { next.governance.membershipHistory.removeLast() }
            next.governance.membershipHistory.append(change)
        }
        var recounted: [String] = []
        let minimumsChanged = StakeRole.allCases.filter { parameters.minimum(for: $0) != newParameters.minimum(for: $0) }
        next.parameters = newParameters
        if !minimumsChanged.isEmpty {
            // A new minimum activates or deactivates bonds: re-count every bond of those roles (F1: settle first).
            for id in accounts.keys.sorted() where minimumsChanged.contains(where: { accounts[id]!.bonds[$0] != nil }) {
                for role in minimumsChanged where next.accounts[id]!.bonds[role] != nil { next.rebond(id, role) { _ in } }
                recounted.append(id)
            }
        }
        if !guardianSet(atEpoch: epoch).members.isEmpty && next.guardianSet(atEpoch: epoch).members.isEmpty {
            throw .invalidProposal("the change would leave no guardian in force (every current guardian would be removed, jailed out or below the guardian minimum)")
        }
        return (next, recounted)
    }

    private var membership: GuardianMembership { governance.membership }

    // MARK: - Epoch boundaries

    /// The next epoch after `after` at which some proposal's deposit period or voting period ends or its timelock
    /// expires; nil if none. O(open proposals).
    func nextGovernanceBoundary(after: UInt64) -> UInt64? {
        var next: UInt64?
        for id in governance.open {
            guard let proposal = governance.proposals[id] else { continue }
            let due: UInt64?
            switch proposal.status {
            case .deposit: due = proposal.depositEndEpoch
            case .voting: due = proposal.votingEndEpoch
            case .passed: due = proposal.executesAtEpoch
            default: due = nil
            }
            if let due, due > after, due < (next ?? .max) { next = due }
        }
        return next
    }

    /// Governance's work at the epoch boundary just reached (`epoch`), in this order: (1) execute passed proposals
    /// whose timelock has expired, by id; (2) expire proposals whose deposit period ended below the minimum (refund,
    /// or burn if `burnDepositsBelowMinimum`); (3) tally proposals whose voting period ended, with the stakes as they
    /// are now, after (1). A tallied proposal executes at a later boundary (timelock ≥ 1), so a tally never sees the
    /// effect of a change decided in the same boundary.
    mutating func processGovernance() -> [EconomyEvent] {
        var events: [EconomyEvent] = []
        let due = governance.open.compactMap { governance.proposals[$0] }.sorted { $0.id < $1.id }
        for proposal in due where proposal.status == .passed && (proposal.executesAtEpoch ?? .max) <= epoch {
            events += execute(proposal.id)
        }
        for proposal in due where proposal.status == .deposit && proposal.depositEndEpoch <= epoch {
            let burn = parameters.governance.burnDepositsBelowMinimum
            events.append(.proposalExpired(proposal: proposal.id))
            events += settleDeposits(proposal.id, burn: burn)
            governance.proposals[proposal.id]!.status = .expired
            governance.open.remove(proposal.id)
        }
        for proposal in due where proposal.status == .voting && (proposal.votingEndEpoch ?? .max) <= epoch {
            events += tally(proposal.id)
        }
        return events
    }

    private mutating func tally(_ id: UInt64) -> [EconomyEvent] {
        var proposal = governance.proposals[id]!
        let rules = parameters.governance
        let tally = currentTally(of: proposal)
        let (outcome, burn) = rules.decide(tally, expedited: proposal.expedited)
        var events: [EconomyEvent] = [.proposalTallied(proposal: id, tally: tally, outcome: outcome, expedited: proposal.expedited)]
        if outcome != .passed && !burn && proposal.expedited {
            // Cosmos: an expedited proposal that fails without a burn becomes a regular one; votes and deposits stay,
            // and voting runs to the regular period's end from the original start.
            // Exact: the start is at most maxEpoch and the period at most maxDelayEpochs (validated parameters).
            let regularEnd = (proposal.votingStartEpoch ?? epoch) + rules.votingPeriodEpochs
            proposal.expedited = false
            proposal.votingEndEpoch = max(regularEnd, epoch + 1)
            governance.proposals[id] = proposal
            events.append(.votingStarted(proposal: id, endsAtEpoch: proposal.votingEndEpoch!))
            return events
        }
        proposal.finalTally = tally
        proposal.tallyOutcome = outcome
        switch outcome {
        case .passed:
            proposal.status = .passed
            proposal.executesAtEpoch = epoch + rules.timelockEpochs  // exact, as the voting end above
            events.append(.proposalPassed(proposal: id, executesAtEpoch: proposal.executesAtEpoch!))
        case .vetoed:
            proposal.status = .vetoed
        default:
            proposal.status = .rejected
        }
        governance.proposals[id] = proposal
        if proposal.status != .passed { governance.open.remove(id) }
        return events + settleDeposits(id, burn: burn)
    }

    /// Refunds every depositor, or burns the whole escrow into the burn pool.
    private mutating func settleDeposits(_ id: UInt64, burn: Bool) -> [EconomyEvent] {
        let proposal = governance.proposals[id]!
        var events: [EconomyEvent] = []
        if burn {
            let pool = parameters.governance.burnPool
            pools[pool, default: .zero].baseUnits += proposal.escrow.baseUnits
            events.append(.depositsBurned(proposal: id, amount: proposal.escrow, pool: pool))
        } else {
            for (account, amount) in proposal.deposits.sorted(by: { $0.key < $1.key }) {
                accounts[account]!.balance.baseUnits += amount.baseUnits
                events.append(.depositRefunded(account: account, proposal: id, amount: amount))
            }
        }
        governance.proposals[id]!.deposits = [:]
        governance.proposals[id]!.depositOutcome = burn ? "burned" : "refunded"
        return events
    }

    /// Applies a passed proposal's changes atomically: all of them, or (if they would now break an invariant) none,
    /// with status `failed` and the reason.
    private mutating func execute(_ id: UInt64) -> [EconomyEvent] {
        let proposal = governance.proposals[id]!
        var events: [EconomyEvent]
        do {
            let (next, recounted) = try changed(by: proposal.content)
            self = next
            governance.proposals[id]!.status = .executed
            events = [.proposalExecuted(proposal: id, content: proposal.content, recounted: recounted)]
            if proposal.content.changesGuardianSet {
                events.append(.guardianSetChanged(fromEpoch: epoch, members: guardianSet(atEpoch: epoch).members.map(\.account)))
            }
        } catch {
            governance.proposals[id]!.status = .failed
            governance.proposals[id]!.failureReason = error.description
            events = [.proposalFailed(proposal: id, reason: error.description)]
        }
        governance.open.remove(id)
        return events
    }
}
