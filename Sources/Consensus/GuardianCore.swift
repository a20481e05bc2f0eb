import Merkle
import Metalayer

/// Timeouts of a round, growing linearly with the round number so that some round eventually lasts
/// long enough after the network stabilises (Tendermint's partial-synchrony argument).
public struct RoundTimeouts: Equatable, Sendable {
    public var propose: UInt64, proposeDelta: UInt64
    public var prevote: UInt64, prevoteDelta: UInt64
    public var precommit: UInt64, precommitDelta: UInt64

    public init(propose: UInt64, proposeDelta: UInt64, prevote: UInt64, prevoteDelta: UInt64, precommit: UInt64, precommitDelta: UInt64) {
        self.propose = propose; self.proposeDelta = proposeDelta; self.prevote = prevote; self.prevoteDelta = prevoteDelta
        self.precommit = precommit; self.precommitDelta = precommitDelta
    }

    /// Defaults scaled to the slot: a third of it to wait for a proposal, a sixth for each vote phase.
    public static func forSlot(_ slotMillis: UInt64) -> RoundTimeouts {
        RoundTimeouts(propose: slotMillis / 3, proposeDelta: slotMillis / 6, prevote: slotMillis / 6, prevoteDelta: slotMillis / 12,
                      precommit: slotMillis / 6, precommitDelta: slotMillis / 12)
    }
    func propose(_ r: UInt32) -> UInt64 { propose + UInt64(r) * proposeDelta }
    func prevote(_ r: UInt32) -> UInt64 { prevote + UInt64(r) * prevoteDelta }
    func precommit(_ r: UInt32) -> UInt64 { precommit + UInt64(r) * precommitDelta }
}

public struct ConsensusConfig: Equatable, Sendable {
    public var schedule: CommitteeSchedule
    /// Start of height 1's slot, in milliseconds since the Unix epoch; height h's slot starts (h − 1) slots later.
    public var genesisMillis: UInt64
    public var slotMillis: UInt64
    public var timeouts: RoundTimeouts
    /// How often a guardian sends its current votes, proposal and uncertified shares again (lost messages).
    public var rebroadcastMillis: UInt64
    /// Committed snapshots kept in memory to answer lagging peers; older ones are the shell's log.
    public var retainedCommits: Int
    public var maxRollups: Int

    public static let minimumSlotMillis: UInt64 = 1000

    public init(schedule: CommitteeSchedule, genesisMillis: UInt64, slotMillis: UInt64 = 3000, timeouts: RoundTimeouts? = nil,
                rebroadcastMillis: UInt64? = nil, retainedCommits: Int = 4096, maxRollups: Int = 4096) {
        self.schedule = schedule; self.genesisMillis = genesisMillis; self.slotMillis = slotMillis
        self.timeouts = timeouts ?? .forSlot(slotMillis)
        self.rebroadcastMillis = rebroadcastMillis ?? max(200, slotMillis / 6)
        self.retainedCommits = retainedCommits; self.maxRollups = maxRollups
    }

    public func slotStart(_ height: UInt64) -> UInt64 { genesisMillis + (height - 1) * slotMillis }
    /// Proposers rotate round-robin over positions, shifted by height and round.
    public func proposer(height: UInt64, round: UInt32) -> Int {
        let n = UInt64(schedule.committee(forHeight: height).count)
        return Int((height &+ UInt64(round)) % n)
    }
}

/// What a guardian must persist before it sends the messages of the same `Ready`: everything it signed
/// and its lock, so that after a crash it never signs anything that contradicts what it signed before.
public enum Record: Equatable, Sendable {
    case vote(Vote)
    case proposal(Proposal)
    /// `polka`: the prevotes that made `validValue` valid in `validRound`, kept so that after a restart the
    /// guardian can still justify re-proposing it (its peers may never have seen all of them).
    case lock(height: UInt64, lockedRound: Int64, lockedValue: SnapshotValue?, validRound: Int64, validValue: SnapshotValue?, polka: [Vote])
    case decided(SnapshotValue)
    case share(Share)
    case committed(CommittedSnapshot)
}

/// Proof that a key signed two things it must sign at most one of. Anyone can check it with the set's
/// keys (`verify`) and submit it to the ledger as the offence `equivocation`.
public enum Evidence: Equatable, Sendable {
    /// Two votes of one kind, height and round for different values.
    case doubleVote(Vote, Vote, identity: [UInt8])
    /// Two proposals for one height and round with different values.
    case doubleProposal(Proposal, Proposal, identity: [UInt8])
    /// Two certificate shares at one height over different snapshot headers: the snapshot equivocation
    /// that a certificate verifier downstream would see.
    case doubleShare(height: UInt64, first: SnapshotHeader, firstSignature: [UInt8], second: SnapshotHeader, secondSignature: [UInt8], identity: [UInt8])
    /// A sequencer signed two different entries at one height of its rollup.
    case sequencerEquivocation(RollupReport, RollupReport)

