// economy-crash-writer LEDGER SEED [--operations N] [--reopen]: applies random operations to an existing ledger,
// one transaction each. The child process of the ledger's crash and concurrency tests.
//
// Without --operations it writes until killed (the crash test sends SIGKILL at random moments). With
// --operations N it attempts N operations, prints "applied K" and exits 0; if the ledger stays locked past the
// busy timeout it prints "applied K" and the LedgerError on stderr and exits 3; any other failure exits 1.
// --reopen opens the ledger afresh for every operation, as one CLI process per operation would.
// --governance instead runs governance rounds until killed: account "g" proposes minimumStake.flexible alternately
// 55000 and 65000 ERA (so executing re-counts every flexible bond), votes yes, advances to the tally, prints
// "executing ID", and advances through the timelock: the crash test kills it during that execution.
import Economics
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
func usage() -> Never {
    FileHandle.standardError.write(Data("usage: economy-crash-writer LEDGER SEED [--operations N] [--reopen] [--governance]\n".utf8))
    exit(2)
}
guard arguments.count >= 2, let seed = UInt64(arguments[1]) else { usage() }
let path = arguments[0]
var limit: Int?
var reopen = false
var governance = false
var rest = arguments.dropFirst(2)
while let option = rest.popFirst() {
    switch option {
    case "--operations": guard let text = rest.popFirst(), let count = Int(text), count >= 0 else { usage() }; limit = count
    case "--reopen": reopen = true
    case "--governance": governance = true
    default: usage()
    }
}
// Never outlive the test that started us (if it crashes before killing us, we are re-parented), and never run
// for more than a minute.
let parent = getppid()
let deadline = ContinuousClock.now + .seconds(60)

var applied = 0
@MainActor func finish(_ status: Int32, _ message: String? = nil) -> Never {
    FileHandle.standardOutput.write(Data("applied \(applied)\n".utf8))
    if let message { FileHandle.standardError.write(Data("error: \(message)\n".utf8)) }
    exit(status)
}

/// Governance rounds until killed (or the deadline): propose, vote, pass, execute.
@MainActor func governanceRounds(_ ledger: Ledger) throws -> Never {
    var round = ledger.state.governance.nextProposalID
    while ContinuousClock.now < deadline && getppid() == parent {
        let minimum = round % 2 == 0 ? "65000" : "55000"
        let content = ProposalContent(changes: [try ParameterChange(parsing: "minimumStake.flexible=\(minimum)")], text: "round \(round)")
        let events = try ledger.apply(.propose(account: "g", content: content, deposit: try Amount(era: 1_000), expedited: false))
        guard case let .proposalSubmitted(id, _, _, _)? = events.first else { finish(1, "no proposal id") }
        try ledger.apply(.vote(account: "g", proposal: id, option: .yes))
        try ledger.apply(.advance(epochs: ledger.state.parameters.governance.votingPeriodEpochs))
        applied += 3
        FileHandle.standardOutput.write(Data("executing \(id)\n".utf8))
        try ledger.apply(.advance(epochs: ledger.state.parameters.governance.timelockEpochs))
        applied += 1
        round += 1
    }
    finish(0)
}

do {
    var ledger = try Ledger.open(path: path)
    if governance { try governanceRounds(ledger) }
    var random = OperationWorkload.Random(seed: seed)
    var attempted = 0
    while ContinuousClock.now < deadline && getppid() == parent {
        if let limit, attempted >= limit { break }
        attempted += 1
        if reopen && attempted > 1 { ledger = try Ledger.open(path: path) }
        // Accounts as this process last saw them: other writers may add some; an unknown one is just refused.
        let accounts = ledger.state.accounts.keys.sorted()
        let operation = OperationWorkload.operation(from: random.next(), accounts: accounts, parameters: ledger.state.parameters)
        do {
            try ledger.apply(operation)
            applied += 1
            if applied == 1 && limit == nil { FileHandle.standardOutput.write(Data("writing\n".utf8)) }  // tells the test we run
        } catch is EconomyError {
            continue  // a refused operation writes nothing; keep going
        } catch LedgerError.busy where limit == nil {
            continue  // until killed: a busy ledger is only a reason to try again
        }
    }
    finish(0)
} catch let error as LedgerError {
    if case .busy = error { finish(3, error.description) }
    finish(1, error.description)
} catch {
    finish(1, String(describing: error))
}
