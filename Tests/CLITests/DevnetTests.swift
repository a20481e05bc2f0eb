import Foundation
import Testing
import TestSupport

/// `caldera devnet` as a user runs it: real guardian and node processes, interrupted with SIGINT mid-run and
/// resumed on the same directory; afterwards the data store verifies, the ledger conserves supply, every blob
/// and committed snapshot of the first run is still there, and the report renders in a real browser.
@Suite(.enabled(if: calderaAvailable, "needs the built caldera"), .serialized)
struct DevnetTests {
    struct Summary: Decodable {
        var snapshotsCommitted: Int, messagesDelivered: Int, verifyLatencyP99Seconds: Double?, maxServingNodes: Int
        var scaleUpSeconds: Double?, blobsMigrated: Int, coldRatio: Double?, epochs: Int, supplyConserved: Bool
        var mempoolRefused: Int
    }
    struct Committed: Decodable, Equatable { var height: UInt64; var root: String }
    struct Stats: Decodable { struct Tier: Decodable { var blobs: Int }; var hot: Tier; var cold: Tier }

    func committed(_ dir: String) throws -> [Committed] {
        let r = try caldera(["guardian", "log", "--config", dir + "/guardians/guardian-2.json", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONDecoder().decode([Committed].self, from: Data(r.stdout))
    }

    func blobs(_ dir: String) throws -> Int {
        let r = try caldera(["data", "stats", "--store", dir + "/data", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let s = try JSONDecoder().decode(Stats.self, from: Data(r.stdout))
        return s.hot.blobs + s.cold.blobs
    }

    @Test func interruptResumeAndCheck() throws {
        let tmp = try TempDir("devnet")
        defer { tmp.remove() }
        let dir = tmp.file("net")
        // Fast data-layer time (the hot window passes in 6 s) so blocks migrate in a short run; one guardian equivocates.
        let common = ["devnet", "--rollups", "3", "--guardians", "4", "--byzantine", "1", "--speed", "100000", "--peak", "120", "--data-dir", dir]

        // First run: stopped with SIGINT once snapshots are committing.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: calderaBinary)
        p.arguments = common + ["--duration", "120", "--json"]
        p.currentDirectoryURL = packageRoot
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let started = Date()
        var before: [Committed] = []
        while Date().timeIntervalSince(started) < 90 {
            Thread.sleep(forTimeInterval: 2)
            if FileManager.default.fileExists(atPath: dir + "/guardians/guardian-2.data/records.sqlite"), let c = try? committed(dir), c.count >= 6 { break }
        }
        kill(p.processIdentifier, SIGINT)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && p.terminationReason == .exit, "first run did not stop cleanly")
        let first = try JSONDecoder().decode(Summary.self, from: data)
        #expect(first.snapshotsCommitted >= 6 && first.supplyConserved)
        before = try committed(dir)
        let blobsBefore = try blobs(dir)
        #expect(before.count >= 6 && blobsBefore > 0)

        // Second run resumes on the same directory.
        let r = try caldera(common + ["--duration", "15", "--json"], limits: Limits(seconds: 240), workingDirectory: packageRoot.path)
        #expect(r.status == 0, "\(r.stderr.suffix(3000))")
        let s = try JSONDecoder().decode(Summary.self, from: Data(r.stdout))
        #expect(s.snapshotsCommitted > first.snapshotsCommitted)
        #expect(s.messagesDelivered > first.messagesDelivered && s.verifyLatencyP99Seconds != nil)
        #expect(s.maxServingNodes >= 10 && s.blobsMigrated > 0 && (s.coldRatio ?? 0) > 1)
        #expect(s.supplyConserved)

        // Nothing lost: every snapshot of the first run is still committed, unchanged, and every blob still there.
        let after = try committed(dir)
        #expect(Array(after.prefix(before.count)) == before && after.count > before.count)
        #expect(try blobs(dir) > blobsBefore)
        let verify = try caldera(["data", "verify", "--store", dir + "/data"])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")

        // The ledger conserves supply and the equivocating guardian was slashed.
        let economy = try caldera(["economy", "report", "--json", "--ledger", dir + "/ledger"])
        #expect(economy.status == 0, "\(economy.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(economy.stdout)) as? [String: Any])
        // Every base unit is somewhere: balances, bonds, unbonding, pending rewards and pools add up to the supply.
        func units(_ x: Any?) -> UInt128 { (x as? String).flatMap { UInt128($0) } ?? 0 }
        var accounted: UInt128 = 0
        for a in report["accounts"] as? [[String: Any]] ?? [] {
            let bonded = a["bonded"] as? [String: Any] ?? [:]
            accounted += units(a["balance"]) + units(a["unbonding"]) + units(a["pendingRewards"]) + bonded.values.reduce(0) { $0 + units($1) }
        }
        for v in (report["pools"] as? [String: Any] ?? [:]).values { accounted += units(v) }
        #expect(accounted == units(report["totalSupply"]) && accounted > 0)
        let slashed = (report["accounts"] as? [[String: Any]] ?? []).first { $0["id"] as? String == "guardian-1" }
        #expect((slashed?["status"] as? String ?? "active") != "active", "the equivocating guardian is jailed or tombstoned")
        let page = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(page.contains("guardian-1") && page.contains("equivocation"))

        // The report as a person would see it.
        if chromium != nil {
            try Browser.expectCleanAndNotBlank(dir + "/report.html", screenshot: "devnet-run.png", window: .init(width: 1280, height: 4300), scratch: tmp)
        }
    }

    /// Children never outlive a devnet killed with -9: guardians watch their parent, nodes lose their dispatcher.
    @Test func killedDevnetLeavesNoProcesses() throws {
        let tmp = try TempDir("devnet-kill")
        defer { tmp.remove() }
        let dir = tmp.file("net")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: calderaBinary)
        p.arguments = ["devnet", "--rollups", "2", "--duration", "120", "--data-dir", dir]
        p.currentDirectoryURL = packageRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let started = Date()
        while Date().timeIntervalSince(started) < 60, (try? committedCount(dir)) ?? 0 < 2 { Thread.sleep(forTimeInterval: 1) }
        // Its children: the guardians and the node processes.
        let r = try run("/usr/bin/pgrep", ["-P", String(p.processIdentifier)])
        let children = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").compactMap { Int32($0) }
        #expect(children.count >= 4 + 10, "guardians and the core node set run as child processes: \(children)")
        // Alive: /proc/PID exists and is not a zombie (an orphan whose reaper is slow still counts as gone).
        func alive(_ pid: Int32) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true)
        }
        kill(p.processIdentifier, SIGKILL)
        let killed = Date()
        // Polled, not waitUntilExit (which was seen to wait on for a child killed with -9).
        while p.isRunning && Date().timeIntervalSince(killed) < 10 { Thread.sleep(forTimeInterval: 0.1) }
        while Date().timeIntervalSince(killed) < 15, children.contains(where: alive) { Thread.sleep(forTimeInterval: 0.5) }
        #expect(!children.contains(where: alive), "left behind: \(children.filter(alive))")
        for c in children where alive(c) { kill(c, SIGKILL) }
    }

