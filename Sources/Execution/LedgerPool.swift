import Economics

extension NodePool {
    /// The node pools the economics ledger says are eligible at `epoch`: core and flexible bonds with
    /// their stakes. The ledger already leaves out jailed, tombstoned and under-minimum nodes; the pool
    /// checks the minimums again, so the two layers cannot disagree silently.
    public init(economy: EconomyState, epoch: UInt64) throws(NodePoolError) {
        var candidates = [NodeCandidate]()
        for node in economy.eligibleNodes(role: .core, atEpoch: epoch) {
            candidates.append(NodeCandidate(id: node.account, stake: node.stake.baseUnits, role: .core))
        }
        let coreIds = Set(candidates.map(\.id))
        for node in economy.eligibleNodes(role: .flexible, atEpoch: epoch) {
            // An account may bond both roles; its flexible node then gets its own id.
            let id = coreIds.contains(node.account) ? "\(node.account)/flexible" : node.account
            candidates.append(NodeCandidate(id: id, stake: node.stake.baseUnits, role: .flexible))
        }
        try self.init(candidates: candidates)
    }
}
