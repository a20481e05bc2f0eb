import Economics

extension Evidence {
    public enum SubmissionError: Error, Equatable, CustomStringConvertible {
        case doesNotVerify
        case unknownOffender
        public var description: String {
            switch self {
            case .doesNotVerify: "the evidence does not verify: the two signatures are not one key's, or the two signed things do not conflict"
            case .unknownOffender: "the offender is no guardian account the ledger knows"
            }
        }
    }

    /// The ledger operation that slashes the offender for this evidence (offence `equivocation`), after checking
    /// it: any node can build it from evidence it received and submit it to the ERA ledger. `account` maps a
    /// signing identity (a guardian's address) to its ledger account. Sequencer equivocation is not a guardian
    /// offence and has no account here.
    public func slashOperation(verifier: any SignatureVerifier, account: ([UInt8]) -> String?) throws(SubmissionError) -> EconomyOperation {
        guard verify(with: verifier) else { throw .doesNotVerify }
        if case .sequencerEquivocation = self { throw .unknownOffender }
        guard let a = account(offender) else { throw .unknownOffender }
        return .slash(account: a, offence: .equivocation)
    }
}