    public var offender: [UInt8] {
        switch self {
        case let .doubleVote(_, _, id), let .doubleProposal(_, _, id), let .doubleShare(_, _, _, _, _, id): id
        case let .sequencerEquivocation(a, _): Array("rollup:\(a.entry.rollupId)".utf8)
        }
    }

    /// True when both signatures verify and the two signed things conflict.
    public func verify(with v: any SignatureVerifier) -> Bool {
        switch self {
        case let .doubleVote(a, b, id):
            a.kind == b.kind && a.setId == b.setId && a.height == b.height && a.round == b.round && a.value != b.value
                && v.verify(a.signingMessage, signature: a.signature, by: id) && v.verify(b.signingMessage, signature: b.signature, by: id)
        case let .doubleProposal(a, b, id):
            a.setId == b.setId && a.height == b.height && a.round == b.round && a.value.id != b.value.id
                && v.verify(a.signingMessage, signature: a.signature, by: id) && v.verify(b.signingMessage, signature: b.signature, by: id)
        case let .doubleShare(h, x, xs, y, ys, id):
            x.height == h && y.height == h && x != y
                && v.verifyHeader(x, signature: xs, by: id) && v.verifyHeader(y, signature: ys, by: id)
        case let .sequencerEquivocation(a, b):
            a.entry.rollupId == b.entry.rollupId && a.entry.height == b.entry.height && a.entry != b.entry
                && v.verifyReport(a) && v.verifyReport(b)
        }
    }
}

public struct Outbound: Equatable, Sendable {
    /// Identities of the receivers.
    public var to: [[UInt8]]
    public var message: ConsensusMessage
}

/// The output of one step, in the etcd-raft sense: persist `records` first, then send `messages`;
/// `committed` snapshots carry their certificates.
public struct Ready: Equatable, Sendable {
    public var records: [Record] = []
    public var messages: [Outbound] = []
    public var committed: [CommittedSnapshot] = []
    public var evidence: [Evidence] = []
    public var isEmpty: Bool { records.isEmpty && messages.isEmpty && committed.isEmpty && evidence.isEmpty }
}

public enum ConsensusInput: Sendable {
    /// Time passed (the shell calls it at `nextDeadline` or on a steady tick).
    case tick
    case message(ConsensusMessage)
    /// A sequencer's signed report arrived.
    case report(RollupReport)
}

/// One guardian's consensus state machine. No clock, socket, thread or disk inside: `step(_:now:)` takes an
/// input and the current time and returns what to persist, send and report.
public struct GuardianCore {
    public enum Step: Int, Comparable, Sendable {
        case propose, prevote, precommit
        public static func < (a: Step, b: Step) -> Bool { a.rawValue < b.rawValue }
    }

    public let config: ConsensusConfig
    let key: any GuardianKey
    let verifier: any SignatureVerifier

    public private(set) var height: UInt64 = 1
    public private(set) var round: UInt32 = 0
    public private(set) var step: Step = .propose
    var lockedValue: SnapshotValue?
    var lockedRound: Int64 = -1
    var validValue: SnapshotValue?
    var validRound: Int64 = -1

    // Messages of the current height.
    var proposals: [UInt32: Proposal] = [:]
    var tallies: [VoteKind: [UInt32: Tally]] = [.prevote: [:], .precommit: [:]]
    var roundSenders: [UInt32: Set<Int>] = [:]
    var roundSenderStake: [UInt32: UInt128] = [:]
    var prevoteTimerStarted = Set<UInt32>(), precommitTimerStarted = Set<UInt32>(), polkaSeen = Set<UInt32>()
    var validity: [Digest: (ok: Bool, reports: [RollupReport])] = [:]
    var myVotes: [VoteKey: Vote] = [:]
    var myProposals: [UInt32: Proposal] = [:]

    // Deadlines (absolute milliseconds).
    var proposeAt: UInt64?
    var proposeTimeout: (round: UInt32, at: UInt64)?
    var prevoteTimeout: (round: UInt32, at: UInt64)?
    var precommitTimeout: (round: UInt32, at: UInt64)?
    var nextRebroadcast: UInt64 = 0

    // Future heights, decided values awaiting certificates, shares, and the committed window.
    var future: [UInt64: [ConsensusMessage]] = [:]
    var futureCount = 0
    var decided: [UInt64: SnapshotValue] = [:]
    var shares: [UInt64: [Digest: [Int: [UInt8]]]] = [:]
    var shareOf: [UInt64: [Int: (Digest, [UInt8])]] = [:]
    var pendingShares: [UInt64: [Share]] = [:]
    var myShares: [UInt64: Share] = [:]
    public private(set) var committed: [UInt64: CommittedSnapshot] = [:]
    public private(set) var lastCommittedHeight: UInt64 = 0
    /// For heights decided but not yet certified: the proposal and the precommits that decided it, so a
    /// guardian that missed them can decide too and add the share the certificate may be waiting for.
    var decisionProofs: [UInt64: (Proposal, [Vote])] = [:]
    var lastSyncReply: [[UInt8]: UInt64] = [:]
    var lastSyncRequest: [[UInt8]: UInt64] = [:]

