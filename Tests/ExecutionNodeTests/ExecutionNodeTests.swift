import Execution
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Merkle
import Metalayer
import TestSupport
import Testing
import Wire
@testable import ExecutionNode

let alice = Secp256k1.PrivateKey.derived(seed: Array("alice".utf8), index: 0)
let bob = Secp256k1.PrivateKey.derived(seed: Array("bob".utf8), index: 0)

func transfer(_ key: Secp256k1.PrivateKey = alice, to: EthereumAddress = bob.address, value: UInt64 = 100, nonce: UInt64 = 0, fee: UInt64 = 3,
              destination: UInt64 = 0, payload: [UInt8] = []) -> RollupTransaction {
    .signed(by: key, rollupId: 7, to: to, value: value, nonce: nonce, fee: fee, destinationRollup: destination, payload: payload)
}

@Suite struct TransactionFormatTests {
    @Test func signingDigestIsTheSpecifiedLayout() throws {
        let tx = transfer(payload: [1, 2, 3])
        // Built by hand from docs/execution.md, independently of the encoder.
        var b = Array("caldera/tx/v1".utf8) + [0]
        func be(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * (7 - $0))) } }
        b += be(7) + alice.address.bytes + bob.address.bytes + be(100) + be(0) + be(3) + be(0) + [0, 0, 0, 3, 1, 2, 3]
        #expect(tx.signingDigest == Keccak256.hash(b))
        #expect(tx.encoded() == Array(b.dropFirst(14)) + tx.signature.bytes)
        #expect(tx.hash == Keccak256.hash(tx.encoded()))
        #expect(try tx.signature.recover(digest: tx.signingDigest) == alice.address)
    }

    @Test func roundTripAndStrictness() throws {
        var rng = TestRNG(11)
        for n in [0, 1, 100, RollupTransaction.maxPayloadBytes] {
            let tx = transfer(value: rng.next(), nonce: rng.next(), fee: rng.next(), destination: UInt64(n % 3), payload: rng.bytes(n))
            let bytes = tx.encoded()
            #expect(try RollupTransaction.decode(bytes) == tx)
            #expect(throws: NodeWireError.self) { try RollupTransaction.decode(bytes + [0]) }
            #expect(throws: NodeWireError.self) { try RollupTransaction.decode(Array(bytes.dropLast())) }
        }
        // A payload length above the limit is refused before anything is read.
        var big = transfer().encoded()
        big.replaceSubrange(80..<84, with: [0, 1, 0, 1]) // six u64s and two addresses precede the length
        #expect(throws: NodeWireError.self) { try RollupTransaction.decode(big) }
    }

    @Test func framesRoundTrip() throws {
        var w = TransferWorkload(rollupId: 1, accounts: 4, balance: 1_000_000, seed: 3)
        let items = (0..<5).map { _ in w.next() }
        let receipts = items.map { Executor.execute($0) }
        for f in [NodeFrame.hello(nodeId: 9, pid: 1234), .batch(id: 77, items: items), .results(id: 77, receipts: receipts), .drain, .batch(id: 1, items: [])] {
            let bytes = f.framed()
            #expect(Array(bytes.prefix(4)) == [0, 0, 0, 0].enumerated().map { UInt8(truncatingIfNeeded: (bytes.count - 4) >> (8 * (3 - $0.offset))) })
            #expect(try NodeFrame.decode(payload: Array(bytes.dropFirst(4))) == f)
        }
    }

    /// Every prefix, every single-byte change and seeded flips of a batch and a results frame: decode or throw, never trap.
    @Test func mutatedFramesNeverCrash() throws {
        var w = TransferWorkload(rollupId: 1, accounts: 4, balance: 1_000_000, seed: 5)
        let items = (0..<2).map { _ in w.next() }
        for f in [NodeFrame.batch(id: 1, items: items), .results(id: 2, receipts: items.map { Executor.execute($0) }), .hello(nodeId: 1, pid: 2)] {
            let p = f.payload()
            var decoded = 0
            for m in Mutations.prefixes(p) { if (try? NodeFrame.decode(payload: m)) != nil { decoded += 1 } }
            #expect(f == .drain || decoded == 0, "a strict prefix decoded")
            for i in 0..<p.count {
                for x: UInt8 in [0x01, 0x80, 0xff] {
                    var m = p
                    m[i] ^= x
                    _ = try? NodeFrame.decode(payload: m)
                }
            }
            for m in Mutations.flips(p, count: 500, seed: 9) { _ = try? NodeFrame.decode(payload: m) }
        }
        // Counts beyond the limit or beyond the bytes present.
        #expect(throws: NodeWireError.self) { try NodeFrame.decode(payload: [3, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]) }
        #expect(throws: NodeWireError.self) { try NodeFrame.decode(payload: [3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 200]) }
        #expect(throws: NodeWireError.self) { try NodeFrame.decode(payload: [9]) }
        #expect(throws: NodeWireError.self) { try NodeFrame.decode(payload: []) }
        #expect(!NodeFrame.lengthAllowed(0) && !NodeFrame.lengthAllowed(UInt32(NodeFrame.maxFrameBytes + 1)) && NodeFrame.lengthAllowed(1))
    }
}

