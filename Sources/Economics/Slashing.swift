// Progressive slashing: escalation for repeat offenders, Ethereum-style correlation, jail and tombstone.
// See docs/economics.md §3.

extension EconomyState {
    /// x × factor^n, saturating at `cap`.
    static func escalate(_ x: UInt128, factor: UInt64, times n: UInt64, cap: UInt128) -> UInt128 {
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
                // Saturating is exact here: a sum past 128 bits exceeds the total stake, so the term is 1 either way.
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

    mutating func slash(_ id: String, _ offence: Offence) throws(EconomyError) -> [EconomyEvent] {
        let account = try existing(id)
        guard !account.tombstoned else { throw .tombstoned(id) }
        let slashable = slashableStake(account)
        guard slashable.baseUnits > 0 else { throw .nothingToSlash(id) }
        let policy = parameters.slashing
        let penalty = policy.penalty(for: offence)
        let (fraction, prior) = slashingFraction(for: id, offence: offence)
        var events: [EconomyEvent] = []

        let tombstone = penalty.tombstone || prior + 1 >= policy.tombstoneAfterOffences
        // The escalated jail is capped at maxDelayEpochs (a documented rule, like the fraction's cap at 1), so
        // `epoch + jail` is exact; computed before the first mutation, as every check.
        let jail = UInt64(EconomyState.escalate(UInt128(penalty.jailEpochs), factor: policy.escalationFactor, times: prior,
                                                cap: UInt128(EconomyParameters.maxDelayEpochs)))
        let jailEnds = try epoch(after: jail, field: "parameters.slashing.\(SlashingPolicy.key(for: offence)).jailEpochs")

        // Status first, so that `rebond` settles rewards at the old status and re-counts at the new one.
        var updated = account
        if tombstone {
            updated.tombstoned = true
            updated.jailedUntilEpoch = nil
            jailedAccounts.remove(id)
        } else if jail > 0 {
            let newUntil = max(updated.jailedUntilEpoch ?? 0, jailEnds)  // extends a current jail, never shortens it
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
}
