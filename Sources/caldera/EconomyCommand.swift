// `caldera economy`: the command-line shell over the Economics ledger. Every subcommand opens the ledger file,
// applies at most one operation (one transaction) and prints what happened. User errors print `error: …` to
// stderr and exit with status 2, writing nothing. No logic here that the Economics library lacks.

import ArgumentParser
import Economics
import Foundation

/// `caldera economy …`: staking, revenue distribution, slashing and reports over an ERA ledger file.
public struct EconomyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "economy",
        abstract: "Run the ERA token economy: staking, revenue distribution, slashing, reports.",
        discussion: """
            Amounts are decimal ERA with up to 18 decimals, with or without the " ERA" suffix: "150000 ERA", \
            "0.5", "0.000000000000000001 ERA". The ledger is an SQLite file; every command is one transaction.
            """,
        subcommands: [Init.self, Stake.self, Unstake.self, Distribute.self, Claim.self, Slash.self, Advance.self, Report.self,
                      Propose.self, Deposit.self, Vote.self, Proposals.self])

    public init() {}
}

/// The option every subcommand shares.
struct EconomyLedgerOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The ledger file (SQLite).", valueName: "FILE"))
    var ledger: String
}

func parseAmount(_ text: String, _ what: String) throws(CLIError) -> Amount {
    do { return try Amount(parsing: text) } catch { throw failure("\(what): \(error.description)") }
}

extension StakeRole: ExpressibleByArgument {}
extension Offence: ExpressibleByArgument {}

/// Opens the ledger, applies one operation, prints its events; returns them.
@discardableResult
func applyOne(_ ledgerPath: String, _ operation: EconomyOperation, printing: Bool = true) throws(CLIError) -> [EconomyEvent] {
    let events = try attempt {
        let ledger = try Ledger.open(path: ledgerPath)
        return try ledger.apply(operation)
    }
    if printing { for event in events { print(render(event)) } }
    return events
}

/// One line of human-readable text per event.
func render(_ event: EconomyEvent) -> String {
    switch event {
    case let .staked(account, role, amount, bonded):
        return "staked \(amount) from \(account) as \(role); bonded now \(bonded)"
    case let .unbondingStarted(account, role, amount, epoch):
        return "unbonding \(amount) of \(account)'s \(role) bond; released at epoch \(epoch) (slashable until then)"
    case let .unbondingCompleted(account, role, amount):
        return "released \(amount) of \(account)'s \(role) unbonding to its balance"
    case let .distributed(payer, revenue, carriedIn, core, guardian, flexible, developers, userSupport, carriedOut):
        return """
            distributed \(revenue) from \(payer) (+ \(carriedIn) carried in):
              core nodes \(core), guardians \(guardian), flexible nodes \(flexible),
              developers \(developers), user support \(userSupport), carried to next epoch \(carriedOut)
            """
    case let .claimed(account, amount):
        return "claimed \(amount) of rewards into \(account)'s balance"
    case let .slashed(account, offence, amount, fraction, prior, pool):
        return "slashed \(account) for \(offence): \(amount) (fraction \(fraction), \(prior) prior offence(s) in window) to pool '\(pool)'"
    case let .jailed(account, until):
        return "jailed \(account) until epoch \(until)"
    case let .tombstoned(account):
        return "tombstoned \(account): permanently excluded from every role"
    case let .unjailed(account):
        return "released \(account) from jail"
    case let .epochAdvanced(epoch):
        return "epoch is now \(epoch)"
    case let .transferred(from, to, amount):
        return "transferred \(amount) from \(from) to \(to)"
    default:
        return renderGovernance(event)
    }
}

