// Revenue distribution: the exact basis-point split and the F1 lazy reward accumulator. See docs/economics.md §4.

extension EconomyState {
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

    mutating func distribute(_ revenue: Amount, from payerID: String) throws(EconomyError) -> [EconomyEvent] {
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

    mutating func claim(_ id: String) throws(EconomyError) -> [EconomyEvent] {
        let account = try existing(id)
        for role in account.bonds.keys.sorted() { rebond(id, role) { _ in } }
        let amount = accounts[id]!.settledRewards
        accounts[id]!.balance.baseUnits += amount.baseUnits
        accounts[id]!.settledRewards = .zero
        return [.claimed(account: id, amount: amount)]
    }

    /// Rewards the account could claim now: settled rewards plus what its counted bonds have accrued.
    public func pendingRewards(of id: String) -> Amount {
        guard let account = accounts[id] else { return .zero }
        var total = account.settledRewards.baseUnits
        for (role, bond) in account.bonds { total += owed(bond, in: classes[role] ?? .empty).baseUnits }
        return Amount(baseUnits: total)
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
}