@Suite struct ExecutorTests {
    let rich = AccountState(balance: 1_000, nonce: 5)
    let poor = AccountState(balance: 10, nonce: 0)

    @Test func appliesATransfer() {
        let tx = transfer(value: 100, nonce: 5, fee: 3)
        let r = Executor.execute(WorkItem(tx: tx, sender: rich, recipient: poor))
        #expect(r == Receipt(txHash: tx.hash, status: .applied, senderAfter: AccountState(balance: 897, nonce: 6),
                             recipientAfter: AccountState(balance: 110, nonce: 0), fee: 3))
    }

    @Test func eachRefusal() throws {
        func status(_ tx: RollupTransaction, _ s: AccountState, _ r: AccountState) -> Receipt {
            let receipt = Executor.execute(WorkItem(tx: tx, sender: s, recipient: r))
            if receipt.status != .applied { #expect(receipt.senderAfter == s && receipt.recipientAfter == r && receipt.fee == 0) }
            return receipt
        }
        var forged = transfer(nonce: 5)
        forged.value = 101
        #expect(status(forged, rich, poor).status == .badSignature)
        var other = transfer(bob, nonce: 5)
        other.from = alice.address // bob's signature claiming alice's account
        #expect(status(other, rich, poor).status == .badSignature)
        var highS = transfer(nonce: 5)
        highS.signature = Secp256k1.Signature(bytes: SignatureBytes.highSTwin(highS.signature.bytes))!
        #expect(status(highS, rich, poor).status == .badSignature)
        #expect(status(transfer(nonce: 4), rich, poor).status == .badNonce)
        #expect(status(transfer(nonce: 6), rich, poor).status == .badNonce)
        #expect(status(transfer(value: 998, nonce: 5, fee: 3), rich, poor).status == .insufficientFunds)
        #expect(status(transfer(value: 997, nonce: 5, fee: 3), rich, poor).status == .applied)
        #expect(status(transfer(value: .max, nonce: 5, fee: 2), AccountState(balance: .max, nonce: 5), poor).status == .insufficientFunds)
        #expect(status(transfer(value: 1, nonce: 5, fee: 0), rich, AccountState(balance: .max, nonce: 0)).status == .overflow)
        #expect(status(transfer(value: 1, nonce: .max, fee: 0), AccountState(balance: 10, nonce: .max), poor).status == .overflow)
    }

    @Test func selfTransferAndCrossChain() {
        let me = transfer(to: alice.address, value: 100, nonce: 5, fee: 3)
        let r = Executor.execute(WorkItem(tx: me, sender: rich, recipient: rich))
        #expect(r.status == .applied && r.senderAfter == AccountState(balance: 997, nonce: 6) && r.recipientAfter == r.senderAfter)
        let out = transfer(value: 100, nonce: 5, fee: 3, destination: 8, payload: [1])
        let c = Executor.execute(WorkItem(tx: out, sender: rich, recipient: poor))
        #expect(c.status == .applied && c.senderAfter == AccountState(balance: 897, nonce: 6) && c.recipientAfter == poor)
        // A cross-chain value does not land here, so a recipient at the top of the range is no overflow.
        let full = AccountState(balance: .max, nonce: 0)
        #expect(Executor.execute(WorkItem(tx: out, sender: rich, recipient: full)).status == .applied)
    }

    /// Seeded property: on random (mostly hostile) inputs the executor never traps, conserves value
    /// (before = after + fee + value sent cross-chain), moves the nonce by one exactly when applied, and refuses
    /// without touching anything.
    @Test func conservationProperty() {
        var rng = TestRNG(2026)
        let keys = (0..<4).map { Secp256k1.PrivateKey.derived(seed: [9], index: $0) }
        func amount() -> UInt64 {
            switch UInt8.random(in: 0..<4, using: &rng) {
            case 0: UInt64.random(in: 0...10, using: &rng)
            case 1: UInt64.max - UInt64.random(in: 0...10, using: &rng)
            default: UInt64.random(in: 0...1_000_000, using: &rng)
            }
        }
        var applied = 0
        for _ in 0..<600 {
            let k = keys[Int.random(in: 0..<4, using: &rng)], to = keys[Int.random(in: 0..<4, using: &rng)].address
            let sender = AccountState(balance: amount(), nonce: UInt64.random(in: 0...2, using: &rng) == 0 ? .max : UInt64.random(in: 0...3, using: &rng))
            let recipient = to == k.address ? sender : AccountState(balance: amount(), nonce: UInt64.random(in: 0...3, using: &rng))
            var tx = transfer(k, to: to, value: amount() / UInt64.random(in: 1...4, using: &rng), nonce: UInt64.random(in: 0...1, using: &rng) == 0 ? sender.nonce : UInt64.random(in: 0...3, using: &rng),
                              fee: amount() % 1000, destination: UInt64.random(in: 0...3, using: &rng) == 0 ? 2 : 0)
            if UInt64.random(in: 0...9, using: &rng) == 0 { tx.fee &+= 1 }
            let r = Executor.execute(WorkItem(tx: tx, sender: sender, recipient: recipient))
            #expect(r == Executor.execute(WorkItem(tx: tx, sender: sender, recipient: recipient)))
            guard r.status == .applied else {
                #expect(r.senderAfter == sender && r.recipientAfter == recipient && r.fee == 0)
                continue
            }
            applied += 1
            let selfTransfer = tx.from == tx.to
            let before = UInt128(sender.balance) + (selfTransfer ? 0 : UInt128(recipient.balance))
            let after = UInt128(r.senderAfter.balance) + (selfTransfer ? 0 : UInt128(r.recipientAfter.balance))
            #expect(before == after + UInt128(r.fee) + (tx.isCrossChain ? UInt128(tx.value) : 0))
            #expect(r.senderAfter.nonce == sender.nonce + 1 && tx.nonce == sender.nonce)
            #expect(tx.signature.description.count == 132)
        }
        #expect(applied > 50, "the generator must exercise applied transactions too")
    }
}