    // Rollups: what was last committed per rollup, and the newest signed report seen.
    var committedReports: [UInt64: RollupReport] = [:]
    var latestReports: [UInt64: RollupReport] = [:]
    var seenReports: [UInt64: [UInt64: RollupReport]] = [:]
    var reportedEquivocations = Set<[UInt64]>()

    var now: UInt64 = 0
    var out = Ready()

    struct VoteKey: Hashable { var kind: VoteKind; var height: UInt64; var round: UInt32 }

    /// Votes of one kind in one round. A voter counts once towards the round's total and once towards each
    /// value it voted for: a byzantine voter may appear for two values, which cannot make two quorums, since
    /// quorums intersect in more than a third of stake and an honest voter votes once.
    struct Tally {
        var votes: [Int: [Vote]] = [:]
        var stakeFor: [Digest?: UInt128] = [:]
        var total: UInt128 = 0
    }

    static let roundsAhead: UInt32 = 64
    static let heightsAhead: UInt64 = 2

    public init(config: ConsensusConfig, key: any GuardianKey, verifier: any SignatureVerifier, restoring records: [Record] = [], now: UInt64) {
        self.config = config; self.key = key; self.verifier = verifier; self.now = now
        committee = config.schedule.committee(forHeight: 1)
        restore(records)
        committee = config.schedule.committee(forHeight: height)
        startRound(round)   // what this emits (a proposal to persist and send) comes out of the first step
        nextRebroadcast = now
    }

    /// The committee of the current height (cached: it changes only when the height does).
    var committee: Committee

    var me: Int? { committee.position(of: key.identity) }

    /// The earliest time at which `step(.tick, now:)` has something to do.
    public var nextDeadline: UInt64? {
        [proposeAt, proposeTimeout?.at, prevoteTimeout?.at, precommitTimeout?.at, nextRebroadcast].compactMap { $0 }.min()
    }

    public mutating func step(_ input: ConsensusInput, now: UInt64) -> Ready {
        self.now = max(self.now, now)
        switch input {
        case .tick: fireTimers()
        case let .message(m): receive(m)
        case let .report(r): receiveReport(r)
        }
        evaluate()
        defer { out = Ready() }
        return out
    }

    // MARK: restore

    mutating func restore(_ records: [Record]) {
        var lock: (UInt64, Int64, SnapshotValue?, Int64, SnapshotValue?, [Vote])?
        for r in records {
            switch r {
            case let .committed(c):
                decided[c.height] = c.value; committed[c.height] = c
                if c.height > lastCommittedHeight { lastCommittedHeight = c.height }
                applyDecision(c.value)
            case let .decided(v):
                decided[v.header.height] = v; applyDecision(v)
            case let .share(s): myShares[s.height] = s
            case let .vote(v): myVotes[VoteKey(kind: v.kind, height: v.height, round: v.round)] = v
            case .proposal: break
            case let .lock(h, lr, lv, vr, vv, polka): lock = (h, lr, lv, vr, vv, polka)
            }
        }
        height = (decided.keys.max() ?? 0) + 1
        committee = config.schedule.committee(forHeight: height)
        myVotes = myVotes.filter { $0.key.height >= height }
        myProposals = [:]
        for r in records { if case let .proposal(p) = r, p.height == height { myProposals[p.round] = p } }
        if let (h, lr, lv, vr, vv, polka) = lock, h == height {
            lockedRound = lr; lockedValue = lv; validRound = vr; validValue = vv
            for v in polka where v.height == height && v.kind == .prevote { insertVote(v, committee: committee) }
        }
        // Rejoin at the last round this guardian voted in; it re-sends, never re-signs, what it signed there.
        round = myVotes.keys.filter { $0.height == height }.map(\.round).max() ?? 0
        for h in decided.keys.sorted() where committed[h] == nil { if let s = myShares[h] { insertShare(s, value: decided[h]!) } }
        pruneCommitted()
    }

    // MARK: inputs

    mutating func fireTimers() {
        if let t = proposeAt, now >= t { proposeAt = nil; propose() }
        if let t = proposeTimeout, now >= t.at {
            proposeTimeout = nil
            if t.round == round && step == .propose { castVote(.prevote, nil); step = .prevote }
        }
        if let t = prevoteTimeout, now >= t.at {
            prevoteTimeout = nil
            if t.round == round && step == .prevote { castVote(.precommit, nil); step = .precommit }
        }
        if let t = precommitTimeout, now >= t.at {
            precommitTimeout = nil
            if t.round == round { startRound(round + 1) }
        }
        if now >= nextRebroadcast { nextRebroadcast = now + config.rebroadcastMillis; rebroadcast() }
    }

