// Time: the epoch counter, its limit, and what passing epochs releases (unbonding entries, jails).

extension EconomyState {
    /// The last epoch the economy can reach: 10^15. Below 2^53, so that epochs in JSON read exactly in any
    /// language (IEEE doubles), and with every delay at most ``EconomyParameters/maxDelayEpochs`` (10^12), every
    /// `epoch + delay` is exact and fits SQLite's signed 64-bit integers. Advancing past it is refused, never clamped
    /// (a clamp made later advances do nothing: a 16-epoch jail ended after one).
    public static let maxEpoch: UInt64 = 1_000_000_000_000_000

    /// `epoch + delay`, checked: the delay must be within ``EconomyParameters/maxDelayEpochs`` (parameters are
    /// validated at genesis; this guards a state assembled otherwise).
    func epoch(after delay: UInt64, field: String) throws(EconomyError) -> UInt64 {
        guard delay <= EconomyParameters.maxDelayEpochs, epoch <= EconomyState.maxEpoch else {
            throw .parameterOutOfRange(field: field, value: delay, limit: EconomyParameters.maxDelayEpochs)
        }
        return epoch + delay  // ≤ 10^15 + 10^12: exact
    }

    /// Moves time forward by `epochs`, stopping at every epoch boundary where governance has work (a deposit or
    /// voting period ending, a timelock expiring): at each stop, due unbondings and jails are released first, then
    /// governance runs (``processGovernance()``). So `advance(k)` leaves the same state as k single advances.
    mutating func advance(_ epochs: UInt64) throws(EconomyError) -> [EconomyEvent] {
        guard epochs > 0 else { throw .zeroEpochs }
        guard epoch <= EconomyState.maxEpoch, epochs <= EconomyState.maxEpoch - epoch else {
            throw .tooManyEpochs(requested: epochs, epoch: epoch)
        }
        let target = epoch + epochs
        var events: [EconomyEvent] = []
        repeat {
            epoch = min(nextGovernanceBoundary(after: epoch) ?? target, target)
            events += releaseDue()
            events += processGovernance()
        } while epoch < target
        events.append(.epochAdvanced(to: epoch))
        return events
    }

    /// Returns unbonding entries that are due to their balances and ends jails that are over.
    private mutating func releaseDue() -> [EconomyEvent] {
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
        return events
    }
}
