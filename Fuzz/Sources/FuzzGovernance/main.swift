// `caldera economy propose`: any bytes, read as a `--set KEY=VALUE` argument, either are refused or give a typed
// change whose text parses back to the same value; read as proposal content (strict JSON), either are refused at
// submission with the state unchanged, or pass a vote and execute (or fail at execution) with every invariant holding.
import Economics
import Wire

let base: EconomyState = {
    var state = try! EconomyState(genesis: Genesis(accounts: ["g1": try! Amount(era: 2_000_000), "g2": try! Amount(era: 2_000_000),
                                                             "p": try! Amount(era: 100_000)]))
    try! state.apply(.stake(account: "g1", role: .guardian, amount: try! Amount(era: 600_000)))
    try! state.apply(.stake(account: "g2", role: .guardian, amount: try! Amount(era: 500_000)))
    try! state.apply(.stake(account: "g2", role: .core, amount: try! Amount(era: 100_000)))
    return state
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let text = String(validating: bytes, as: UTF8.self), let change = try? ParameterChange(parsing: text) {
        precondition((try? change.key.parse(change.value.description)) == change.value, "\(change) does not round-trip")
    }
    guard let content = try? StrictJSONDecoder(maxBytes: 1 << 16).decode(ProposalContent.self, from: bytes) else { return 0 }
    var state = base
    do {
        try state.apply(.propose(account: "p", content: content, deposit: try! Amount(era: 1_000), expedited: false))
    } catch {
        precondition(state == base, "a refused proposal changed the state")
        return 0
    }
    try! state.checkInvariants()
    try! state.apply(.vote(account: "g1", proposal: 1, option: .yes))
    try! state.apply(.advance(epochs: 4))
    try! state.checkInvariants()
    let status = state.governance.proposals[1]!.status
    precondition(status == .executed || status == .failed, "proposal ended \(status)")
    return 0
}
