import DataLayer
import DataTestSupport
import Foundation
import Merkle
import Testing
import TestSupport

/// What the concurrent processes saw, collected across threads.
final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var _problems = [String]()
    private var _blobs = [(String, [UInt8])]()
    var verifies = 0, gets = 0, busy = 0, writes = 0
    private var _stop = false
    var stop: Bool { get { lock.withLock { _stop } } set { lock.withLock { _stop = newValue } } }
    func problem(_ s: String) { lock.withLock { _problems.append(s) } }
    var problems: [String] { lock.withLock { _problems } }
    func add(_ id: String, _ d: [UInt8]) { lock.withLock { _blobs.append((id, d)) } }
    var blobs: [(String, [UInt8])] { lock.withLock { _blobs } }
    func count(_ f: (Outcomes) -> Void) { lock.withLock { f(self) } }
}

/// A raw SQLite message or a crash must never reach the user; "busy … retry" is the only allowed failure.
func rawSQLite(_ stderr: String) -> Bool {
    stderr.contains("SQLite error") || stderr.contains("database is locked") || stderr.contains("SQLITE_")
}

/// Four writer processes at a time on one store (puts and a migrate, starting on a fresh directory,
/// so they also race to create it) while a reader loops `verify` and `get`: no false verify failure,
/// no raw SQLite error, and every writer succeeds or says the store is busy.
@Suite(.enabled(if: calderaAvailable, "needs the caldera binary beside the tests"))
struct ConcurrencyTests {
    @Test func fourWritersAndAVerifyingReader() throws {
        let dir = tempPath("conc")
        let files = tempPath("conc-files")
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        defer { for d in [dir, files] { try? FileManager.default.removeItem(atPath: d) } }
        let rounds = longTests ? 20 : 8
        let seen = Outcomes()
        let readerDone = DispatchSemaphore(value: 0)

        @Sendable func writer(_ round: Int, _ w: Int) {
            var args: [String]
            var data = [[UInt8]]()
            if w == 3 && round > 0 {
                args = ["data", "migrate", "--store", dir, "--older-than", "0s", "--level", "1", "--segment-window", "60s", "--no-dictionaries"]
            } else {
                data = (0 ..< 2).map { chainLikeData(60_000 + $0 * 777, seed: UInt64(round * 100 + w * 10 + $0)) }
                let paths = data.enumerated().map { j, d in
                    let p = files + "/\(round)-\(w)-\(j)"
                    try? Data(d).write(to: URL(fileURLWithPath: p))
                    return p
                }
                args = ["data", "put", "--store", dir, "--namespace", "c\(w)", "--time", "\(1_700_000_000 + round * 60)"] + paths
            }
            guard let r = try? cli(args) else { seen.problem("cannot run \(args)"); return }
            if rawSQLite(r.stderr) { seen.problem("raw SQLite error from \(args[1]): \(r.stderr)") }
            if r.status == 0 {
                seen.count { $0.writes += 1 }
                for (id, d) in zip(r.text.split(separator: "\n"), data) { seen.add(String(id), d) }
            } else if r.stderr.contains("busy") && r.stderr.contains("retry") {
                seen.count { $0.busy += 1 }
            } else {
                seen.problem("\(args[1]) failed (\(r.status)): \(r.stderr)")
            }
        }

        @Sendable func reader() {
            var i = 0
            while !seen.stop {
                i += 1
                if let v = try? cli(["data", "verify", "--store", dir]) {
                    if v.status != 0 || rawSQLite(v.stderr) { seen.problem("verify \(i): \(v.status) \(v.text) \(v.stderr)") }
                    seen.count { $0.verifies += 1 }
                }
                let known = seen.blobs
                if let (id, d) = known.randomElement(), let g = try? cli(["data", "get", "--store", dir, id]) {
                    if g.status != 0 || g.stdout != d { seen.problem("get \(id): \(g.status) \(g.stderr)") }
                    seen.count { $0.gets += 1 }
                }
            }
            readerDone.signal()
        }

        let clock = ContinuousClock()
        let t0 = clock.now
        for round in 0 ..< rounds {
            let group = DispatchGroup()
            for w in 0 ..< 4 {
                DispatchQueue.global().async(group: group) { writer(round, w) }
            }
            group.wait()
            // The reader starts once a store exists (verify on no store is a different, correct, error).
            if round == 0 { Thread.detachNewThread { reader() } }
        }
        seen.stop = true
        readerDone.wait()
        print("concurrency: \(rounds) rounds in \(clock.now - t0): \(seen.writes) writes ok, \(seen.busy) busy, \(seen.verifies) verifies, \(seen.gets) gets")
        #expect(seen.problems.isEmpty, "\(seen.problems)")
        #expect(seen.verifies > 0 && seen.gets > 0)
        // Everything the writers reported stored is there, and the store verifies.
        let store = try DataStore(directory: dir)
        for (id, d) in seen.blobs { #expect(try store.get(#require(BlobID(hex: id))).bytes == d) }
        let v = store.verify()
        #expect(v.ok, "\(v.failures)")
    }
}