@Suite struct AutoscalerTests {
    @Test func signalsFromStats() {
        var a = Autoscaler(nominalServiceRate: 50)
        var stats = Dispatcher.Stats(queueDepth: 0, inFlight: 0, servingNodes: 10, drainingNodes: 0, submittedTransactions: 0,
                                     completedTransactions: 0, resubmittedBatches: 0, serviceRatePerNode: nil)
        let status = ProvisionerStatus(desired: 12, replicas: (1...12).map { ReplicaStatus(nodeId: $0, pid: 1, phase: $0 <= 10 ? .ready : .activating, activationSeconds: nil) })
        _ = a.signals(stats: stats, provisioner: status, now: 0)
        stats.submittedTransactions = 1000; stats.queueDepth = 400; stats.serviceRatePerNode = 49
        let s = a.signals(stats: stats, provisioner: status, now: 2)
        #expect(s == LoadSignals(queueDepth: 400, arrivalRate: 500, serviceRatePerNode: 49, servingNodes: 10, activatingNodes: 2, windowSeconds: 2))
    }

    @Test func aBurstScalesUp() {
        // 10 nodes of 50 tx/s at 4,000 tx/s offered: the policy asks for the ceiling.
        var a = Autoscaler(nominalServiceRate: 50)
        var stats = Dispatcher.Stats(queueDepth: 0, inFlight: 0, servingNodes: 10, drainingNodes: 0, submittedTransactions: 0,
                                     completedTransactions: 0, resubmittedBatches: 0, serviceRatePerNode: nil)
        let status = ProvisionerStatus(desired: 10, replicas: (1...10).map { ReplicaStatus(nodeId: $0, pid: 1, phase: .ready, activationSeconds: 0.1) })
        var last = ScaleDecision(targetNodes: 0, reason: .hold)
        for t in 0..<20 {
            stats.submittedTransactions = UInt64(t) * 1000
            stats.queueDepth = t * 500
            last = a.decide(stats: stats, provisioner: status, now: Double(t) * 0.25)
        }
        #expect(last.targetNodes == 100)
    }
}

