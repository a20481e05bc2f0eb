/// Why an operation on the economy was refused. Every case says what to change to make it succeed.
/// A refused operation leaves the state exactly as it was.
public enum EconomyError: Error, Equatable, Sendable, CustomStringConvertible {
    case amount(AmountError)
    case unknownAccount(String)
    case invalidAccountName(String)
    case zeroAmount(String)
    case insufficientBalance(account: String, needed: Amount, available: Amount)
    case belowMinimum(role: StakeRole, resulting: Amount, minimum: Amount)
    case insufficientBond(account: String, role: StakeRole, requested: Amount, bonded: Amount)
    case wouldLeaveBelowMinimum(account: String, role: StakeRole, remaining: Amount, minimum: Amount)
    case tombstoned(String)
    case nothingToSlash(String)
    case zeroEpochs
    /// Advancing would pass ``EconomyState/maxEpoch``.
    case tooManyEpochs(requested: UInt64, epoch: UInt64)
    /// A parameter above its documented limit (e.g. `parameters.unbondingEpochs` above ``EconomyParameters/maxDelayEpochs``).
    case parameterOutOfRange(field: String, value: UInt64, limit: UInt64)
    case accumulatorOverflow(StakeRole)
    case invalidParameter(String)
    case invalidGenesis(String)
    case unknownProposal(UInt64)
    /// The proposal is past the stage where it can take this action (deposits, votes).
    case proposalClosed(proposal: UInt64, status: ProposalStatus, action: String)
    /// A proposal's content is malformed or would break an invariant (the message says which).
    case invalidProposal(String)
    case unknownParameter(String)

    public var description: String {
        switch self {
        case .amount(let error): error.description
        case .unknownAccount(let id): "unknown account '\(id)'; accounts are created by the genesis file"
        case .invalidAccountName(let id): "invalid account name '\(id)'; use 1-64 letters, digits, '-', '_' or '.'"
        case .zeroAmount(let what): "\(what) must be greater than 0 ERA"
        case .insufficientBalance(let account, let needed, let available): "account '\(account)' has \(available) available but \(needed) is needed"
        case .belowMinimum(let role, let resulting, let minimum): "a \(role) bond must be at least \(minimum); this stake would make it \(resulting)"
        case .insufficientBond(let account, let role, let requested, let bonded): "account '\(account)' has only \(bonded) bonded as \(role); cannot unstake \(requested)"
        case .wouldLeaveBelowMinimum(let account, let role, let remaining, let minimum): "unstaking would leave account '\(account)' with \(remaining) bonded as \(role), below the minimum \(minimum); unstake all of it or leave at least the minimum"
        case .tombstoned(let id): "account '\(id)' is tombstoned (permanently banned for a severe offence); it can only unstake and claim"
        case .nothingToSlash(let id): "account '\(id)' has no bonded or unbonding stake to slash"
        case .zeroEpochs: "the number of epochs to advance must be at least 1"
        case .tooManyEpochs(let requested, let epoch): "epochs: cannot advance \(requested) epochs from epoch \(epoch); epochs stop at \(EconomyState.maxEpoch) (EconomyState.maxEpoch), so at most \(EconomyState.maxEpoch - min(epoch, EconomyState.maxEpoch)) more"
        case .parameterOutOfRange(let field, let value, let limit): "invalid parameter: \(field) is \(value); the limit is \(limit)"
        case .accumulatorOverflow(let role): "the \(role) reward accumulator would overflow 128 bits; the \(role) minimum stake is too small for this revenue"
        case .invalidParameter(let message): "invalid parameter: \(message)"
        case .invalidGenesis(let message): "invalid genesis: \(message)"
        case .unknownProposal(let id): "no proposal \(id); list them with `caldera economy proposals`"
        case .proposalClosed(let id, let status, let action): "proposal \(id) is \(status) and can no longer \(action)"
        case .invalidProposal(let message): "invalid proposal: \(message)"
        case .unknownParameter(let name): "unknown parameter '\(name)'; the keys are listed by `caldera economy report --json` under \"parameters\""
        }
    }
}

/// A broken invariant: a bug or a corrupted ledger, never a user error.
public struct InvariantViolation: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "invariant violated: \(message)" }
}
