import Execution
import ExecutionNode
import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Real `caldera node run` processes behind a dispatcher and the local-process provisioner.
@Suite(.serialized) struct NodeProcessTests {
    let quiet: @Sendable (String) -> Void = { _ in }

    /// 300 signed transactions (a tenth with bad signatures, a tenth with bad nonces, some without funds) and the
    /// reference receipts the pure executor gives for the same witnesses.
    func workload(seed: UInt64) -> (items: [WorkItem], expected: [Receipt]) {
        var w = TransferWorkload(rollupId: 3, accounts: 40, balance: 5_000, seed: seed)
        var items: [WorkItem] = [], expected: [Receipt] = []
        for i in 0..<300 {
            let fault: TransferWorkload.Fault? = i % 10 == 3 ? .badSignature : i % 10 == 7 ? .badNonce : i % 25 == 11 ? .insufficientFunds : nil
            let item = w.next(fault: fault)
            let r = Executor.execute(item)
            w.apply(r, of: item)
            items.append(item); expected.append(r)
        }
        return (items, expected)
    }

    /// Submits and waits on the dispatcher's own thread's completion, never on another task: tests block their
    /// thread, and an `async let` could wait for a cooperative thread that blocked tests hold.
    func execute(_ d: Dispatcher, _ items: [WorkItem], seconds: Double = 60) -> [Receipt]? {
        let done = ConcurrentResults<[Receipt]>(count: 1)
        d.submit(items) { done.set(0, $0) }
        return waitUntil(seconds) { !done.values.isEmpty } ? done.values.first : nil
    }

    func waitUntil(_ seconds: Double, _ done: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !done() { if Date() > deadline { return false }; Thread.sleep(forTimeInterval: 0.01) }
        return true
    }

    func cluster(nodes: Int, serviceMicros: UInt64) throws -> (Dispatcher, LocalProcessProvisioner) {
        let d = try Dispatcher(batchItems: 10, window: 2, log: quiet)
        let p = LocalProcessProvisioner(executable: calderaBinary, arguments: LocalProcessProvisioner.nodeArguments(dispatcherPort: d.port, serviceMicros: serviceMicros),
                                        dispatcher: d, drainGrace: 5, log: quiet)
        p.setDesired(nodes)
        #expect(waitUntil(30) { p.status.ready == nodes }, "\(p.status.ready) of \(nodes) nodes ready")
        return (d, p)
    }

    @Test(.enabled(if: calderaAvailable)) func everyReceiptExactlyOnceAndDrainExitsZero() throws {
        let (d, p) = try cluster(nodes: 3, serviceMicros: 200)
        #expect(p.status.replicas.allSatisfy { ($0.activationSeconds ?? -1) >= 0 })
        let (items, expected) = workload(seed: 1)
        #expect(execute(d, items) == expected)
        #expect(Set(expected.map(\.status)) == Set(Receipt.Status.allCases).subtracting([.overflow]))
        let stats = d.stats
        #expect(stats.completedTransactions == 300 && stats.queueDepth == 0 && stats.inFlight == 0 && stats.resubmittedBatches == 0)
        // Work was spread: every node took some (least outstanding first).
        p.shutdown()
        let exits = p.exits
        #expect(exits.count == 3 && exits.allSatisfy { !$0.signaled && $0.status == 0 && $0.requested })
        #expect(p.status.replicas.isEmpty)
        d.shutdown()
    }

    @Test(.enabled(if: calderaAvailable)) func aKilledNodesWorkIsResubmitted() throws {
        // 2 ms per transaction: a 10-item batch is in a node's hands for 20 ms, long enough to kill it mid-batch.
        let (d, p) = try cluster(nodes: 3, serviceMicros: 2000)
        let (items, expected) = workload(seed: 2)
        let victim = p.status.replicas[1]
        let done = ConcurrentResults<[Receipt]>(count: 1)
        d.submit(items) { done.set(0, $0) }
        #expect(waitUntil(10) { d.nodes.first { $0.nodeId == victim.nodeId }.map { $0.outstandingTransactions > 0 } ?? false })
        kill(victim.pid, SIGKILL)
        #expect(waitUntil(60) { !done.values.isEmpty })
        #expect(done.values.first == expected)
        #expect(d.stats.resubmittedBatches >= 1 && d.stats.completedTransactions >= 300)
        #expect(waitUntil(5) { p.exits.contains { $0.nodeId == victim.nodeId && $0.signaled && $0.status == SIGKILL && !$0.requested } })
        // The provisioner replaces it only when asked to reach the desired count again.
        #expect(p.status.replicas.count == 2)
        p.setDesired(3)
        #expect(waitUntil(30) { p.status.ready == 3 })
        p.shutdown()
        #expect(p.exits.filter(\.requested).allSatisfy { !$0.signaled && $0.status == 0 })
        d.shutdown()
    }