/// The dispatcher against nodes in this process: a node that answers with receipts for other transactions is cut
/// off and its batch redone elsewhere, exactly once; a drained node reports what it did.
@Suite struct DispatcherTests {
    /// A blocking loopback client that speaks raw frames.
    final class RawPeer {
        let fd: Int32
        init?(port: Int) {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET); a.sin_port = in_port_t(UInt16(port).bigEndian); a.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            var tv = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            if ok != 0 { close(fd); return nil }
        }
        deinit { close(fd) }
        func send(_ f: NodeFrame) { let b = f.framed(); _ = b.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        func read(_ n: Int) -> [UInt8]? {
            var out = [UInt8](repeating: 0, count: n), got = 0
            while got < n {
                let r = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, n - got, 0) }
                if r <= 0 { return nil }
                got += r
            }
            return out
        }
        func frame() -> NodeFrame? {
            guard let h = read(4) else { return nil }
            let n = Int(h[0]) << 24 | Int(h[1]) << 16 | Int(h[2]) << 8 | Int(h[3])
            return read(n).flatMap { try? NodeFrame.decode(payload: $0) }
        }
    }

    func waitUntil(_ seconds: Double, _ done: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !done() { if Date() > deadline { return false }; Thread.sleep(forTimeInterval: 0.005) }
        return true
    }

    @Test func aLyingNodeIsCutOffAndItsBatchRedoneOnce() throws {
        let d = try Dispatcher(batchItems: 5, window: 1, log: { _ in })
        defer { d.shutdown() }
        var w = TransferWorkload(rollupId: 1, accounts: 8, balance: 10_000, seed: 8)
        let items = (0..<20).map { i in w.next(fault: i % 4 == 0 ? .badSignature : nil) }
        let expected = items.map { Executor.execute($0) }
        let liar = try #require(RawPeer(port: d.port))
        liar.send(.hello(nodeId: 99, pid: 1))
        #expect(waitUntil(5) { d.nodes.map(\.nodeId) == [99] })
        // The completion runs on the dispatcher's thread: no other task needs a cooperative thread (an `async let`
        // could starve behind tests that block theirs).
        let done = ConcurrentResults<[Receipt]>(count: 1)
        d.submit(items) { done.set(0, $0) }
        guard case let .batch(id, batch)? = liar.frame() else { Issue.record("no batch for the liar"); return }
        var wrong = batch.map { Executor.execute($0) }
        wrong[0].txHash = Digest.zero
        liar.send(.results(id: id, receipts: wrong))
        #expect(liar.frame() == nil, "the dispatcher closes the liar's connection")
        #expect(waitUntil(5) { d.nodes.isEmpty })
        let node = NodeProcess(host: "127.0.0.1", port: d.port, nodeId: 1, serviceMicros: 0, log: { _ in })
        let summary = ConcurrentResults<NodeProcess.Summary>(count: 1)
        let thread = Thread { if let s = try? node.run(connectTimeout: 5) { summary.set(0, s) } }
        thread.start()
        #expect(waitUntil(30) { !done.values.isEmpty })
        #expect(done.values.first == expected)
        #expect(d.stats.resubmittedBatches == 1 && d.stats.completedTransactions == 20 && d.servedByNode == [1: 20])
        #expect(d.drain(nodeId: 1))
        #expect(waitUntil(5) { !summary.values.isEmpty })
        #expect(summary.values.first == NodeProcess.Summary(batches: 4, transactions: 20, drained: true))
    }
}
