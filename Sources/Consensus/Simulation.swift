import Economics
import Merkle
import Metalayer

/// Faults the simulator injects. Network faults and crashes happen in the first half of a run; the second
/// half is stable, and liveness is checked there.
public enum Fault: String, CaseIterable, Sendable, Comparable {
    case crash, partition, drop, skew
    /// Byzantine behaviours, given to guardians holding just under the requested share of stake.
    case equivocate, withhold, badProposal = "bad-proposal", twins
    public static func < (a: Fault, b: Fault) -> Bool { a.rawValue < b.rawValue }
    public static let byzantine: [Fault] = [.equivocate, .withhold, .badProposal, .twins]
}

public struct SimulationConfig: Sendable {
    public var guardians: Int
    public var rollups: Int = 4
    public var slotMillis: UInt64 = 3000
    /// Simulated duration, in slots.
    public var slots: Int = 24
    public var latency: LatencyModel = .lan
    public var faults: Set<Fault> = []
    /// Byzantine stake as parts per million of the total; the chosen guardians always hold strictly less than 1/3.
    public var byzantineStakePPM: UInt64 = 0
    public var seed: UInt64
    /// Mean time between a rollup's reports.
    public var reportMeanMillis: UInt64 = 1000
    public var dropPPM: UInt64 = 50_000
    public var duplicatePPM: UInt64 = 20_000

    public init(guardians: Int, seed: UInt64) { self.guardians = guardians; self.seed = seed }
}

public struct SimulationOutcome: Sendable {
    public var seed: UInt64
    public var violations: [String] = []
    /// The lowest last-committed height over honest guardians at the end.
    public var committedHeight: UInt64 = 0
    /// Slot start to certificate, per honest guardian and height (ms).
    public var commitLatencies: [UInt64] = []
    /// Slot start to decision, per honest guardian and height (ms).
    public var decisionLatencies: [UInt64] = []
    /// A rollup's report to the first certificate covering it, per honest guardian (ms).
    public var verifyLatencies: [UInt64] = []
    public var messagesDelivered = 0
    public var simulatedMillis: UInt64 = 0
    public var evidenceVerified = 0
    public var byzantine: [Int] = []
    public var byzantineStake: UInt128 = 0
    public var totalStake: UInt128 = 0
}

/// A deterministic whole-network simulation: guardians running `GuardianCore`, sequencers reporting signed
/// roots, a network with delays from a round-trip table, drops, duplicates, reordering, partitions, crashes
/// with restarts from persisted records, clock skew and byzantine guardians. One seed reproduces a run;
/// agreement, validity and no honest double-signing are checked after every step, liveness at the end.
public struct NetworkSimulation {
    enum Behaviour: Equatable { case honest, equivocate, withhold, badProposal, twin }

    struct Node {
        var member: Int
        var behaviour: Behaviour
        var key: SimulatedKey
        var core: GuardianCore?
        var persisted: [Record] = []
        var skewMicros: Int64 = 0
        var tickAt: UInt64?
        var group = 0
    }

    enum Event {
        case deliver(node: Int, message: ConsensusMessage)
        case tick(node: Int, at: UInt64)
        case report(node: Int, report: RollupReport)
        case produce(rollup: Int)
        case crash(node: Int), restart(node: Int)
        case partition(groupA: Set<Int>), heal
    }

    let config: SimulationConfig
    let consensus: ConsensusConfig
    let committee: Committee
    let verifier: SimulatedSignatures
    var rng: SplitMix64
    var nodes: [Node] = []
    var nodesOf: [[UInt8]: [Int]] = [:]
    var queue = EventQueue<Event>()
    var now: UInt64 = 0          // microseconds of simulated time
    var outcome: SimulationOutcome
    var faultEnd: UInt64 = 0
    var partitioned = false
    var networkFaulty: Bool { now < faultEnd }

