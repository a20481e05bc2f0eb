// `caldera devnet`: every layer live on one machine. Guardian processes (consensus over loopback TCP), execution
// node processes started and drained by the scheduler through a provisioner, rollup sequencers fed by real
// traces and corpus call data, a relayer delivering meta-proofs, the data layer's hot store and cold archive,
// and the ERA ledger. This file is the shell: one loop on one thread that owns the state; sockets, child
// processes, the data layer and the EVM check run beside it and hand results back through queues.
import Consensus
import DataLayer
import Economics
import Execution
import ExecutionNode
import Foundation
import GuardianNode
import Measure
import Merkle
import Metalayer
import Report

public struct DevnetSummary: Codable, Sendable, Equatable {
    public var snapshotsCommitted: Int
    public var messagesDelivered: Int
    public var verifyLatencyP99Seconds: Double?
    public var maxServingNodes: Int
    /// The longest time from a scale-up decision to every node it asked for serving.
    public var scaleUpSeconds: Double?
    public var blobsMigrated: Int
    /// Original bytes / stored bytes of the cold archive.
    public var coldRatio: Double?
    public var epochs: Int
    public var supplyConserved: Bool
    /// Arrivals refused because a rollup's mempool was full (load beyond what the execution layer served).
    public var mempoolRefused: Int
}

public final class Devnet {
    let o: DevnetOptions
    let paths: DevnetPaths
    var manifest: DevnetManifest
    let log: @Sendable (String) -> Void
    let status: (@Sendable (String) -> Void)?
    let clock: @Sendable () -> UInt64 = GuardianProcess.wallClock
    let stopRequested: @Sendable () -> Bool

    // State owned by the loop.
    var rollups: [UInt64: RollupState] = [:]
    var sentMillis: [UInt64: [Int64]] = [:]          // per rollup, outbox index → send time
    var sources: [UInt64: TransactionSource] = [:]
    var schedules: [UInt64: ArrivalSchedule] = [:]
    var nextArrival: [UInt64: Int] = [:]
    var mempool: [UInt64: Mempool] = [:]
    var refusedRecorded: [UInt64: Int] = [:]      // per rollup, this run's refusals already counted in the store
    var refusedEarlier: Int64 = 0                 // refusals of earlier runs on this data directory
    var inFlight: [UInt64: (items: [WorkItem], arrived: [Int64], startMillis: UInt64)] = [:]
    var nextBlockMillis: [UInt64: UInt64] = [:]
    var relayer: Relayer
    var guardianSet: GuardianSet
    var committee: Committee
    var lastSnapshot: (height: UInt64, atMillis: UInt64)?
    var delivered = 0
    var verifyLatencies: [Double] = []
    var feesThisEpoch: UInt64 = 0
    var epoch: UInt64 = 0
    var arrivalsThisSecond = 0
    var loadRate = 0.0
    var maxServing = 0
    var scaleUps: [(t: Double, target: Int, done: Double?)] = []
    var desired: Int
    var slashed: Set<String>
    /// The sequencers' keys, rollup 1 … R, from the manifest.
    let sequencerKeys: [MetalayerKey]
    var dataStats: DataStore.Stats?
    var startMillis: UInt64 = 0
    /// What the store held when the summary was taken (the report draws the same).
    var measured: DevnetReport?

    // Beside the loop.
    let store: DevnetStore
    let data: DataLayerWorker
    let ledger: Ledger
    let link: GuardianLink
    let guardians: GuardianChildren
    let execution: ExecutionLayer
    let executed = Inbox<(rollup: UInt64, receipts: [Receipt])>()
    let evm: EVMChecker?
    var policy: CalderaPolicy

