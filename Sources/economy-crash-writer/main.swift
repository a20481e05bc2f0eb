// economy-crash-writer LEDGER SEED: applies random operations to an existing ledger, one transaction each, until
// killed. The crash test sends it SIGKILL at random moments and checks the ledger it leaves behind.
import Economics
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3, let seed = UInt64(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: economy-crash-writer LEDGER SEED\n".utf8))
    exit(2)
}
// Never outlive the test that started us (if it crashes before killing us, we are re-parented), and never run
// for more than a minute.
let parent = getppid()
let deadline = ContinuousClock.now + .seconds(60)

do {
    let ledger = try Ledger.open(path: arguments[1])
    var random = Workload.Random(seed: seed)
    var accounts = ledger.state.accounts.keys.sorted()
    var applied = 0
    while ContinuousClock.now < deadline && getppid() == parent {
        let operation = Workload.operation(from: random.next(), accounts: accounts, parameters: ledger.state.parameters)
        do {
            try ledger.apply(operation)
            applied += 1
            if case .transfer = operation { accounts = ledger.state.accounts.keys.sorted() }
            if applied == 1 { FileHandle.standardOutput.write(Data("writing\n".utf8)) }  // tells the test we are running
        } catch is EconomyError {
            continue  // a refused operation writes nothing; keep going
        }
    }
    exit(0)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