    // Global views for the invariants.
    var decidedValue: [UInt64: SnapshotValue] = [:]
    var signedBy: [SignKey: Digest?] = [:]
    var reportTime: [UInt64: [UInt64: UInt64]] = [:]    // rollup -> height -> µs
    var rollupHeights: [UInt64] = []
    var verifiedUpTo: [Int: [UInt64: UInt64]] = [:]     // node -> rollup -> last height counted
    var lastCommitAt: [Int: [UInt64]] = [:]            // node -> commit times (µs)

    struct SignKey: Hashable { var identity: [UInt8]; var kind: UInt8; var height: UInt64; var round: UInt32 }

    public init(_ config: SimulationConfig) {
        precondition(config.guardians >= 1 && config.guardians <= 1024 && config.slotMillis >= ConsensusConfig.minimumSlotMillis)
        self.config = config
        rng = SplitMix64(seed: config.seed)
        outcome = SimulationOutcome(seed: config.seed)
        // Stakes between the guardian minimum and four times it, so quorums are by stake, not by count.
        var stakes = [UInt128]()
        for _ in 0..<config.guardians { stakes.append(ERA.guardianMinimumStake * UInt128(1 + rng.next() % 4) + UInt128(rng.next() % 1_000_000)) }
        let keys = (0..<config.guardians).map { SimulatedKey(number: UInt64($0)) }
        committee = try! Committee(setId: 1, members: keys.map(\.identity), stakes: stakes)
        verifier = SimulatedSignatures(rollups: Set((0..<config.rollups).map(UInt64.init)))
        consensus = ConsensusConfig(schedule: CommitteeSchedule(committee), genesisMillis: 1_000, slotMillis: config.slotMillis)
        outcome.totalStake = committee.totalStake

        // Byzantine guardians: a random order, taken while the total stays under the requested share and under 1/3.
        let kinds = Fault.byzantine.filter(config.faults.contains)
        var byz = [Int]()
        if config.byzantineStakePPM > 0 && !kinds.isEmpty {
            var order = Array(0..<config.guardians)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var s: UInt128 = 0
            for g in order {
                let t = s + stakes[g]
                if t * 1_000_000 < committee.totalStake * UInt128(config.byzantineStakePPM), !committee.exceedsOneThird(t) && !(3 * t == committee.totalStake) {
                    byz.append(g); s = t
                }
            }
            outcome.byzantineStake = s
        }
        outcome.byzantine = byz.sorted()
        for g in 0..<config.guardians {
            var behaviour = Behaviour.honest
            if let i = byz.firstIndex(of: g) {
                switch kinds[i % kinds.count] {
                case .equivocate: behaviour = .equivocate
                case .withhold: behaviour = .withhold
                case .badProposal: behaviour = .badProposal
                default: behaviour = .twin
                }
            }
            nodes.append(Node(member: g, behaviour: behaviour, key: keys[g]))
            if behaviour == .twin { nodes.append(Node(member: g, behaviour: .twin, key: keys[g])) }
        }
        for (i, n) in nodes.enumerated() { nodesOf[n.key.identity, default: []].append(i) }
        rollupHeights = Array(repeating: 0, count: config.rollups)
    }

    var duration: UInt64 { UInt64(config.slots) * config.slotMillis * 1000 }
    func isHonest(_ node: Int) -> Bool { nodes[node].behaviour == .honest }
    func honestMember(_ m: Int) -> Bool { nodes.first { $0.member == m }!.behaviour == .honest }

