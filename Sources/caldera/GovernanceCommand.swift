// `caldera economy propose|deposit|vote|proposals`: the governance commands, beside the other economy commands.
// Each parses its arguments into typed values first (a bad key, value, proposal id or option exits 2 before the
// ledger is opened), then applies one operation as one transaction.

import ArgumentParser
import Economics
import Foundation

extension VoteOption: ExpressibleByArgument {}

/// One line per governance event.
func renderGovernance(_ event: EconomyEvent) -> String {
    func tallyText(_ t: Tally) -> String {
        "yes \(t.yes), no \(t.no), abstain \(t.abstain), veto \(t.veto) of \(t.bondedStake) bonded"
    }
    switch event {
    case let .proposalSubmitted(id, proposer, deposit, expedited):
        return "proposal \(id) submitted by \(proposer)\(expedited ? " (expedited)" : "") with a deposit of \(deposit)"
    case let .deposited(account, id, amount, escrow):
        return "\(account) deposited \(amount) on proposal \(id); \(escrow) in escrow"
    case let .votingStarted(id, end):
        return "proposal \(id) is open for votes until epoch \(end)"
    case let .voted(account, id, option):
        return "\(account) votes \(option) on proposal \(id) (weighted by its bonded stake when voting ends)"
    case let .proposalTallied(id, tally, outcome, expedited):
        return "proposal \(id)\(expedited ? " (expedited)" : "") tallied: \(tallyText(tally)): \(outcome.rawValue)"
    case let .proposalPassed(id, epoch):
        return "proposal \(id) passed; its changes apply at epoch \(epoch)"
    case let .proposalExpired(id):
        return "proposal \(id) expired below the minimum deposit"
    case let .depositRefunded(account, id, amount):
        return "refunded \(amount) of proposal \(id)'s deposit to \(account)"
    case let .depositsBurned(id, amount, pool):
        return "burned proposal \(id)'s deposits: \(amount) to pool '\(pool)'"
    case let .proposalExecuted(id, content, recounted):
        let changes = content.changes.map(\.description) + content.guardianAdditions.map { "guardian-add \($0)" }
            + content.guardianRemovals.map { "guardian-remove \($0)" }
        return "proposal \(id) executed" + (changes.isEmpty ? " (text only)" : ": " + changes.joined(separator: ", "))
            + (recounted.isEmpty ? "" : "; re-counted the bonds of \(recounted.count) account(s)")
    case let .proposalFailed(id, reason):
        return "proposal \(id) failed at execution, nothing applied: \(reason)"
    case let .guardianSetChanged(epoch, members):
        return "guardian set from epoch \(epoch): \(members.isEmpty ? "(none eligible)" : members.joined(separator: ", "))"
    default:
        return String(describing: event)
    }
}

