import Testing
@testable import Economics

func era(_ value: UInt128) -> Amount { try! Amount(era: value) }

/// A state with named accounts holding whole ERA.
/// A state from genesis `balances` (whole ERA), with `stakes` (account, role, whole ERA) applied and checked in order.
func makeState(_ balances: [String: UInt128], parameters: EconomyParameters = .default,
               stakes: [(String, StakeRole, UInt128)] = []) throws -> EconomyState {
    var state = try EconomyState(genesis: Genesis(accounts: balances.mapValues { era($0) }, parameters: parameters))
    for (account, role, amount) in stakes { try state.checkedApply(.stake(account: account, role: role, amount: era(amount))) }
    return state
}

extension EconomyState {
    /// Applies and checks every invariant afterwards; a refused operation must leave the state unchanged.
    @discardableResult
    mutating func checkedApply(_ operation: EconomyOperation, sourceLocation: SourceLocation = #_sourceLocation) throws -> [EconomyEvent] {
        let before = self
        do {
            let events = try apply(operation)
            try checkInvariants()
            return events
        } catch let error as EconomyError {
            #expect(self == before, "refused \(operation) changed the state", sourceLocation: sourceLocation)
            throw error
        }
    }
}