    public mutating func run() -> SimulationOutcome {
        let genesis = consensus.genesisMillis * 1000
        // Faults live in the first half; the second half is stable.
        let faultWindow = duration / 2
        if config.faults.contains(.skew) {
            for i in nodes.indices { nodes[i].skewMicros = Int64(rng.next() % 500_001) - 250_000 }
        }
        if config.faults.contains(.drop) { faultEnd = faultWindow }
        if config.faults.contains(.crash) {
            let honest = nodes.indices.filter(isHonest)
            let k = max(1, honest.count / 4)
            for _ in 0..<k {
                let n = honest[Int(rng.next() % UInt64(honest.count))]
                let at = genesis + config.slotMillis * 1000 + rng.next() % (faultWindow / 2)
                queue.push(at, .crash(node: n))
                queue.push(at + (1 + rng.next() % 4) * config.slotMillis * 1000, .restart(node: n))
            }
        }
        if config.faults.contains(.partition) && nodes.count > 1 {
            var a = Set<Int>()
            for i in nodes.indices where rng.next() % 2 == 0 { a.insert(i) }
            if a.isEmpty { a.insert(0) }
            if a.count == nodes.count { a.remove(0) }
            let at = genesis + config.slotMillis * 1000 + rng.next() % (faultWindow / 2)
            queue.push(at, .partition(groupA: a))
            queue.push(at + (1 + rng.next() % 4) * config.slotMillis * 1000, .heal)
        }
        // Every rollup reports once before genesis, then at random intervals.
        for k in 0..<config.rollups { queue.push(genesis - 500_000 + UInt64(k) * 1000, .produce(rollup: k)) }
        for i in nodes.indices { boot(i) }

        let end = genesis + duration
        while let (t, e) = queue.pop(), t <= end {
            now = t
            handle(e)
        }
        now = end
        finish(stableFrom: genesis + max(faultWindow, faultEnd) + 6 * config.slotMillis * 1000, end: end)
        outcome.simulatedMillis = duration / 1000
        return outcome
    }

    func localMillis(_ i: Int) -> UInt64 { UInt64(max(0, Int64(now) + nodes[i].skewMicros)) / 1000 }

    mutating func boot(_ i: Int) {
        var core = GuardianCore(config: consensus, key: nodes[i].key, verifier: verifier, restoring: nodes[i].persisted, now: localMillis(i))
        let ready = core.step(.tick, now: localMillis(i))
        nodes[i].core = core
        process(i, ready)
    }

    mutating func handle(_ e: Event) {
        switch e {
        case let .deliver(i, m):
            guard nodes[i].core != nil else { return }
            outcome.messagesDelivered += 1
            if nodes[i].behaviour == .equivocate, case let .proposal(p) = m { signEveryProposal(i, p) }
            let r = nodes[i].core!.step(.message(m), now: localMillis(i))
            process(i, r)
        case let .tick(i, at):
            guard nodes[i].core != nil, nodes[i].tickAt == at else { return }
            nodes[i].tickAt = nil
            let r = nodes[i].core!.step(.tick, now: localMillis(i))
            process(i, r)
        case let .report(i, rep):
            guard nodes[i].core != nil else { return }
            let r = nodes[i].core!.step(.report(rep), now: localMillis(i))
            process(i, r)
        case let .produce(k):
            produce(k)
            // Uniform on [mean/2, 3·mean/2]: integer arithmetic keeps runs identical on every platform.
            let mean = config.reportMeanMillis * 1000
            let gap = mean / 2 + rng.next() % (mean + 1)
            queue.push(now + gap, .produce(rollup: k))
        case let .crash(i):
            nodes[i].core = nil; nodes[i].tickAt = nil
        case let .restart(i):
            if nodes[i].core == nil { boot(i) }
        case let .partition(a):
            partitioned = true
            for i in nodes.indices { nodes[i].group = a.contains(i) ? 1 : 0 }
        case .heal:
            partitioned = false
        }
    }

    mutating func produce(_ k: Int) {
        rollupHeights[k] += 1
        let h = rollupHeights[k]
        let e = RollupEntry(rollupId: UInt64(k), height: h, stateRoot: Digest(bytes: rng.bytes(32))!, outboxRoot: Digest(bytes: rng.bytes(32))!,
                            outboxSize: h)
        let rep = RollupReport(entry: e, signature: SimulatedSignatures.sequencerKey(UInt64(k)).sign(RollupReport.signingMessage(e)))
        reportTime[UInt64(k), default: [:]][h] = now
        // A sequencer sits in region k; its report reaches each guardian after that link's delay.
        for i in nodes.indices {
            let d = config.latency.oneWayMicros(from: k, to: i) + (config.latency.jitterMicros > 0 ? rng.next() % config.latency.jitterMicros : 0)
            queue.push(now + d, .report(node: i, report: rep))
        }
    }