extension EconomyCommand {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a ledger from a genesis file.",
            discussion: """
                GENESIS.json is {"accounts": {"NAME": "AMOUNT", …}, "parameters": {…}}; parameters are optional and \
                default as documented in docs/economics.md. The ledger file must not exist yet.
                """)
        @OptionGroup var options: EconomyLedgerOption
        @Option(name: .long, help: ArgumentHelp("The genesis file (JSON).", valueName: "GENESIS.json"))
        var genesis: String

        func run() throws {
            let parsed = try decodeJSON(Genesis.self, from: try readInput(genesis, limit: InputLimit.json), name: "genesis file '\(genesis)'")
            let ledger = try attempt { try Ledger.create(path: options.ledger, genesis: parsed) }
            print("created ledger \(options.ledger): \(ledger.state.accounts.count) accounts, total supply \(ledger.state.totalSupply)")
        }
    }

    /// What `stake` and `unstake` both name: the ledger, the account, the bond's role and an amount.
    struct BondOptions: ParsableArguments {
        @OptionGroup var options: EconomyLedgerOption
        @Option(help: "The staking account.") var account: String
        @Option(help: "The bond's role.") var role: StakeRole
        @Option(parsing: .unconditional, help: "Amount, e.g. \"150000 ERA\".") var amount: String

        /// Applies the operation these options describe.
        func apply(_ operation: (_ account: String, _ role: StakeRole, _ amount: Amount) -> EconomyOperation) throws(CLIError) {
            try applyOne(options.ledger, operation(account, role, try parseAmount(amount, "--amount")))
        }
    }

    struct Stake: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bond tokens from an account's balance to a role (minimums: flexible 50000, core 100000, guardian 500000 ERA by default).")
        @OptionGroup var bond: BondOptions
        func run() throws { try bond.apply(EconomyOperation.stake) }
    }

    struct Unstake: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start unbonding part or all of a bond; the tokens return after the unbonding delay and stay slashable until then.")
        @OptionGroup var bond: BondOptions
        func run() throws { try bond.apply(EconomyOperation.unstake) }
    }

    struct Distribute: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Distribute one epoch's revenue: 40% core / 25% guardians / 15% flexible / 10% developers / 10% user support.")
        @OptionGroup var options: EconomyLedgerOption
        @Option(parsing: .unconditional, help: "The epoch's revenue, e.g. \"1000 ERA\".") var revenue: String
        @Option(name: .customLong("from"), help: "The paying account.") var payer: String = "fees"

        func run() throws {
            try applyOne(options.ledger, .distribute(revenue: try parseAmount(revenue, "--revenue"), payer: payer))
        }
    }

    struct Claim: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an account's accrued rewards into its balance.")
        @OptionGroup var options: EconomyLedgerOption
        @Option(help: "The account claiming.") var account: String

        func run() throws {
            try applyOne(options.ledger, .claim(account: account))
        }
    }

    struct Slash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Punish an account: equivocation, invalid-root, downtime or withholding (progressive; may jail or tombstone).")
        @OptionGroup var options: EconomyLedgerOption
        @Option(help: "The offending account.") var account: String
        @Option(help: "The offence.") var offence: Offence

        func run() throws {
            try applyOne(options.ledger, .slash(account: account, offence: offence))
        }
    }

    struct Advance: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let epochs pass: due unbondings are released and finished jail terms end.")
        @OptionGroup var options: EconomyLedgerOption
        @Option(parsing: .unconditional, help: "Number of epochs (at least 1).") var epochs: UInt64

        func run() throws {
            guard epochs > 0 else { throw failure("--epochs must be at least 1") }
            try applyOne(options.ledger, .advance(epochs: epochs))
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where every token is: balances, bonds, unbonding, pending rewards and pools.",
            discussion: """
                With --json, amounts are decimal strings of base units (1 ERA = 10^18); "parameters" maps every \
                governable key to its value in force (in --set form) and "proposals" lists each proposal's id, \
                status and tally (see `proposals --help`).
                """)
        @OptionGroup var options: EconomyLedgerOption
        @OptionGroup var format: ReportFormat

        func run() throws {
            try format.emit(try attempt { try Ledger.open(path: options.ledger, readOnly: true).state.report() }) { print(renderTable($0)) }
        }
    }
}

/// The human-readable report: one row per account, then pools and the conservation check.
fileprivate func renderTable(_ report: EconomyReport) -> String {
    let header = ["account", "balance", "core", "flexible", "guardian", "unbonding", "pending rewards", "status"]
    var rows = [header]
    for line in report.accounts {
        rows.append([line.id, line.balance.description, line.bonded.core.description, line.bonded.flexible.description,
                     line.bonded.guardian.description, line.unbonding.description, line.pendingRewards.description, line.status])
    }
    var widths = Array(repeating: 0, count: header.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    func format(_ row: [String]) -> String {
        row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    var out = ["epoch \(report.epoch), total supply \(report.totalSupply)", ""]
    out.append(format(rows[0]))
    out.append(format(widths.map { String(repeating: "-", count: $0) }))
    for row in rows.dropFirst() { out.append(format(row)) }
    out.append("")
    out.append("pools:")
    let nameWidth = report.pools.keys.map(\.count).max() ?? 0
    for (name, amount) in report.pools.sorted(by: { $0.key < $1.key }) {
        out.append("  " + name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  " + amount.description)
    }
    let accounted = report.accountedFor
    out.append("")
    out.append("accounted for: \(accounted) of \(report.totalSupply)" + (accounted == report.totalSupply ? " (conserved)" : " (MISMATCH)"))
    return out.joined(separator: "\n")
}