    @Test(.enabled(if: calderaAvailable)) func scalingDownDrainsTheNewestFirst() throws {
        let (d, p) = try cluster(nodes: 4, serviceMicros: 100)
        p.setDesired(2)
        #expect(waitUntil(10) { p.exits.count == 2 })
        #expect(Set(p.exits.map(\.nodeId)) == [3, 4] && p.exits.allSatisfy { $0.status == 0 && !$0.signaled })
        #expect(Set(d.nodes.map(\.nodeId)) == [1, 2])
        p.shutdown()
        d.shutdown()
    }

    @Test(.enabled(if: calderaAvailable)) func garbageClosesTheConnectionNotTheDispatcher() throws {
        let (d, p) = try cluster(nodes: 1, serviceMicros: 100)
        #expect(closedAfterSending([0xff, 0xff, 0xff, 0xff, 1], port: d.port))
        #expect(closedAfterSending([0, 0, 0, 1, 9], port: d.port))
        #expect(closedAfterSending(NodeFrame.drain.framed(), port: d.port))
        let (items, expected) = workload(seed: 4)
        #expect(execute(d, Array(items.prefix(20))) == Array(expected.prefix(20)))
        p.shutdown()
        d.shutdown()
    }

    @Test(.enabled(if: calderaAvailable)) func runRefusesBadInputWithExitTwo() throws {
        for args in [["--dispatcher", "localhost", "--id", "1"], ["--dispatcher", "127.0.0.1:0", "--id", "1"],
                     ["--dispatcher", "127.0.0.1:1", "--id", "x"], ["--dispatcher", "127.0.0.1:1", "--id", "1", "--service-us", "-1"]] {
            let r = try caldera(["node", "run"] + args, limits: Limits(seconds: 10))
            #expect(r.failedCleanly && r.status == 2, "\(args): \(r.status) \(r.stderr)")
        }
        let port = freePorts(1)
        let r = try caldera(["node", "run", "--dispatcher", "127.0.0.1:\(port)", "--id", "1", "--connect-timeout", "0.3"], limits: Limits(seconds: 10))
        #expect(r.status == 2 && r.stderr.contains("error: cannot connect to the dispatcher"), "\(r.stderr)")
        for args in [["--from", "5", "--to", "2"], ["--from", "0"], ["--transactions", "-1"], ["--timeout", "0"]] {
            let s = try caldera(["node", "scale"] + args)
            #expect(s.failedCleanly && s.status == 2, "\(args): \(s.stderr)")
        }
    }

    @Test(.enabled(if: calderaAvailable)) func scaleReportsItsJSON() throws {
        let r = try caldera(["node", "scale", "--from", "2", "--to", "4", "--json"], limits: Limits(seconds: 60))
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any] ?? [:]
        #expect(Set(json.keys) == ["from", "to", "scaleUpSeconds", "activationP50Seconds", "activationP99Seconds", "activationMaxSeconds", "drainSeconds"])
        #expect(json["from"] as? Int == 2 && json["to"] as? Int == 4)
        let p50 = json["activationP50Seconds"] as? Double ?? -1, mx = json["activationMaxSeconds"] as? Double ?? -1
        #expect(p50 > 0 && p50 <= mx && mx <= (json["scaleUpSeconds"] as? Double ?? 0) + 0.01)
        // With a load: every one of the nodes serves, every receipt as the executor's.
        let t = try caldera(["node", "scale", "--from", "1", "--to", "3", "--transactions", "60", "--service-us", "100", "--json"], limits: Limits(seconds: 60))
        #expect(t.status == 0, "\(t.stderr)")
        let loaded = try JSONSerialization.jsonObject(with: Data(t.stdout)) as? [String: Any] ?? [:]
        #expect(loaded["nodesServed"] as? Int == 3 && loaded["transactions"] as? Int == 60 && (loaded["serveSeconds"] as? Double ?? 0) > 0)
    }

    /// The devnet's loop on real processes: a backlog arrives at one node, the autoscaler (CalderaPolicy, floor 1,
    /// ceiling 4) raises the desired count, the provisioner starts nodes, and every receipt still comes back right.
    @Test(.enabled(if: calderaAvailable)) func theAutoscalerScalesRealNodesUnderABacklog() throws {
        let (d, p) = try cluster(nodes: 1, serviceMicros: 5000) // 200 tx/s per node
        var config = CalderaPolicy.Configuration()
        config.floor = 1; config.ceiling = 4; config.activationDelay = 0.5
        var autoscaler = Autoscaler(policy: CalderaPolicy(configuration: config), nominalServiceRate: 200)
        autoscaler.tick(dispatcher: d, provisioner: p, now: 0)
        let (items, expected) = workload(seed: 5)
        let done = ConcurrentResults<[Receipt]>(count: 1)
        d.submit(items + items) { done.set(0, $0) } // 600 transactions: 3 s for one node
        var most = 1, t = 0.0
        while done.values.isEmpty && t < 30 {
            Thread.sleep(forTimeInterval: 0.25)
            t += 0.25
            autoscaler.tick(dispatcher: d, provisioner: p, now: t)
            most = max(most, p.status.ready)
        }
        #expect(done.values.first == expected + expected)
        #expect(most == 4, "the backlog should take the pool to its ceiling; it reached \(most)")
        p.shutdown()
        d.shutdown()
    }
}