    // MARK: outputs and invariants

    mutating func process(_ i: Int, _ ready: Ready) {
        let honest = isHonest(i)
        nodes[i].persisted.append(contentsOf: ready.records)
        compact(i)
        for r in ready.records {
            switch r {
            case let .vote(v): checkSigned(i, kind: v.kind.rawValue, height: v.height, round: v.round, value: v.value)
            case let .proposal(p): checkSigned(i, kind: 10, height: p.height, round: p.round, value: p.value.id)
            case let .share(s): checkSigned(i, kind: 20, height: s.height, round: 0, value: s.value)
            case let .decided(v):
                if honest {
                    checkDecision(v)
                    outcome.decisionLatencies.append(since(consensus.slotStart(v.header.height)))
                }
            default: break
            }
        }
        for c in ready.committed where honest {
            checkDecision(c.value)
            if !certificateHolds(c) { violate("guardian \(nodes[i].member) committed height \(c.height) with a certificate below quorum or badly signed") }
            outcome.commitLatencies.append(since(consensus.slotStart(c.height)))
            lastCommitAt[i, default: []].append(now)
            countVerified(i, c.value)
        }
        for e in ready.evidence where honest {
            if e.verify(with: verifier) {
                outcome.evidenceVerified += 1
                if let m = committee.position(of: e.offender), honestMember(m) { violate("evidence accuses honest guardian \(m): \(e)") }
            } else {
                violate("guardian \(nodes[i].member) produced evidence that does not verify")
            }
        }
        for o in ready.messages { send(from: i, o) }
        if let d = nodes[i].core?.nextDeadline {
            let at = UInt64(max(Int64(now), Int64(d) * 1000 - nodes[i].skewMicros))
            if nodes[i].tickAt.map({ at < $0 || $0 < now }) ?? true {
                nodes[i].tickAt = at
                queue.push(at, .tick(node: i, at: at))
            }
        }
    }

    /// Milliseconds from `t` to now; 0 when a skewed clock made it happen early.
    func since(_ t: UInt64) -> UInt64 { now / 1000 > t ? now / 1000 - t : 0 }

    /// Records the simulated disk keeps: the newest committed snapshots and everything of later heights.
    mutating func compact(_ i: Int) {
        guard nodes[i].persisted.count > 512 else { return }
        var last: UInt64 = 0
        for r in nodes[i].persisted { if case let .decided(v) = r { last = max(last, v.header.height) } }
        nodes[i].persisted = nodes[i].persisted.filter { r in
            switch r {
            case let .committed(c): c.height + 16 >= last
            case let .decided(v): v.header.height + 16 >= last
            case let .vote(v): v.height >= last
            case let .proposal(p): p.height >= last
            case let .share(s): s.height + 16 >= last
            case let .lock(h, _, _, _, _, _): h >= last
            }
        }
    }

    mutating func violate(_ s: String) { if outcome.violations.count < 20 { outcome.violations.append("t=\(now / 1000) ms: \(s)") } }

    mutating func checkSigned(_ i: Int, kind: UInt8, height: UInt64, round: UInt32, value: Digest?) {
        guard isHonest(i) else { return }
        let k = SignKey(identity: nodes[i].key.identity, kind: kind, height: height, round: round)
        if let old = signedBy[k] {
            if old != value { violate("honest guardian \(nodes[i].member) signed two different \(kind) at height \(height) round \(round)") }
        } else { signedBy[k] = value }
    }

