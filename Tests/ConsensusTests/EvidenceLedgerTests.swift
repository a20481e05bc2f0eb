import Consensus
import Economics
import Merkle
import Testing

/// Equivocation evidence (as the core emits it; `SimulationTests` shows runs with equivocators yield it), submitted to the ERA economy: the equivocating guardian is
/// slashed under `equivocation`, and forged evidence is refused before it reaches the ledger.
@Suite struct EvidenceLedgerTests {
    @Test func equivocationEvidenceSlashesTheGuardian() throws {
        let verifier = SimulatedSignatures(rollups: Set((0..<4).map(UInt64.init)))
        var v1 = Vote(kind: .precommit, setId: 1, height: 3, round: 0, value: SHA256.hash([1]), voter: 2, signature: [])
        var v2 = v1; v2.value = SHA256.hash([2])
        let key = SimulatedKey(number: 2)
        v1.signature = key.sign(v1.signingMessage); v2.signature = key.sign(v2.signingMessage)
        let evidence = Evidence.doubleVote(v1, v2, identity: key.identity)
        let accounts = [key.identity: "guardian-2"]
        let op = try evidence.slashOperation(verifier: verifier) { accounts[$0] }
        #expect(op == .slash(account: "guardian-2", offence: .equivocation))

        // The economy applies it: guardian-2's bond is cut.
        var state = try EconomyState(genesis: Genesis(accounts: ["guardian-2": Amount(baseUnits: ERA.guardianMinimumStake * 2)]))
        _ = try state.apply(.stake(account: "guardian-2", role: .guardian, amount: Amount(baseUnits: ERA.guardianMinimumStake * 2)))
        let events = try state.apply(op)
        #expect(events.contains { if case .slashed(let a, .equivocation, _, _, _, _) = $0 { a == "guardian-2" } else { false } })

        // Forged or non-conflicting evidence never becomes an operation.
        var forged = v2; forged.signature = SimulatedKey(number: 3).sign(forged.signingMessage)
        #expect(throws: Evidence.SubmissionError.doesNotVerify) { try Evidence.doubleVote(v1, forged, identity: key.identity).slashOperation(verifier: verifier) { accounts[$0] } }
        #expect(throws: Evidence.SubmissionError.doesNotVerify) { try Evidence.doubleVote(v1, v1, identity: key.identity).slashOperation(verifier: verifier) { accounts[$0] } }
        #expect(throws: Evidence.SubmissionError.unknownOffender) { try evidence.slashOperation(verifier: verifier) { _ in nil } }
    }
}