extension EconomyCommand {
    struct Propose: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit a governance proposal with a deposit; prints the proposal id on the first line.",
            discussion: """
                Changes: --set KEY=VALUE (repeatable; keys as `report --json` lists under "parameters", e.g. \
                slashing.downtime.fraction=0.001, minimumStake.guardian=600000, revenueSplit.core=3500), \
                --guardian-add ID / --guardian-remove ID (repeatable), --text T (a signalling proposal, or a \
                description). Changes are checked now and refused if they would break an invariant (a split not \
                summing to 10000, a guardian minimum that leaves no guardian, …). Voting starts once the deposit \
                reaches governance.minimumDeposit (governance.expeditedMinimumDeposit with --expedited).
                """)
        @OptionGroup var options: EconomyLedgerOption
        @Option(help: "The proposing account (pays the initial deposit).") var account: String
        @Option(name: .customLong("set"), parsing: .unconditionalSingleValue, help: ArgumentHelp("A parameter change.", valueName: "KEY=VALUE"))
        var changes: [String] = []
        @Option(name: .customLong("guardian-add"), help: ArgumentHelp("Add an account to the guardian set.", valueName: "ID"))
        var guardianAdditions: [String] = []
        @Option(name: .customLong("guardian-remove"), help: ArgumentHelp("Remove an account from the guardian set.", valueName: "ID"))
        var guardianRemovals: [String] = []
        @Option(parsing: .unconditional, help: "Text of the proposal.") var text: String?
        @Option(parsing: .unconditional, help: "Initial deposit, e.g. \"1000 ERA\".") var deposit: String
        @Flag(help: "An expedited proposal: higher deposit and threshold, shorter voting period.") var expedited = false

        func run() throws {
            var parsed: [ParameterChange] = []
            for change in changes {
                do { parsed.append(try ParameterChange(parsing: change)) } catch { throw failure("--set: \(error.description)") }
            }
            let content = ProposalContent(changes: parsed, guardianAdditions: guardianAdditions, guardianRemovals: guardianRemovals, text: text)
            let operation = EconomyOperation.propose(account: account, content: content, deposit: try parseAmount(deposit, "--deposit"),
                                                     expedited: expedited)
            let events = try applyOne(options.ledger, operation, printing: false)
            for case let .proposalSubmitted(id, _, _, _) in events { print(String(id)) }
            for event in events { print(render(event)) }
        }
    }

    struct Deposit: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add to a proposal's deposit (during its deposit or voting period).")
        @OptionGroup var options: EconomyLedgerOption
        @Option(help: "The depositing account.") var account: String
        @Option(parsing: .unconditional, help: "The proposal id.") var proposal: UInt64
        @Option(parsing: .unconditional, help: "Amount, e.g. \"500 ERA\".") var amount: String

        func run() throws {
            try applyOne(options.ledger, .deposit(account: account, proposal: proposal, amount: try parseAmount(amount, "--amount")))
        }
    }

    struct Vote: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Vote yes, no, abstain or veto on a proposal in its voting period (a new vote replaces the old one).",
            discussion: "The vote weighs the account's active bonded stake at the end of the voting period.")
        @OptionGroup var options: EconomyLedgerOption
        @Option(help: "The voting account.") var account: String
        @Option(parsing: .unconditional, help: "The proposal id.") var proposal: UInt64
        @Option(help: "yes, no, abstain or veto.") var option: VoteOption

        func run() throws {
            try applyOne(options.ledger, .vote(account: account, proposal: proposal, option: option))
        }
    }

    struct Proposals: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List proposals: status, changes, deposits, deadlines and tally.",
            discussion: """
                With --json: an array of {"id", "status", "proposer", "expedited", "changes", "text", "escrow", \
                "totalDeposited", "depositOutcome", "depositEndEpoch", "votingEndEpoch", "executesAtEpoch", "tally", \
                "outcome", "failureReason"}; amounts are decimal strings of base units. During voting the tally uses \
                the stakes now; afterwards it is the final tally.
                """)
        @OptionGroup var options: EconomyLedgerOption
        @OptionGroup var format: ReportFormat

        func run() throws {
            let lines = try attempt { try Ledger.open(path: options.ledger, readOnly: true).state.proposalLines() }
            try format.emit(lines) { lines in
                if lines.isEmpty { print("no proposals") }
                for line in lines { print(renderProposal(line)) }
            }
        }
    }
}

/// A proposal as text: one header line, then its changes and tally.
func renderProposal(_ p: EconomyReport.ProposalLine) -> String {
    var out = ["proposal \(p.id): \(p.status)\(p.expedited ? " (expedited)" : "") by \(p.proposer)"]
    for change in p.changes { out.append("  change: \(change)") }
    if let text = p.text { out.append("  text: \(text)") }
    out.append("  deposits: \(p.escrow) in escrow, \(p.totalDeposited) in all" + (p.depositOutcome.map { " (\($0))" } ?? ""))
    switch p.status {
    case .deposit: out.append("  deposit period ends at epoch \(p.depositEndEpoch)")
    case .voting: out.append("  voting ends at epoch \(p.votingEndEpoch ?? 0)")
    case .passed: out.append("  applies at epoch \(p.executesAtEpoch ?? 0)")
    default: break
    }
    if let t = p.tally {
        out.append("  tally: yes \(t.yes), no \(t.no), abstain \(t.abstain), veto \(t.veto); bonded \(t.bondedStake)"
                   + (p.outcome.map { " → \($0.rawValue)" } ?? ""))
    }
    if let reason = p.failureReason { out.append("  failed: \(reason)") }
    return out.joined(separator: "\n")
}