    mutating func checkDecision(_ v: SnapshotValue) {
        let h = v.header.height
        if let d = decidedValue[h] {
            if d.id != v.id { violate("agreement: two snapshots decided at height \(h)") }
            return
        }
        decidedValue[h] = v
        // Validity: signed entries, no rollup going back or dropped, same height means the same entry.
        if !v.reports.allSatisfy(verifier.verifyReport) { violate("validity: height \(h) commits an entry its sequencer did not sign") }
        if let prev = decidedValue[h - 1] {
            let now = Dictionary(uniqueKeysWithValues: v.reports.map { ($0.entry.rollupId, $0.entry) })
            for r in prev.reports {
                guard let e = now[r.entry.rollupId] else { violate("validity: height \(h) drops rollup \(r.entry.rollupId)"); continue }
                if e.height < r.entry.height || (e.height == r.entry.height && e != r.entry) {
                    violate("validity: rollup \(r.entry.rollupId) goes from \(r.entry.height) back to \(e.height) at height \(h)")
                }
            }
        }
        if v.header.timestampMillis != consensus.slotStart(h) { violate("validity: height \(h) has timestamp \(v.header.timestampMillis)") }
    }

    func certificateHolds(_ c: CommittedSnapshot) -> Bool {
        let q = c.certificate
        guard q.guardianCount == committee.count, committee.isQuorum(committee.stake(of: q.signers)) else { return false }
        return zip(q.signers, q.signatures).allSatisfy { verifier.verifyHeader(c.value.header, signature: $1, by: committee.members[$0]) }
    }

    mutating func countVerified(_ i: Int, _ v: SnapshotValue) {
        for r in v.reports {
            let k = r.entry.rollupId
            let from = (verifiedUpTo[i]?[k] ?? 0) + 1
            guard r.entry.height >= from else { continue }
            for h in from...r.entry.height { if let t = reportTime[k]?[h] { outcome.verifyLatencies.append((now - t) / 1000) } }
            verifiedUpTo[i, default: [:]][k] = r.entry.height
        }
    }

    mutating func finish(stableFrom: UInt64, end: UInt64) {
        var lowest = UInt64.max
        for i in nodes.indices where isHonest(i) {
            let h = nodes[i].core?.lastCommittedHeight ?? 0
            lowest = min(lowest, h)
            // The committed log has no holes: every decided height below the last one got its certificate.
            if let core = nodes[i].core, h > 2 {
                let held = Set(core.committed.keys)
                let from = h > UInt64(consensus.retainedCommits) ? h - UInt64(consensus.retainedCommits) + 1 : 1
                if let gap = (from..<(h - 1)).first(where: { !held.contains($0) }) {
                    violate("guardian \(nodes[i].member) has no certificate for height \(gap) below its last committed \(h)")
                }
            }
            guard end > stableFrom else { continue }
            let stableSlots = (end - stableFrom) / (config.slotMillis * 1000)
            let commits = (lastCommitAt[i] ?? []).filter { $0 >= stableFrom }.count
            if stableSlots >= 2, UInt64(commits) < stableSlots / 2 {
                violate("liveness: guardian \(nodes[i].member) committed \(commits) snapshots in \(stableSlots) stable slots")
            }
        }
        outcome.committedHeight = lowest == .max ? 0 : lowest
    }

    // MARK: the network and byzantine senders

    mutating func send(from i: Int, _ o: Outbound) {
        var variants: [(ConsensusMessage, (Int) -> Bool)] = [(o.message, { _ in true })]
        switch (nodes[i].behaviour, o.message) {
        case (.withhold, .vote), (.withhold, .share), (.withhold, .proposal): return
        case let (.badProposal, .proposal(p)):
            variants = [(.proposal(tampered(p, signer: nodes[i].key)), { _ in true })]
        case let (.equivocate, .vote(v)):
            var w = v
            w.value = SHA256.hash((v.value?.bytes ?? []) + Array("conflict".utf8))
            w.signature = nodes[i].key.sign(w.signingMessage)
            variants = [(o.message, { $0 % 2 == 0 }), (.vote(w), { $0 % 2 == 1 })]
        case let (.equivocate, .proposal(p)):
            if let alt = alternative(p, node: i) { variants = [(o.message, { $0 % 2 == 0 }), (.proposal(alt), { $0 % 2 == 1 })] }
        default: break
        }
        for id in o.to {
            for j in nodesOf[id] ?? [] where j != i {
                for (m, to) in variants where to(j) { transmit(m, from: i, to: j) }
            }
        }
    }