    mutating func receive(_ m: ConsensusMessage) {
        switch m {
        case let .syncRequest(from, h): answerSync(to: from, height: h)
        case let .committed(list): for c in list.prefix(64) { adoptCommitted(c) }
        default:
            let h = m.height
            if h < height {
                // Shares of the height just decided arrive late as a matter of course; votes and proposals of an
                // old height mean their sender is behind.
                if case let .share(s) = m { receiveShare(s) } else { replyWithCommitted(from: m, height: h) }
                return
            }
            if h > height {
                if case let .share(s) = m { receiveShare(s); return }
                guard h <= height + GuardianCore.heightsAhead, futureCount < 16 * committee.count + 64 else { return }
                future[h, default: []].append(m); futureCount += 1
                requestSync(from: m)
                return
            }
            switch m {
            case let .proposal(p): receiveProposal(p)
            case let .vote(v): receiveVote(v)
            case let .share(s): receiveShare(s)
            default: break
            }
        }
    }

    func sender(of m: ConsensusMessage) -> (position: Int, height: UInt64)? {
        switch m {
        case let .proposal(p): (p.proposer, p.height)
        case let .vote(v): (v.voter, v.height)
        case let .share(s): (s.signer, s.height)
        default: nil
        }
    }

    mutating func receiveProposal(_ p: Proposal) {
        let c = committee
        guard p.setId == c.setId, p.proposer == config.proposer(height: p.height, round: p.round),
              p.round <= round + GuardianCore.roundsAhead, p.value.header.height == p.height,
              verifier.verify(p.signingMessage, signature: p.signature, by: c.members[p.proposer]) else { return }
        if let old = proposals[p.round] {
            if old.value.id != p.value.id {
                out.evidence.append(.doubleProposal(old, p, identity: c.members[p.proposer]))
            } else if !valid(old.value), reportsValid(p.value) {
                proposals[p.round] = p   // same snapshot, good signatures this time
            }
            return
        }
        proposals[p.round] = p
        noteSender(p.proposer, round: p.round)
        // The polka behind a re-proposed value travels with it, so a guardian that missed those prevotes
        // (lost, or an equivocator sent it others) can still check the lock rule (Tendermint's proof of lock).
        for v in p.justification.prefix(c.count) where v.kind == .prevote && v.height == p.height && Int64(v.round) == p.validRound
            && v.value == p.value.id && v.setId == c.setId && v.voter >= 0 && v.voter < c.count
            && verifier.verify(v.signingMessage, signature: v.signature, by: c.members[v.voter]) {
            insertVote(v, committee: c)
        }
    }

    mutating func receiveVote(_ v: Vote) {
        let c = committee
        guard v.setId == c.setId, v.voter >= 0, v.voter < c.count, v.round <= round + GuardianCore.roundsAhead,
              verifier.verify(v.signingMessage, signature: v.signature, by: c.members[v.voter]) else { return }
        insertVote(v, committee: c)
    }

    mutating func insertVote(_ v: Vote, committee c: Committee) {
        var t = tallies[v.kind]![v.round] ?? Tally()
        let mine = t.votes[v.voter] ?? []
        if mine.contains(where: { $0.value == v.value }) { return }
        if let first = mine.first { out.evidence.append(.doubleVote(first, v, identity: c.members[v.voter])) }
        guard mine.count < 4 else { return }   // bounds what one equivocating voter can make us hold
        if mine.isEmpty { t.total += c.stakes[v.voter] }
        t.votes[v.voter] = mine + [v]
        t.stakeFor[v.value, default: 0] += c.stakes[v.voter]
        tallies[v.kind]![v.round] = t
        noteSender(v.voter, round: v.round)
    }

    mutating func noteSender(_ position: Int, round r: UInt32) {
        if roundSenders[r, default: []].insert(position).inserted { roundSenderStake[r, default: 0] += committee.stakes[position] }
    }

    mutating func receiveReport(_ r: RollupReport) {
        let id = r.entry.rollupId
        if let c = committedReports[id], r.entry.height <= c.entry.height {
            if r.entry.height == c.entry.height, r.entry != c.entry, verifier.verifyReport(r) { reportEquivocation(c, r) }
            return
        }
        guard verifier.verifyReport(r) else { return }
        var seen = seenReports[id] ?? [:]
        if let old = seen[r.entry.height] {
            if old.entry != r.entry { reportEquivocation(old, r) }
            return
        }
        if seen.count >= 1024, let oldest = seen.keys.min() { seen[oldest] = nil }
        seen[r.entry.height] = r
        seenReports[id] = seen
        if (latestReports[id]?.entry.height ?? 0) < r.entry.height || latestReports[id] == nil { latestReports[id] = r }
    }

    mutating func reportEquivocation(_ a: RollupReport, _ b: RollupReport) {
        if reportedEquivocations.insert([a.entry.rollupId, a.entry.height]).inserted { out.evidence.append(.sequencerEquivocation(a, b)) }
    }

    // MARK: shares and certificates

