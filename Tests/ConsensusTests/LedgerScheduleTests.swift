import Consensus
@testable import Economics
import Testing

@Suite struct LedgerScheduleTests {
    @Test func committeesComeFromTheLedgersGuardianSets() throws {
        let a = EligibleNode(account: "alice", stake: Amount(baseUnits: 700)), b = EligibleNode(account: "bob", stake: Amount(baseUnits: 300))
        let views = [GuardianSetView(epoch: 0, membershipVersion: 0, members: [a, b], totalStake: Amount(baseUnits: 1000)),
                     GuardianSetView(epoch: 5, membershipVersion: 1, members: [a], totalStake: Amount(baseUnits: 700))]
        let s = try CommitteeSchedule(ledger: views, epochLength: 100) { Array($0.utf8) }
        #expect(s.committee(forHeight: 499).count == 2 && s.committee(forHeight: 499).setId == 1)
        #expect(s.committee(forHeight: 500).members == [Array("alice".utf8)] && s.committee(forHeight: 500).setId == 2)
        #expect(throws: CommitteeSchedule.LedgerError.noKey(account: "bob")) { try CommitteeSchedule(ledger: views, epochLength: 100) { $0 == "bob" ? nil : [1] } }
    }
}
