// Staking: bonds, unbonding, transfers and who is eligible for duties. See docs/economics.md §2.

extension EconomyState {
    mutating func stake(_ id: String, _ role: StakeRole, _ amount: Amount) throws(EconomyError) -> [EconomyEvent] {
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

    mutating func unstake(_ id: String, _ role: StakeRole, _ amount: Amount) throws(EconomyError) -> [EconomyEvent] {
        let account = try existing(id)
        guard amount.baseUnits > 0 else { throw .zeroAmount("the amount to unstake") }
        let bonded = account.bonded(role)
        guard amount <= bonded else { throw .insufficientBond(account: id, role: role, requested: amount, bonded: bonded) }
        let remaining = Amount(baseUnits: bonded.baseUnits - amount.baseUnits)
        let minimum = parameters.minimum(for: role)
        guard remaining.baseUnits == 0 || remaining >= minimum else {
            throw .wouldLeaveBelowMinimum(account: id, role: role, remaining: remaining, minimum: minimum)
        }
        let completesAt = try epoch(after: parameters.unbondingEpochs, field: "parameters.unbondingEpochs")

        rebond(id, role) { $0 = remaining }
        if parameters.unbondingEpochs == 0 {
            accounts[id]!.balance.baseUnits += amount.baseUnits
            return [.unbondingStarted(account: id, role: role, amount: amount, completesAtEpoch: epoch),
                    .unbondingCompleted(account: id, role: role, amount: amount)]
        }
        accounts[id]!.unbonding.append(UnbondingEntry(role: role, amount: amount, completesAtEpoch: completesAt))
        totalUnbonding.baseUnits += amount.baseUnits
        unbondingAccounts.insert(id)
        return [.unbondingStarted(account: id, role: role, amount: amount, completesAtEpoch: completesAt)]
    }

    mutating func transfer(_ from: String, _ to: String, _ amount: Amount) throws(EconomyError) -> [EconomyEvent] {
        let source = try existing(from)
        guard EconomyState.isValidAccountName(to) else { throw .invalidAccountName(to) }
        guard amount.baseUnits > 0 else { throw .zeroAmount("the transfer") }
        guard source.balance >= amount else { throw .insufficientBalance(account: from, needed: amount, available: source.balance) }
        accounts[from]!.balance.baseUnits -= amount.baseUnits
        accounts[to, default: Account(id: to, balance: .zero)].balance.baseUnits += amount.baseUnits
        return [.transferred(from: from, to: to, amount: amount)]
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
}