    func knownValue(height h: UInt64, id: Digest) -> SnapshotValue? {
        if let v = decided[h], v.id == id { return v }
        if h == height { for r in proposals.keys.sorted() where proposals[r]!.value.id == id { return proposals[r]!.value } }
        return nil
    }

    mutating func receiveShare(_ s: Share) {
        guard committed[s.height] == nil, s.height + 64 >= height, s.height <= height + GuardianCore.heightsAhead else { return }
        let c = config.schedule.committee(forHeight: s.height)
        guard s.signer >= 0, s.signer < c.count else { return }
        guard let v = knownValue(height: s.height, id: s.value) else {
            var p = pendingShares[s.height] ?? []
            if p.count < 4 * c.count, !p.contains(s) { p.append(s); pendingShares[s.height] = p }
            return
        }
        guard verifier.verifyHeader(v.header, signature: s.signature, by: c.members[s.signer]) else { return }
        if let (otherId, otherSig) = shareOf[s.height]?[s.signer] {
            if otherId != s.value, let other = knownValue(height: s.height, id: otherId) {
                out.evidence.append(.doubleShare(height: s.height, first: other.header, firstSignature: otherSig,
                                                 second: v.header, secondSignature: s.signature, identity: c.members[s.signer]))
            }
            return
        }
        insertShare(s, value: v)
    }

    mutating func insertShare(_ s: Share, value v: SnapshotValue) {
        shareOf[s.height, default: [:]][s.signer] = (s.value, s.signature)
        shares[s.height, default: [:]][s.value, default: [:]][s.signer] = s.signature
        if s.height == height, decided[height] == nil {
            // A quorum of shares proves the snapshot was decided (shares follow decisions): adopt it.
            let c = config.schedule.committee(forHeight: height)
            if let sigs = shares[height]?[s.value], c.isQuorum(c.stake(of: sigs.keys)) {
                let signers = sigs.keys.sorted()
                adoptCommitted(CommittedSnapshot(value: v, certificate: ShareCertificate(guardianCount: c.count, signers: signers, signatures: signers.map { sigs[$0]! })))
            }
            return
        }
        certifyIfQuorum(height: s.height)
    }

    mutating func certifyIfQuorum(height h: UInt64) {
        guard committed[h] == nil, let v = decided[h], let sigs = shares[h]?[v.id] else { return }
        let c = config.schedule.committee(forHeight: h)
        guard c.isQuorum(c.stake(of: sigs.keys)) else { return }
        let signers = sigs.keys.sorted()
        let cert = ShareCertificate(guardianCount: c.count, signers: signers, signatures: signers.map { sigs[$0]! })
        commit(CommittedSnapshot(value: v, certificate: cert))
    }

    mutating func commit(_ c: CommittedSnapshot) {
        committed[c.height] = c
        decisionProofs[c.height] = nil
        lastCommittedHeight = max(lastCommittedHeight, c.height)
        out.records.append(.committed(c))
        out.committed.append(c)
        shares[c.height] = nil; shareOf[c.height] = nil; pendingShares[c.height] = nil
        pruneCommitted()
    }

    mutating func pruneCommitted() {
        while committed.count > config.retainedCommits, let oldest = committed.keys.min() { committed[oldest] = nil }
        for h in decided.keys where h + UInt64(config.retainedCommits) < height { decided[h] = nil; myShares[h] = nil }
    }

    /// A certificate over a snapshot is proof that it was decided: shares are only signed after deciding.
    func certificateValid(_ c: CommittedSnapshot) -> Bool {
        let k = config.schedule.committee(forHeight: c.height)
        let cert = c.certificate
        guard c.value.header.guardianSetId == k.setId, cert.guardianCount == k.count, cert.signers.count == cert.signatures.count,
              zip(cert.signers, cert.signers.dropFirst()).allSatisfy({ $0 < $1 }),
              cert.signers.allSatisfy({ $0 >= 0 && $0 < k.count }), k.isQuorum(k.stake(of: cert.signers)) else { return false }
        for (s, sig) in zip(cert.signers, cert.signatures) where !verifier.verifyHeader(c.value.header, signature: sig, by: k.members[s]) {
            return false
        }
        return true
    }

    mutating func adoptCommitted(_ c: CommittedSnapshot) {
        guard committed[c.height] == nil, c.height <= height else { return }
        if c.height < height {
            guard let v = decided[c.height], v.id == c.value.id, certificateValid(c) else { return }
            commit(CommittedSnapshot(value: v, certificate: c.certificate))
            return
        }
        guard certificateValid(c), valid(c.value) else { return }
        decide(c.value, certificate: c.certificate)
    }

    mutating func answerSync(to position: Int, height h: UInt64) {
        let c = config.schedule.committee(forHeight: max(h, 1))
        guard position >= 0, position < c.count else { return }
        sendCommitted(to: c.members[position], from: h)
    }

    mutating func replyWithCommitted(from m: ConsensusMessage, height h: UInt64) {
        guard let (p, _) = sender(of: m) else { return }
        let c = config.schedule.committee(forHeight: h)
        guard p >= 0, p < c.count else { return }
        sendCommitted(to: c.members[p], from: h)
    }