    mutating func transmit(_ m: ConsensusMessage, from i: Int, to j: Int) {
        if partitioned && nodes[i].group != nodes[j].group { return }
        var copies = 1
        var extra: UInt64 = 0
        if networkFaulty {
            if rng.next() % 1_000_000 < config.dropPPM { return }
            if rng.next() % 1_000_000 < config.duplicatePPM { copies = 2 }
            extra = rng.next() % 50_000   // reordering: up to 50 ms more
        }
        for _ in 0..<copies {
            let jitter = config.latency.jitterMicros > 0 ? rng.next() % config.latency.jitterMicros : 0
            queue.push(now + config.latency.oneWayMicros(from: i, to: j) + jitter + extra, .deliver(node: j, message: m))
        }
    }

    /// A proposal whose first entry's root is changed (so its sequencer's signature no longer matches), or
    /// whose first signature is dropped: a wrong or unsigned root.
    func tampered(_ p: Proposal, signer: SimulatedKey) -> Proposal {
        var reports = p.value.reports
        if p.round % 2 == 0 { reports[0].entry.stateRoot = SHA256.hash(reports[0].entry.stateRoot.bytes) } else { reports[0].signature = [] }
        var q = p
        q.value = try! SnapshotValue(guardianSetId: p.setId, height: p.height, timestampMillis: p.value.header.timestampMillis, reports: reports)
        q.signature = signer.sign(q.signingMessage)
        return q
    }

    /// A second valid value for the same height: one rollup's entry replaced by the one last committed.
    func alternative(_ p: Proposal, node i: Int) -> Proposal? {
        guard let core = nodes[i].core else { return nil }
        var reports = p.value.reports
        guard let k = reports.indices.first(where: { idx in
            core.committedReports[reports[idx].entry.rollupId].map { c in c.entry != reports[idx].entry } ?? false
        }) else { return nil }
        reports[k] = core.committedReports[reports[k].entry.rollupId]!
        var q = p
        guard let v = try? SnapshotValue(guardianSetId: p.setId, height: p.height, timestampMillis: p.value.header.timestampMillis, reports: reports)
        else { return nil }
        q.value = v
        q.signature = nodes[i].key.sign(q.signingMessage)
        return q
    }

    /// An equivocating guardian signs a certificate share for every proposal it sees.
    mutating func signEveryProposal(_ i: Int, _ p: Proposal) {
        let s = Share(height: p.height, value: p.value.id, signer: nodes[i].member, signature: nodes[i].key.signHeader(p.value.header))
        for j in nodes.indices where j != i { transmit(.share(s), from: i, to: j) }
    }
}

/// A binary min-heap of timed events; equal times pop in insertion order, so runs are deterministic. The
/// heap holds plain (time, sequence, slot) triples and the events sit in a slab, so sifting copies 24 bytes.
struct EventQueue<E> {
    var heap: [(time: UInt64, seq: UInt64, slot: Int)] = []
    var slab: [E?] = []
    var free: [Int] = []
    var seq: UInt64 = 0

    mutating func push(_ t: UInt64, _ e: E) {
        let slot: Int
        if let f = free.popLast() { slab[f] = e; slot = f } else { slab.append(e); slot = slab.count - 1 }
        heap.append((t, seq, slot)); seq += 1
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard less(i, p) else { break }
            heap.swapAt(i, p); i = p
        }
    }

    func less(_ a: Int, _ b: Int) -> Bool { heap[a].time != heap[b].time ? heap[a].time < heap[b].time : heap[a].seq < heap[b].seq }

    mutating func pop() -> (UInt64, E)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && less(l, m) { m = l }
            if r < heap.count && less(r, m) { m = r }
            if m == i { break }
            heap.swapAt(i, m); i = m
        }
        let e = slab[top.slot].take()!
        free.append(top.slot)
        return (top.time, e)
    }
}