    func committedCount(_ dir: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: dir + "/guardians/guardian-2.data/records.sqlite") else { return 0 }
        return try committed(dir).count
    }

    /// More load than the execution layer serves, into a small mempool: arrivals beyond it are refused and counted
    /// (summary, report), admitted ones are still executed and conserved, and the run ends on time.
    @Test func overloadIsRefusedAndCounted() throws {
        let tmp = try TempDir("devnet-overload")
        defer { tmp.remove() }
        let dir = tmp.file("d")
        let r = try caldera(["devnet", "--rollups", "1", "--guardians", "1", "--duration", "10", "--speed", "1", "--peak", "1500",
                             "--service-us", "100000", "--mempool", "100", "--data-dir", dir, "--json"],
                            limits: Limits(seconds: 180), workingDirectory: packageRoot.path)
        #expect(r.status == 0, "\(r.stderr.suffix(3000))")
        let s = try JSONDecoder().decode(Summary.self, from: Data(r.stdout))
        #expect(s.mempoolRefused > 0 && s.supplyConserved && s.snapshotsCommitted > 0)
        let page = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(page.contains("\(s.mempoolRefused) arrivals refused: a mempool was full (100 per rollup)"))
    }

    @Test func badOptionsFailCleanly() throws {
        for args in [["--rollups", "0"], ["--guardians", "3", "--byzantine", "1"], ["--duration", "5"], ["--speed", "nan"], ["--peak", "-1"], ["--mempool", "5"]] {
            let r = try caldera(["devnet"] + args + ["--data-dir", "/nonexistent/never-created"])
            #expect(r.failedCleanly && r.status == 2, "\(args): \(r.stderr)")
        }
        // A directory made for another shape is refused, not silently mixed.
        let tmp = try TempDir("devnet-shape")
        defer { tmp.remove() }
        let manifest = #"{"version":1,"seed":1,"rollups":2,"guardians":4,"byzantine":0,"basePort":40000,"genesisMillis":1,"sequencerKeys":[],"elapsedSeconds":0,"runs":1}"#
        try FileManager.default.createDirectory(atPath: tmp.file("d"), withIntermediateDirectories: true)
        _ = try tmp.write("d/devnet.json", manifest)
        let r = try caldera(["devnet", "--rollups", "3", "--data-dir", tmp.file("d")])
        #expect(r.failedCleanly && r.stderr.contains("2 rollups"), "\(r.stderr)")
        // Garbage, a FIFO (never waited on) or a file where the directory should be: one error line, exit 2.
        try FileManager.default.createDirectory(atPath: tmp.file("g"), withIntermediateDirectories: true)
        _ = try tmp.write("g/devnet.json", "{garbage")
        try FileManager.default.createDirectory(atPath: tmp.file("f"), withIntermediateDirectories: true)
        #expect(mkfifo(tmp.file("f/devnet.json"), 0o600) == 0)
        _ = try tmp.write("plain", "x")
        // A manifest of the right shape whose keys are damaged: an error naming the field, not a trap.
        try FileManager.default.createDirectory(atPath: tmp.file("k"), withIntermediateDirectories: true)
        _ = try tmp.write("k/devnet.json", #"{"version":1,"seed":1,"rollups":4,"guardians":4,"byzantine":0,"basePort":40000,"genesisMillis":1,"sequencerKeys":["zz"],"elapsedSeconds":0,"runs":1}"#)
        let k = try caldera(["devnet", "--data-dir", tmp.file("k")], limits: Limits(seconds: 20))
        #expect(k.failedCleanly && k.status == 2 && k.stderr.contains("sequencerKeys"), "\(k.stderr)")
        for d in ["g", "f", "plain"] {
            let r = try caldera(["devnet", "--data-dir", tmp.file(d)], limits: Limits(seconds: 20))
            #expect(r.failedCleanly && r.status == 2, "\(d): \(r.stderr)")
        }
    }
}