    mutating func sendCommitted(to id: [UInt8], from h: UInt64) {
        guard id != key.identity, committed[h] != nil || decisionProofs[h] != nil else { return }
        if let last = lastSyncReply[id], now < last + config.rebroadcastMillis / 2 { return }
        lastSyncReply[id] = now
        if committed[h] == nil, let (p, votes) = decisionProofs[h] {
            out.messages.append(Outbound(to: [id], message: .proposal(p)))
            for v in votes { out.messages.append(Outbound(to: [id], message: .vote(v))) }
            return
        }
        var list = [CommittedSnapshot]()
        var k = h
        while let c = committed[k], list.count < 16 { list.append(c); k += 1 }
        out.messages.append(Outbound(to: [id], message: .committed(list)))
    }

    mutating func requestSync(from m: ConsensusMessage) {
        guard let (p, h) = sender(of: m), let me else { return }
        let c = config.schedule.committee(forHeight: h)
        guard p >= 0, p < c.count else { return }
        let id = c.members[p]
        if let last = lastSyncRequest[id], now < last + config.rebroadcastMillis { return }
        lastSyncRequest[id] = now
        out.messages.append(Outbound(to: [id], message: .syncRequest(from: me, height: height)))
    }

    // MARK: the algorithm

    mutating func startRound(_ r: UInt32) {
        round = r; step = .propose
        proposeTimeout = nil; prevoteTimeout = nil; precommitTimeout = nil; proposeAt = nil
        if me == config.proposer(height: height, round: r) {
            proposeAt = max(now, config.slotStart(height))
            if now >= proposeAt! { proposeAt = nil; propose() }
        } else {
            proposeTimeout = (r, max(now, config.slotStart(height)) + config.timeouts.propose(r))
        }
    }

    mutating func propose() {
        guard let me, me == config.proposer(height: height, round: round), step == .propose else { return }
        if let p = myProposals[round] { broadcast(.proposal(p)); proposals[round] = proposals[round] ?? p; return }
        guard let value = validValue ?? freshValue() else {
            // Nothing to propose yet: the round times out and the next proposer tries.
            proposeTimeout = (round, now + config.timeouts.propose(round))
            return
        }
        var p = Proposal(setId: committee.setId, height: height, round: round, validRound: validValue == nil ? -1 : validRound,
                         value: value, proposer: me, signature: [])
        p.signature = key.sign(p.signingMessage)
        if p.validRound >= 0 { p.justification = polkaVotes(UInt32(p.validRound), value.id) }
        myProposals[round] = p
        out.records.append(.proposal(p))
        proposals[round] = p
        noteSender(me, round: round)
        broadcast(.proposal(p))
    }

    /// The newest signed report of every rollup, carrying forward the committed one where nothing is newer.
    func freshValue() -> SnapshotValue? {
        var reports = committedReports
        for (id, r) in latestReports where r.entry.height > (committedReports[id]?.entry.height ?? 0) || committedReports[id] == nil {
            reports[id] = r
        }
        guard !reports.isEmpty, reports.count <= config.maxRollups else { return nil }
        return try? SnapshotValue(guardianSetId: committee.setId, height: height, timestampMillis: config.slotStart(height),
                                  reports: Array(reports.values))
    }

    func reportsValid(_ v: SnapshotValue) -> Bool { v.reports.allSatisfy { verifier.verifyReport($0) } }

    /// A value is valid at this height when its header is this slot's, every entry is signed by its sequencer,
    /// no rollup goes backwards, a rollup at the same height repeats the committed entry, and none is dropped.
    mutating func valid(_ v: SnapshotValue) -> Bool {
        // Cached by id and checked signatures: the same snapshot may arrive with other (bad) signatures.
        if let known = validity[v.id], known.reports == v.reports { return known.ok }
        let h = v.header
        var ok = h.height == height && h.guardianSetId == committee.setId && h.timestampMillis == config.slotStart(height)
            && v.reports.count <= config.maxRollups && reportsValid(v)
        if ok {
            var present = Set<UInt64>()
            for r in v.reports {
                present.insert(r.entry.rollupId)
                if let c = committedReports[r.entry.rollupId] {
                    if r.entry.height < c.entry.height || (r.entry.height == c.entry.height && r.entry != c.entry) { ok = false; break }
                }
            }
            if ok { ok = committedReports.keys.allSatisfy(present.contains) }
        }
        validity[v.id] = (ok, v.reports)
        return ok
    }

    func stake(_ kind: VoteKind, _ r: UInt32, _ value: Digest??) -> UInt128 {
        guard let t = tallies[kind]![r] else { return 0 }
        switch value {
        case .none: return t.total
        case let .some(v): return t.stakeFor[v] ?? 0
        }
    }

    func polka(_ r: UInt32, _ id: Digest) -> Bool { committee.isQuorum(stake(.prevote, r, .some(id))) }

