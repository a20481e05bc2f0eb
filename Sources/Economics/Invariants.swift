// Invariants, registered as functions that tests, the ledger and the claims harness share (as the Cosmos SDK
// registers its module invariants). See docs/economics.md §5.

extension EconomyState {
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
        // Checked so that a tampered ledger is refused on open rather than trapping later (`epoch - offence`).
        do { try parameters.validate() } catch { throw InvariantViolation("stored parameters are invalid: \(error)") }
        guard epoch <= EconomyState.maxEpoch else { throw InvariantViolation("epoch \(epoch) is beyond the last epoch \(EconomyState.maxEpoch)") }
        guard recentSlashes.allSatisfy({ $0.epoch <= epoch }) else { throw InvariantViolation("a recent slash is dated after the current epoch") }
        for (id, account) in accounts {
            guard account.id == id else { throw InvariantViolation("account keyed '\(id)' is named '\(account.id)'") }
            guard EconomyState.isValidAccountName(id) else { throw InvariantViolation("invalid account name '\(id)'") }
            guard account.offenceEpochs.allSatisfy({ $0 <= epoch }) else { throw InvariantViolation("'\(id)' has an offence dated after the current epoch") }
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
        let escrow = try checkGovernanceInvariants()
        var total: UInt128 = 0
        for part in [balances, bonded, unbonding, poolTotal, settled, outstanding, escrow] { try add(&total, part) }
        guard total == totalSupply.baseUnits else {
            throw InvariantViolation("conservation: balances+bonded+unbonding+pools+rewards+deposits = \(total) ≠ total supply \(totalSupply.baseUnits)")
        }
    }

    /// Governance's invariants; returns the deposits held in escrow (part of conservation). Every proposal is keyed by
    /// its id, below the next id, with an existing proposer; exactly the proposals in `deposit`, `voting` or `passed`
    /// are open, and each open proposal's next deadline is after the current epoch (boundaries are never skipped);
    /// only `deposit` and `voting` proposals hold deposits, each positive and from an existing account; a proposal
    /// in its deposit period has no votes; the membership history starts at genesis, is ordered, is not dated after
    /// the current epoch, and lists existing accounts.
    func checkGovernanceInvariants() throws(InvariantViolation) -> UInt128 {
        var escrow: UInt128 = 0
        var open: Set<UInt64> = []
        for (id, proposal) in governance.proposals {
            guard proposal.id == id, id >= 1, id < governance.nextProposalID else { throw InvariantViolation("proposal keyed \(id) is numbered \(proposal.id)") }
            guard accounts[proposal.proposer] != nil else { throw InvariantViolation("proposal \(id) has an unknown proposer") }
            if proposal.status.isOpen { open.insert(id) }
            let deadline: UInt64?
            switch proposal.status {
            case .deposit: deadline = proposal.depositEndEpoch
            case .voting: deadline = proposal.votingEndEpoch ?? 0
            case .passed: deadline = proposal.executesAtEpoch ?? 0
            default: deadline = nil
            }
            if let deadline, deadline <= epoch { throw InvariantViolation("proposal \(id) (\(proposal.status)) is past its deadline \(deadline)") }
            if proposal.status == .deposit && !proposal.votes.isEmpty { throw InvariantViolation("proposal \(id) has votes before its voting period") }
            guard proposal.deposits.isEmpty || proposal.status == .deposit || proposal.status == .voting else {
                throw InvariantViolation("proposal \(id) (\(proposal.status)) still holds deposits")
            }
            for (depositor, amount) in proposal.deposits {
                guard amount.baseUnits > 0, accounts[depositor] != nil else { throw InvariantViolation("proposal \(id) holds a bad deposit of '\(depositor)'") }
                let (sum, overflow) = escrow.addingReportingOverflow(amount.baseUnits)
                if overflow { throw InvariantViolation("a sum of holdings overflows 128 bits") }
                escrow = sum
            }
        }
        guard open == governance.open else { throw InvariantViolation("open-proposal index is off") }
        let history = governance.membershipHistory
        guard let first = history.first, first.fromEpoch == 0, first.version == 0 else { throw InvariantViolation("guardian membership history has no genesis entry") }
        for (earlier, later) in zip(history, history.dropFirst()) where later.fromEpoch < earlier.fromEpoch || later.version <= earlier.version {
            throw InvariantViolation("guardian membership history is out of order")
        }
        guard history.last!.fromEpoch <= epoch else { throw InvariantViolation("a guardian membership is dated after the current epoch") }
        for change in history {
            if case .listed(let members) = change.membership, let unknown = members.first(where: { accounts[$0] == nil }) {
                throw InvariantViolation("guardian member '\(unknown)' is not an account")
            }
        }
        return escrow
    }

    /// Invariant "revenue split exact", for a `.distributed` event that applying an operation to `self` produced:
    /// the developers and user-support pools get exactly floor(total × bp / 10000) with total = revenue + carry;
    /// each node class gets exactly its floor share, or nothing if it had no active stake (its share is carried);
    /// the carry-in is the carry pool; and the shares plus the carry-out sum to the total.
    /// Returns the deviation in base units: 0 when the invariant holds (and for any other kind of event).
    public func revenueSplitDeviation(of event: EconomyEvent) -> UInt128 {
        guard case let .distributed(_, revenue, carriedIn, core, guardian, flexible, developers, userSupport, carriedOut) = event else {
            return 0
        }
        func distance(_ a: UInt128, _ b: UInt128) -> UInt128 { a >= b ? a - b : b - a }
        func add(_ a: UInt128, _ b: UInt128) -> UInt128 { let (s, o) = a.addingReportingOverflow(b); return o ? .max : s }
        let split = parameters.revenueSplit
        let (total, overflow) = revenue.baseUnits.addingReportingOverflow(carriedIn.baseUnits)
        if overflow { return .max }
        func floorShare(_ bp: UInt64) -> UInt128 { (try? mulDiv(total, UInt128(bp), 10_000)) ?? .max }
        var deviation = distance(carriedIn.baseUnits, (pools[EconomyState.carryPool] ?? .zero).baseUnits)
        deviation = max(deviation, distance(developers.baseUnits, floorShare(split.developers)))
        deviation = max(deviation, distance(userSupport.baseUnits, floorShare(split.userSupport)))
        for (role, credited) in [(StakeRole.core, core), (.guardian, guardian), (.flexible, flexible)] {
            let hasStake = (classes[role]?.activeStake.baseUnits ?? 0) > 0
            deviation = max(deviation, distance(credited.baseUnits, hasStake ? floorShare(split.basisPoints(for: role)) : 0))
        }
        var sum: UInt128 = 0
        for part in [core, guardian, flexible, developers, userSupport, carriedOut] { sum = add(sum, part.baseUnits) }
        return add(deviation, distance(sum, total))
    }

    /// ``revenueSplitDeviation(of:)`` as a check: throws unless the deviation is 0.
    public func checkRevenueSplit(of event: EconomyEvent) throws(InvariantViolation) {
        let deviation = revenueSplitDeviation(of: event)
        guard deviation == 0 else { throw InvariantViolation("revenue split is off by \(deviation) base units in \(event)") }
    }
}
