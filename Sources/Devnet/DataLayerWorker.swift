// The devnet's data layer: one writer (DataStore, DIR/data) on one serial queue, so puts and migrations never
// overlap and the loop never waits for zstd. Blocks go in with their data-layer time (wall time × --speed);
// migration moves what the 7-day hot window no longer holds to the cold archive, each transfer fingerprinted.
import DataLayer
import Foundation
import Merkle

final class DataLayerWorker: @unchecked Sendable {   // `store` is touched only on `queue`
    let queue = DispatchQueue(label: "caldera.devnet.data")
    let store: DataStore
    let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var stats: DataStore.Stats?
    private var refreshQueued = false
    private var lastRefresh: UInt64 = 0
    private var refreshInterval = DataLayerWorker.statsInterval
    static let statsInterval: UInt64 = 5_000_000_000   // ns: the migration period; charts sample storage at this pace
    private var failed = false

    init(directory: String, log: @escaping @Sendable (String) -> Void) throws(DevnetError) {
        do { store = try DataStore(directory: directory, options: .init(create: true, writer: true)) } catch {
            throw .failed("\(directory): \(error)")
        }
        self.log = log
    }

    static func namespace(_ rollup: UInt64) -> Namespace { Namespace(name: "rollup-\(rollup)")! }

    /// Puts one block, then runs `then` (the rollup's commit) on the same queue.
    func put(namespace rollup: UInt64, block: [UInt8], time: Int64, nowMillis: Int64, then: @escaping @Sendable () -> Void) {
        queue.async { [self] in
            do {
                _ = try store.put([(Self.namespace(rollup), block)], time: time, nowMillis: nowMillis)
                then()
            } catch { fail("cannot put rollup \(rollup)'s block: \(error)") }
        }
    }

    func migrate(now: Int64, nowMillis: Int64, then: @escaping @Sendable (DataStore.MigrationReport) -> Void) {
        queue.async { [self] in
            do {
                // Segments a few hundred kB each: a day of data time at the devnet's pace.
                let options = DataStore.MigrationOptions(policy: TieringPolicy(hotWindow: TieringPolicy.defaultHotWindow, segmentWindow: 86_400, segmentTargetBytes: 4 << 20))
                let r = try store.migrate(options: options, now: now, nowMillis: nowMillis)
                then(r)
                refreshIfDue(queued: false)
            } catch { fail("migration failed: \(error)") }
        }
    }

    /// Recomputes the store's figures (on `queue`). `DataStore.stats()` reads every hot blob's and every fingerprint's
    /// record, so it grows with the run; it must not crowd out the puts that the blocks' reports wait behind.
    func refreshStats() {
        let start = DispatchTime.now().uptimeNanoseconds
        let s = try? store.stats()
        let end = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        if let s { stats = s }
        refreshQueued = false; lastRefresh = end
        // Keep the queue's share of time spent on statistics at 5% or less as the store grows (20,000 blobs: ~0.6 s).
        refreshInterval = max(Self.statsInterval, 20 * (end &- start))
        lock.unlock()
    }

    /// On `queue`: recomputes when the interval has passed; `queued` clears the one waiting request either way.
    func refreshIfDue(queued: Bool) {
        lock.lock()
        let due = DispatchTime.now().uptimeNanoseconds &- lastRefresh >= refreshInterval
        if queued && !due { refreshQueued = false }
        lock.unlock()
        if due { refreshStats() }
    }

    /// Statistics at most `statsInterval` old, or 20 × what computing them took if that is longer (recomputed after a
    /// migration too, when that much time has passed). At most one refresh waits on the
    /// queue at a time, however often this is read, so a slow `stats()` cannot pile up behind itself.
    var latestStats: DataStore.Stats? {
        lock.lock()
        let due = !refreshQueued && DispatchTime.now().uptimeNanoseconds &- lastRefresh >= refreshInterval
        if due { refreshQueued = true }
        let current = stats
        lock.unlock()
        // Re-checked on the queue: a migration may have refreshed the figures while this waited.
        if due { queue.async { [self] in refreshIfDue(queued: true) } }
        return current
    }

    func fail(_ m: String) {
        lock.lock(); let first = !failed; failed = true; lock.unlock()
        if first { log("data layer: \(m)") }
    }

    /// Waits for every queued put and migration.
    func finish() {
        queue.sync { refreshStats() }
    }
}