    /// The prevotes of round `r` for `id`, one per voter in position order: a proof of lock.
    func polkaVotes(_ r: UInt32, _ id: Digest) -> [Vote] {
        guard let t = tallies[.prevote]![r] else { return [] }
        return t.votes.keys.sorted().compactMap { voter in t.votes[voter]!.first { $0.value == id } }
    }

    /// The newest polka of a round after `validRound` and before the current one, for a valid value this guardian
    /// has seen proposed: a polka it learned of too late to act on in its round.
    mutating func laterPolka() -> (round: UInt32, value: SnapshotValue)? {
        guard Int64(round) > validRound + 1 else { return nil }
        for r in tallies[.prevote]!.keys.sorted(by: >) where Int64(r) > validRound && r < round {
            for q in proposals.keys.sorted() where polka(r, proposals[q]!.value.id) && valid(proposals[q]!.value) {
                return (r, proposals[q]!.value)
            }
        }
        return nil
    }

    mutating func evaluate() {
        var changed = true
        var guardLoops = 0
        while changed && guardLoops < 64 {
            changed = false; guardLoops += 1
            let c = committee
            // L22, L28: vote on the round's proposal.
            if step == .propose, let p = proposals[round] {
                let v = p.value
                if p.validRound == -1 {
                    castVote(.prevote, valid(v) && (lockedRound == -1 || lockedValue?.id == v.id) ? v.id : nil)
                    step = .prevote; changed = true
                } else if p.validRound >= 0, p.validRound < Int64(round), polka(UInt32(p.validRound), v.id) {
                    castVote(.prevote, valid(v) && (lockedRound <= p.validRound || lockedValue?.id == v.id) ? v.id : nil)
                    step = .prevote; changed = true
                }
            }
            // L34: a quorum of prevotes of any kind starts the prevote timer.
            if step == .prevote, !prevoteTimerStarted.contains(round), c.isQuorum(stake(.prevote, round, nil)) {
                prevoteTimerStarted.insert(round)
                prevoteTimeout = (round, now + config.timeouts.prevote(round))
            }
            // L36: a polka for the proposal locks it (and makes it the valid value).
            if step >= .prevote, !polkaSeen.contains(round), let p = proposals[round], polka(round, p.value.id), valid(p.value) {
                polkaSeen.insert(round)
                if step == .prevote {
                    lockedValue = p.value; lockedRound = Int64(round)
                    validValue = p.value; validRound = Int64(round)
                    persistLock()
                    castVote(.precommit, p.value.id)
                    step = .precommit
                } else {
                    validValue = p.value; validRound = Int64(round)
                    persistLock()
                }
                changed = true
            }
            // A polka of an earlier round, seen late (with a re-proposal's proof of lock or a peer's rebroadcast), makes
            // its value the valid value, which this guardian proposes when its turn comes. Algorithm 1 updates
            // validValue only in the current round (L36) and counts on gossip to bring every round's messages to every
            // correct process in time; messages here are lost, so without this a guardian that missed the polka keeps
            // proposing fresh values that the guardians locked on it refuse (docs/consensus.md, "Liveness: a lock no
            // other guardian knows of"). Safety is untouched: what a proposer proposes never matters to it, and
            // locks change only as before.
            if let (r, v) = laterPolka() {
                validValue = v; validRound = Int64(r)
                persistLock()
                changed = true
            }
            // L44: a quorum for nil.
            if step == .prevote, c.isQuorum(stake(.prevote, round, .some(nil))) {
                castVote(.precommit, nil); step = .precommit; changed = true
            }
            // L47: a quorum of precommits of any kind starts the precommit timer.
            if !precommitTimerStarted.contains(round), c.isQuorum(stake(.precommit, round, nil)) {
                precommitTimerStarted.insert(round)
                precommitTimeout = (round, now + config.timeouts.precommit(round))
            }
            // L49: a quorum of precommits for a proposal decides it, in whichever round.
            for r in proposals.keys.sorted() where c.isQuorum(stake(.precommit, r, .some(proposals[r]!.value.id))) && valid(proposals[r]!.value) {
                let p = proposals[r]!
                let t = tallies[.precommit]![r]!
                let votes = t.votes.keys.sorted().compactMap { t.votes[$0]!.first { $0.value == p.value.id } }
                decisionProofs[height] = (p, votes)
                decide(p.value, certificate: nil)
                changed = true
                break
            }
            // L55: more than a third of stake is already in a later round: join it.
            if let r = roundSenderStake.filter({ $0.key > round && c.exceedsOneThird($0.value) }).keys.min() {
                startRound(r); changed = true
            }
        }
    }

    mutating func persistLock() {
        let polka = validValue.map { vv in validRound >= 0 ? polkaVotes(UInt32(validRound), vv.id) : [] } ?? []
        out.records.append(.lock(height: height, lockedRound: lockedRound, lockedValue: lockedValue, validRound: validRound, validValue: validValue, polka: polka))
    }