    public init(options: DevnetOptions, log: @escaping @Sendable (String) -> Void, status: (@Sendable (String) -> Void)?,
                stopRequested: @escaping @Sendable () -> Bool) throws(DevnetError) {
        o = options; paths = DevnetPaths(options.dataDir); self.log = log; self.status = status; self.stopRequested = stopRequested
        let fm = FileManager.default
        for d in [paths.root, paths.guardians, paths.logs, paths.relayer] {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: d, isDirectory: &isDir) {
                guard isDir.boolValue else { throw .invalid("\(d) exists and is not a directory") }
                continue
            }
            do { try fm.createDirectory(atPath: d, withIntermediateDirectories: true) } catch {
                throw .failed("cannot create the directory \(d): \((error as NSError).localizedDescription)")
            }
        }
        let now = GuardianProcess.wallClock()
        if fm.fileExists(atPath: paths.manifest) {
            manifest = try DevnetManifest.load(paths.manifest)
            guard manifest.version == DevnetManifest.currentVersion else { throw .invalid("\(paths.manifest): version \(manifest.version) is not \(DevnetManifest.currentVersion)") }
            guard manifest.rollups == o.rollups, manifest.guardians == o.guardians, manifest.byzantine == o.byzantine, manifest.seed == o.seed else {
                throw .invalid("\(paths.root) holds a devnet of \(manifest.rollups) rollups, \(manifest.guardians) guardians, \(manifest.byzantine) byzantine, seed \(manifest.seed): "
                               + "run it with those options to resume, or use another --data-dir")
            }
            log("resuming the devnet in \(paths.root) (run \(manifest.runs + 1), \(Int(manifest.elapsedSeconds)) s run before)")
        } else {
            let (m, configs) = try DevnetManifest.create(o, paths: paths, now: now)
            for (i, c) in configs.enumerated() {
                do { try DurableFile.write(c.encoded(), to: paths.guardianConfig(i), mode: 0o600) } catch { throw .failed("cannot write \(paths.guardianConfig(i)): \(error)") }
            }
            manifest = m
            try manifest.write(paths.manifest)
        }
        // The manifest is a file on disk: a damaged one is an error, never a trap.
        let keys = manifest.sequencerKeys.compactMap { Hex.decode($0).flatMap(MetalayerKey.init(privateKey:)) }
        guard keys.count == manifest.rollups, manifest.sequencerKeys.count == manifest.rollups else {
            throw .invalid("\(paths.manifest): sequencerKeys must hold \(manifest.rollups) secp256k1 private keys (64 hex digits each)")
        }
        sequencerKeys = keys
        let setup: GuardianSetup
        let config0 = try readRegular(paths.guardianConfig(0), limit: GuardianConfig.maxBytes)
        do { setup = try GuardianSetup(GuardianConfig.decode(config0)) } catch {
            throw .invalid("\(paths.guardianConfig(0)): \(error)")
        }
        guardianSet = setup.guardianSet
        committee = setup.committee
        let storePath = paths.store
        let db = try Self.attempt { () throws(DevnetStoreError) in try DevnetStore(path: storePath) }
        store = db
        let progress = try Self.attempt { () throws(DevnetStoreError) in try db.relayerProgress() }
        relayer = Relayer(guardians: setup.guardianSet, height: progress.height, relayed: progress.relayed)
        slashed = try Self.attempt { () throws(DevnetStoreError) in try db.slashedOffenders() }
        data = try DataLayerWorker(directory: paths.data, log: log)
        ledger = try Self.openLedger(paths.ledger, guardians: o.guardians, maxNodes: o.maxNodes)
        epoch = ledger.state.epoch
        link = GuardianLink(addresses: setup.config.guardians.map { try! PeerAddress(parsing: $0.address) }, fromHeight: progress.height + 1,
                            clock: GuardianProcess.wallClock, log: log)
        guardians = GuardianChildren()
        desired = o.minNodes
        execution = try ExecutionLayer(executable: o.executable, serviceMicros: o.serviceMicros, logs: paths.logs, log: log)
        evm = EVMChecker(packageRoot: o.packageRoot, directory: paths.relayer, guardians: guardianSet, log: log)
        var pc = CalderaPolicy.Configuration()
        pc.floor = o.minNodes; pc.ceiling = o.maxNodes
        policy = CalderaPolicy(configuration: pc)
    }

    static func attempt<T>(_ body: () throws(DevnetStoreError) -> T) throws(DevnetError) -> T {
        do { return try body() } catch { throw .failed(error.description) }
    }

    // MARK: the ledger

    static let feeAccount = "fees"
    /// A rollup fee unit is worth 10⁹ ERA base units (a gwei-sized unit).
    static let feeUnit: UInt128 = 1_000_000_000

    static func openLedger(_ path: String, guardians: Int, maxNodes: Int) throws(DevnetError) -> Ledger {
        if FileManager.default.fileExists(atPath: path) {
            do { return try Ledger.open(path: path) } catch { throw .failed("\(path): \(error)") }
        }
        // Stakers: the core set (10, always on), the flexible set (up to the ceiling), the guardians; and the
        // account the rollups' fees are paid from.
        var accounts: [String: Amount] = [feeAccount: Amount(baseUnits: ERA.units(1_000_000_000))]
        var stakes: [(String, StakeRole, UInt128)] = []
        for i in 1...10 { stakes.append(("core-\(i)", .core, ERA.coreMinimumStake)) }
        for i in 1...maxNodes { stakes.append(("flex-\(i)", .flexible, ERA.flexibleMinimumStake)) }
        for i in 1...guardians { stakes.append(("guardian-\(i)", .guardian, ERA.guardianMinimumStake)) }
        for (a, _, s) in stakes { accounts[a] = Amount(baseUnits: s) }
        do {
            let l = try Ledger.create(path: path, genesis: Genesis(accounts: accounts))
            for (a, r, s) in stakes { _ = try l.apply(.stake(account: a, role: r, amount: Amount(baseUnits: s))) }
            return l
        } catch { throw .failed("\(path): cannot create the ledger: \(error)") }
    }

    var supplyConserved: Bool {
        let r = ledger.state.report()
        return r.accountedFor == r.totalSupply
    }

    // MARK: run

    /// Runs until `durationSeconds` pass or a stop is requested; stops everything cleanly; returns the summary.
    public func run() throws(DevnetError) -> DevnetSummary {
        manifest.runs += 1
        try manifest.write(paths.manifest)
        try loadRollups()
        loadWorkload()
        try guardians.start(executable: o.executable, paths: paths, count: o.guardians, equivocating: o.byzantine)
        link.start()
        execution.setDesired(desired)
        try warmUp()
        startMillis = clock()
        for r in rollups.keys { nextBlockMillis[r] = startMillis + r * o.blockMillis / UInt64(o.rollups) }
        log("devnet: \(o.rollups) rollups, \(o.guardians) guardians (\(o.byzantine) equivocating), \(Int(o.durationSeconds)) s, "
            + "data time ×\(Int(o.speed)), nodes \(o.minNodes)–\(o.maxNodes) at \(o.serviceMicros) µs per transaction; logs in \(paths.logs)")
        var failure: DevnetError?
        var lastSecond = startMillis, lastControl = startMillis, lastMigrate = startMillis, lastEpoch = startMillis
        let end = startMillis + UInt64(o.durationSeconds * 1000)
        while clock() < end && !stopRequested() {
            let now = clock()
            arrive(now)
            produceBlocks(now)
            do { try commitExecuted(now) } catch { failure = error; break }
            do { try handleGuardianFrames() } catch { failure = error; break }
            if since(now, lastControl) >= 250 { control(now); lastControl = now }
            if Double(since(now, lastMigrate)) >= o.migrateEverySeconds * 1000 { migrate(now); lastMigrate = now }
            if Double(since(now, lastEpoch)) >= o.epochSeconds * 1000 {
                do { try closeEpoch(now) } catch { failure = error; break }
                lastEpoch = now
            }
            if since(now, lastSecond) >= 1000 { sample(now); lastSecond = now }
            if let g = guardians.exited.first { failure = .failed("guardian \(g + 1) exited; see \(paths.logs)/guardian-\(g + 1).log"); break }
            usleep(20_000)
        }
        log(stopRequested() ? "devnet: stopping (signal): no new transactions; finishing blocks and deliveries" : "devnet: stopping: finishing blocks and deliveries")
        // Nothing lost: the transactions already taken go into blocks, and every message sent is delivered once
        // a snapshot covers it (two slots at most), unless that takes far longer than it should.
        let drainUntil = clock() + 12_000
        while failure == nil && clock() < drainUntil {
            let now = clock()
            produceBlocks(now, drainOnly: true)
            do { try commitExecuted(now); try handleGuardianFrames() } catch { failure = error; break }
            let pendingMessages = rollups.values.contains { UInt64($0.outbox.count) > (relayer.relayed[$0.rollupId] ?? 0) }
            if inFlight.isEmpty && mempool.values.allSatisfy(\.isEmpty) && !pendingMessages { break }
            usleep(20_000)
        }
        let left = mempool.values.reduce(0) { $0 + $1.count }
        if left > 0 { log("devnet: \(left) admitted transactions were still waiting after the 12 s drain and are dropped (overload)") }
        data.finish()
        execution.stop()
        guardians.stop()
        link.stop()
        evm?.finish()
        if let results = evm?.results() {
            for r in results { try? store.recordGas(batch: r.batch, gas: r.gas, separateGas: r.separateGas) }
        }
        manifest.elapsedSeconds += Double(since(clock(), startMillis)) / 1000
        try manifest.write(paths.manifest)
        if let failure { throw failure }
        return try summary()
    }

    /// Users start sending once the network is up: the guardians have committed a snapshot (which needs every
    /// rollup's first report, so an empty block each first) and the core node set serves. Startup is not
    /// counted in the run's latencies.
    func warmUp() throws(DevnetError) {
        let t0 = clock(), deadline = t0 + 90_000
        status?("starting: \(o.guardians) guardian processes, \(o.minNodes) node processes, first snapshot…")
        while clock() < deadline {
            // Empty blocks until users arrive: each rollup's report reaches the guardians after its block is kept.
            produceBlocks(clock())
            try commitExecuted(clock())
            if stopRequested() { throw .failed("stopped while starting") }
            if let g = guardians.exited.first { throw .failed("guardian \(g + 1) exited while starting; see \(paths.logs)/guardian-\(g + 1).log") }
            let frames = link.received.drain()
            let committed = frames.contains { if case .committed = $0.frame { true } else { false } }
            // Frames seen now are handled again by the loop (the relayer skips heights it has).
            for f in frames { link.received.push(f) }
            if committed && execution.status.serving >= o.minNodes {
                log("network up in \(String(format: "%.1f", Double(since(clock(), t0)) / 1000)) s: snapshots committing, \(o.minNodes) nodes serving")
                return
            }
            usleep(50_000)
        }
        throw .failed("the network did not come up within 90 s (no committed snapshot or fewer than \(o.minNodes) nodes serving); see \(paths.logs)")
    }

    /// a − b on the wall clock, never negative (the clock may step back).
    func since(_ a: UInt64, _ b: UInt64) -> UInt64 { a >= b ? a - b : 0 }

    /// Seconds on the report's time axis (continuing across runs).
    func t(_ now: UInt64) -> Double { manifest.elapsedSeconds + Double(since(now, startMillis)) / 1000 }

    func loadRollups() throws(DevnetError) {
        let saved = try Self.attempt { () throws(DevnetStoreError) in try store.loadRollups() }
        refusedEarlier = try Self.attempt { () throws(DevnetStoreError) in try store.counter("tx.refused") }
        for r in 1...UInt64(o.rollups) {
            if let s = saved[r] {
                do { rollups[r] = try RollupState(rollupId: r, encodedAccounts: s.state, outbox: s.outbox.map(\.0)) } catch {
                    throw .failed("devnet.sqlite: rollup \(r): \(error)")
                }
                sentMillis[r] = s.outbox.map(\.sentMillis)
            } else {
                rollups[r] = RollupState(rollupId: r, genesis: TransactionSource.genesis(seed: manifest.seed, rollup: r))
                sentMillis[r] = []
            }
            mempool[r] = Mempool(capacity: o.mempoolCapacity)
            nextBlockMillis[r] = clock() + UInt64(r) * o.blockMillis / UInt64(o.rollups)
        }
    }

    func loadWorkload() {
        let payloads = Self.corpusPayloads(o.shared, seed: manifest.seed, log: log)
        let workloads = Self.traceWorkloads(o.shared, seed: manifest.seed, log: log)
        let ids = (1...UInt64(o.rollups)).map { $0 }
        for r in ids {
            let w = workloads[Int(r - 1) % workloads.count]
            // Each rollup its own window of its trace, continuing where the last run stopped.
            let offset = Double(r) * 997 + manifest.elapsedSeconds
            // A window the trace is quiet in (a gap in the Azure traces) is skipped for the next busy one.
            var s = ArrivalSchedule.window(of: w, offset: offset, duration: o.durationSeconds, peak: o.peakPerRollup, seed: manifest.seed ^ r)
            var shift = 0.0
            while s.times.isEmpty && shift < w.duration {
                shift += o.durationSeconds
                s = ArrivalSchedule.window(of: w, offset: offset + shift, duration: o.durationSeconds, peak: o.peakPerRollup, seed: manifest.seed ^ r)
            }
            schedules[r] = s
            nextArrival[r] = 0
            sources[r] = TransactionSource(rollupId: r, rollups: ids, seed: manifest.seed, payloads: payloads, state: rollups[r]!, draws: UInt64(manifest.runs))
            log("rollup \(r): \(s.times.count) transactions from \(s.description)")
        }
    }

    /// Real call data from the corpus's JSON block exports, or synthetic ABI-shaped data (said so) without it.
    static func corpusPayloads(_ shared: URL?, seed: UInt64, log: (String) -> Void) -> [[UInt8]] {
        var out = [[UInt8]]()
        if let shared {
            for f in Corpus.files(shared) where f.hasSuffix(".json") {
                if let d = FileManager.default.contents(atPath: shared.appendingPathComponent("corpus/" + f).path) ?? FileManager.default.contents(atPath: f) {
                    out += PayloadPool.inputs(fromJSON: d).map { Array($0.prefix(1024)) }
                }
            }
        }
        if out.isEmpty {
            log("no corpus (../shared/corpus or $CALDERA_SHARED): transactions carry synthetic ABI-shaped call data")
            return PayloadPool.synthetic(count: 1000, seed: seed)
        }
        log("call data: \(out.count) transaction inputs from the corpus's JSON block exports")
        return out
    }

    /// The real load traces (Ethereum blocks, Azure arrivals), or the built-in settlement burst without them.
    static func traceWorkloads(_ shared: URL?, seed: UInt64, log: (String) -> Void) -> [ArrivalWorkload] {
        var out = [ArrivalWorkload]()
        if let shared {
            for (label, rel) in SharedDirectory.traceFiles {
                guard let trace = try? TraceLoader.load(path: shared.appendingPathComponent(rel).path),
                      var w = try? TraceLoader.workload(trace: trace, scaling: TraceScaling(loadFactor: 1), config: SimulationConfig(), seed: seed) else { continue }
                w.name = label
                out.append(w)
            }
        }
        if out.isEmpty {
            log("no traces (../shared/traces or $CALDERA_SHARED): arrivals follow the built-in settlement-burst scenario")
            out = [Scenario.settlementBurst.workload(config: SimulationConfig(), seed: seed)]
        }
        return out
    }

    // MARK: the loop's steps

    func arrive(_ now: UInt64) {
        let runT = Double(since(now, startMillis)) / 1000
        for (r, s) in schedules {
            var i = nextArrival[r]!
            while i < s.times.count && s.times[i] <= runT {
                let at = Int64(startMillis) + Int64(s.times[i] * 1000)
                // A refused arrival is never built, so the source's nonces stay gap-free.
                if mempool[r]!.isFull { mempool[r]!.refuse() } else { mempool[r]!.admit(sources[r]!.next(), arrivedMillis: at) }
                i += 1
                arrivalsThisSecond += 1
            }
            nextArrival[r] = i
        }
    }

    public static let maxBlockTransactions = 4000

    /// `drainOnly`: while stopping, only blocks that carry transactions (no empty blocks to wait for).
    func produceBlocks(_ now: UInt64, drainOnly: Bool = false) {
        for r in rollups.keys.sorted() where inFlight[r] == nil && now >= nextBlockMillis[r]! && !(drainOnly && mempool[r]!.isEmpty) {
            let take = mempool[r]!.take(Self.maxBlockTransactions)
            let items = rollups[r]!.workItems(take.map(\.tx))
            inFlight[r] = (items, take.map(\.arrivedMillis), now)
            nextBlockMillis[r] = max(now, nextBlockMillis[r]! + o.blockMillis)
            if items.isEmpty { executed.push((r, [])); continue }
            execution.submit(items) { [executed] receipts in executed.push((r, receipts)) }
        }
    }

    func commitExecuted(_ now: UInt64) throws(DevnetError) {
        for (r, receipts) in executed.drain() {
            guard let f = inFlight.removeValue(forKey: r) else { continue }
            var state = rollups[r]!
            let c = state.commit(f.items, receipts: receipts, timestampMillis: now)
            rollups[r] = state
            feesThisEpoch &+= c.fees
            // The send time of each message is when its transaction arrived.
            let messageTimes = c.appliedIndices.filter { f.items[$0].tx.destinationRollup != 0 }.map { f.arrived[$0] }
            sentMillis[r]! += messageTimes
            let report = sign(r, state.entry)
            let encodedState = state.encodedAccounts
            let messages = Array(zip(c.messages, messageTimes))
            let dataNow = dataTime(now)
            let refused = mempool[r]!.refused - refusedRecorded[r, default: 0]
            refusedRecorded[r] = mempool[r]!.refused
            // Blob first, then the rollup's state, then the report: a report never names a block that a crash
            // could lose, so a restarted sequencer never signs a second block at one height.
            data.put(namespace: r, block: c.block, time: dataNow, nowMillis: Int64(now)) { [store, link, log] in
                do {
                    try store.commitBlock(rollup: r, state: encodedState, messages: messages,
                                          counters: ["tx.applied": Int64(c.applied.count), "tx.rejected": Int64(c.rejected),
                                                     "tx.reexecuted": Int64(c.reExecuted), "tx.refused": Int64(refused)])
                    link.send(report)
                } catch { log("cannot save rollup \(r)'s block: \(error)") }
            }
        }
    }

    func sign(_ rollup: UInt64, _ entry: RollupEntry) -> RollupReport {
        sequencerKeys[Int(rollup - 1)].signReport(entry)
    }

    func dataTime(_ now: UInt64) -> Int64 {
        Int64(manifest.genesisMillis / 1000) + Int64((t(now)) * o.speed)
    }

    func handleGuardianFrames() throws(DevnetError) {
        for (g, frame, at) in link.received.drain() {
            switch frame {
            case let .committed(c):
                guard c.height > (lastSnapshot?.height ?? relayer.height) else { continue }
                let batch: RelayBatch?
                do { batch = try relayer.relay(c, outboxes: rollups.mapValues(\.outbox)) } catch {
                    log("guardian \(g + 1): \(error)"); continue
                }
                lastSnapshot = (c.height, at)
                try Self.attempt { () throws(DevnetStoreError) in
                    try store.recordSnapshot(height: c.height, slotMillis: c.value.header.timestampMillis, receivedMillis: at, entries: c.value.snapshot.entries.count)
                }
                if let batch { try deliver(batch) }
            case let .doubleVote(a, b):
                try slash(a, b)
            case .report, .subscribe: continue
            }
        }
    }

    func deliver(_ batch: RelayBatch) throws(DevnetError) {
        var states = [UInt64: [UInt8]]()
        for d in Set(batch.messages.map(\.destination)).sorted() {
            guard var state = rollups[d] else { continue }
            let msgs: [CrossChainMessage]
            do { msgs = try Relayer.receive(batch.encoded, destination: d, guardians: guardianSet) } catch { throw .failed("\(error)") }
            for m in msgs { state.deliver(m) }
            rollups[d] = state
            states[d] = state.encodedAccounts
        }
        let now = clock()
        for m in batch.messages {
            let times = sentMillis[m.source] ?? []
            let sent = m.nonce < UInt64(times.count) ? times[Int(m.nonce)] : Int64(now)   // a damaged store must not trap
            verifyLatencies.append(Double(Int64(now) - sent) / 1000)
        }
        delivered += batch.messages.count
        let idx = try Self.attempt { () throws(DevnetStoreError) in
            try store.commitDelivery(batch: batch, states: states, deliveredMillis: Int64(now), relayed: relayer.relayed)
        }
        evm?.offer(batch: idx, meta: batch.encoded, single: batch.sampleProof, messages: batch.messages.count)
    }

    func slash(_ a: Vote, _ b: Vote) throws(DevnetError) {
        guard a.voter < committee.members.count else { return }
        let identity = committee.members[a.voter]
        let account = "guardian-\(a.voter + 1)"
        guard !slashed.contains(account) else { return }
        let evidence = Evidence.doubleVote(a, b, identity: identity)
        let verifier = MetalayerVerifier(guardians: committee.members, sequencers: [:])
        let op: EconomyOperation
        do { op = try evidence.slashOperation(verifier: verifier, account: { committee.position(of: $0).map { "guardian-\($0 + 1)" } }) } catch {
            log("evidence against \(account) rejected: \(error)"); return
        }
        let events: [EconomyEvent]
        do { events = try ledger.apply(op) } catch { throw .failed("ledger: \(error)") }
        var amount = "0"
        for case let .slashed(_, _, amt, _, _, _) in events { amount = amt.baseUnits.description }
        slashed.insert(account)
        let s = DevnetReport.Slash(t: t(clock()), offender: account, amount: amount, reason: "equivocation: two precommit/prevote signatures at height \(a.height) round \(a.round)")
        try Self.attempt { () throws(DevnetStoreError) in try store.recordSlash(s) }
        log("slashed \(account) \(amount) base units for equivocation (evidence from the guardians)")
    }

    func control(_ now: UInt64) {
        let st = execution.status
        maxServing = max(maxServing, st.serving)
        let queued = mempool.values.reduce(0) { $0 + $1.count } + st.queued
        let signals = LoadSignals(queueDepth: queued, arrivalRate: loadRate, serviceRatePerNode: 1e6 / Double(o.serviceMicros),
                                  servingNodes: st.serving, activatingNodes: st.activating, windowSeconds: 1)
        let decision = policy.decide(signals: signals, now: Double(since(now, startMillis)) / 1000)
        if decision.targetNodes != desired {
            if decision.targetNodes > desired {
                // One scale-up per episode: a decision raising the target of one still under way extends it.
                if let last = scaleUps.last, last.done == nil {
                    scaleUps[scaleUps.count - 1].target = decision.targetNodes
                } else {
                    scaleUps.append((t(now), decision.targetNodes, nil))
                    try? store.recordScaleUp(t: t(now), from: desired, to: decision.targetNodes)
                }
            }
            desired = decision.targetNodes
            execution.setDesired(desired)
        }
        // A scale-up is done when as many nodes serve as it asked for (or a later decision replaces it).
        for i in scaleUps.indices where scaleUps[i].done == nil && st.serving >= min(scaleUps[i].target, desired) {
            scaleUps[i].done = t(now) - scaleUps[i].t
        }
        for a in execution.takeActivations() { try? store.recordActivation(t: t(now), seconds: a) }
    }

    func migrate(_ now: UInt64) {
        data.migrate(now: dataTime(now), nowMillis: Int64(now)) { [store] report in
            try? store.addCounter("blobs.migrated", Int64(report.migrated))
        }
    }

    func closeEpoch(_ now: UInt64) throws(DevnetError) {
        let revenue = Amount(baseUnits: UInt128(feesThisEpoch) * Self.feeUnit)
        feesThisEpoch = 0
        var classes: [String: String] = [:]
        do {
            if revenue.baseUnits > 0 {
                for case let .distributed(_, _, _, core, guardian, flexible, developers, userSupport, _) in try ledger.apply(.distribute(revenue: revenue, payer: Self.feeAccount)) {
                    classes = ["core": core.baseUnits.description, "guardians": guardian.baseUnits.description, "flexible": flexible.baseUnits.description,
                               "developers": developers.baseUnits.description, "users": userSupport.baseUnits.description]
                }
            }
            _ = try ledger.apply(.advance(epochs: 1))
        } catch { throw .failed("ledger: \(error)") }
        epoch = ledger.state.epoch
        if !classes.isEmpty { try Self.attempt { () throws(DevnetStoreError) in try store.recordEpoch(epoch, classes: classes) } }
    }

    func sample(_ now: UInt64) {
        loadRate = Double(arrivalsThisSecond)
        arrivalsThisSecond = 0
        if let s = data.latestStats { dataStats = s }
        let st = execution.status
        let hot = Int64(dataStats?.hot.bytes ?? 0), cold = Int64(dataStats?.cold.bytes ?? 0), raw = Int64(dataStats?.cold.rawBytes ?? 0)
        try? store.recordSample(.init(t: t(now), hotBytes: hot, coldBytes: cold, migratedRawBytes: raw), load: loadRate, serving: st.serving, activating: st.activating)
        let p99 = Percentile.nearestRank(99, of: verifyLatencies).map { String(format: "%.2f s", $0) } ?? "–"
        let snap = lastSnapshot.map { "#\($0.height) \(String(format: "%.1f", Double(Int64(now) - Int64($0.atMillis)) / 1000)) s ago" } ?? "none yet"
        let slot = now >= manifest.genesisMillis ? (now - manifest.genesisMillis) / 3000 + 1 : 0
        let refused = Int(refusedEarlier) + mempool.values.reduce(0) { $0 + $1.refused }
        status?("t \(Int(t(now))) s  slot \(slot)  snapshot \(snap)  nodes \(st.serving) serving (+\(st.activating))  load \(Int(loadRate)) tx/s  "
                + (refused > 0 ? "REFUSED \(refused) (mempool full)  " : "")
                + "msgs \(delivered) (p99 \(p99))  hot \(bytes(hot)) cold \(bytes(cold))  epoch \(epoch)")
    }

    func bytes(_ n: Int64) -> String {
        n >= 1 << 20 ? String(format: "%.1f MB", Double(n) / 1e6) : String(format: "%.0f kB", Double(n) / 1e3)
    }

    // MARK: the result

    func summary() throws(DevnetError) -> DevnetSummary {
        var r = DevnetReport(title: "Caldera devnet")
        try Self.attempt { () throws(DevnetStoreError) in try store.fill(&r) }
        measured = r
        let stats = data.latestStats ?? dataStats
        let migratedTotal = (try? store.counter("blobs.migrated")) ?? 0
        // Read strictly: a store that cannot say how many arrivals were refused must not make the claim hold.
        let refused = try Self.attempt { () throws(DevnetStoreError) in try store.counter("tx.refused") }
        return DevnetSummary(snapshotsCommitted: r.commitLatencies.count, messagesDelivered: r.verifyLatencies.count,
                             verifyLatencyP99Seconds: Percentile.nearestRank(99, of: r.verifyLatencies), maxServingNodes: Int(r.servingNodes.map(\.value).max() ?? 0),
                             scaleUpSeconds: scaleUps.compactMap(\.done).max(), blobsMigrated: Int(migratedTotal),
                             coldRatio: stats.flatMap { $0.cold.bytes > 0 ? Double($0.cold.rawBytes) / Double($0.cold.bytes) : nil },
                             epochs: r.epochs.count, supplyConserved: supplyConserved,
                             mempoolRefused: Int(refused))
    }
}