    mutating func castVote(_ kind: VoteKind, _ value: Digest?) {
        guard let me else { return }
        let k = VoteKey(kind: kind, height: height, round: round)
        let vote: Vote
        if let old = myVotes[k] {
            vote = old   // signed before a restart: send it again, never a different one
        } else {
            var v = Vote(kind: kind, setId: committee.setId, height: height, round: round, value: value, voter: me, signature: [])
            v.signature = key.sign(v.signingMessage)
            myVotes[k] = v
            out.records.append(.vote(v))
            vote = v
        }
        insertVote(vote, committee: committee)
        broadcast(.vote(vote))
    }

    mutating func decide(_ v: SnapshotValue, certificate: ShareCertificate?) {
        let h = height
        decided[h] = v
        out.records.append(.decided(v))
        applyDecision(v)
        if let me {
            let s = myShares[h] ?? Share(height: h, value: v.id, signer: me, signature: key.signHeader(v.header))
            if myShares[h] == nil { myShares[h] = s; out.records.append(.share(s)) }
            if s.value == v.id { insertShare(s, value: v) }
            broadcast(.share(s))
        }
        if let certificate, committed[h] == nil { commit(CommittedSnapshot(value: v, certificate: certificate)) }
        // Next height: fresh round state; messages that arrived early are replayed.
        height = h + 1
        committee = config.schedule.committee(forHeight: height)
        round = 0; step = .propose
        lockedValue = nil; lockedRound = -1; validValue = nil; validRound = -1
        proposals = [:]; tallies = [.prevote: [:], .precommit: [:]]; roundSenders = [:]; roundSenderStake = [:]
        prevoteTimerStarted = []; precommitTimerStarted = []; polkaSeen = []; validity = [:]
        myVotes = myVotes.filter { $0.key.height >= height }; myProposals = [:]
        let early = future.removeValue(forKey: height) ?? []
        futureCount -= early.count
        for (fh, msgs) in future where fh < height { futureCount -= msgs.count; future[fh] = nil }
        for old in shares.keys where old + 64 < height { shares[old] = nil; shareOf[old] = nil }
        for old in pendingShares.keys where old + 64 < height { pendingShares[old] = nil }
        for old in decisionProofs.keys where old + 8 < height { decisionProofs[old] = nil }
        pruneCommitted()
        startRound(0)
        for m in early { receive(m) }
        // Shares that waited for this value can be checked now.
        if let pending = pendingShares.removeValue(forKey: h) { for s in pending { receiveShare(s) } }
        if let pending = pendingShares[height] { pendingShares[height] = nil; for s in pending { receiveShare(s) } }
    }

    /// A decided snapshot becomes the base that later snapshots must extend.
    mutating func applyDecision(_ v: SnapshotValue) {
        for r in v.reports {
            let id = r.entry.rollupId
            if (committedReports[id]?.entry.height ?? 0) <= r.entry.height { committedReports[id] = r }
            if var seen = seenReports[id] {
                for hh in seen.keys where hh < r.entry.height { seen[hh] = nil }
                seenReports[id] = seen
            }
            if let l = latestReports[id], l.entry.height < r.entry.height { latestReports[id] = r }
        }
    }

    mutating func rebroadcast() {
        if let p = myProposals[round] { broadcast(.proposal(p)) }
        // Votes of the last few rounds too: a guardian still in an earlier round (its messages were lost) needs
        // them to reach that round's quorum and time out into ours; Tendermint's gossip does the same per peer.
        for r in (round >= 3 ? round - 3 : 0)...round {
            for kind in VoteKind.allCases { if let v = myVotes[VoteKey(kind: kind, height: height, round: r)] { broadcast(.vote(v)) } }
        }
        // Past the round of our valid value without a decision: the value and its polka again, so that every guardian
        // can propose it in its turn and a locked guardian is not the only one whose proposal can pass. This stands in
        // for Tendermint's gossip (a message one correct process receives reaches all), which its liveness argument
        // assumes and which re-sending only our own votes does not give.
        if let v = validValue, validRound >= 0, Int64(round) > validRound {
            if let q = proposals.keys.sorted().first(where: { proposals[$0]!.value == v }) { broadcast(.proposal(proposals[q]!)) }
            for vote in polkaVotes(UInt32(validRound), v.id) { broadcast(.vote(vote)) }
        }
        for h in myShares.keys.sorted() where committed[h] == nil && decided[h] != nil { broadcast(.share(myShares[h]!)) }
        // A height decided here but still without a certificate, while later ones go on: the shares that would
        // complete it went by. Ask the others for the committed snapshot (they answer with its certificate).
        if let me, let h = decided.keys.filter({ committed[$0] == nil && $0 + 1 < height }).min() {
            broadcast(.syncRequest(from: me, height: h))
        }
    }

    mutating func broadcast(_ m: ConsensusMessage) {
        let c = config.schedule.committee(forHeight: m.height)
        out.messages.append(Outbound(to: c.members.filter { $0 != key.identity }, message: m))
    }
}
