import Consensus
import Foundation
import GuardianNode
import Merkle
import Metalayer
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `count` consecutive loopback ports that nobody listens on now, from a random base (several test runs may share the machine).
func freePorts(_ count: Int) -> Int {
    while true {
        let base = Int.random(in: 30000...(60000 - count))
        if (base..<(base + count)).allSatisfy(portIsFree) { return base }
    }
}

func portIsFree(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET); a.sin_port = in_port_t(UInt16(port).bigEndian); a.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
}

/// Connects to a loopback port, sends `bytes`, and says whether the other side closed the connection within `seconds`.
func closedAfterSending(_ bytes: [UInt8], port: Int, seconds: Int = 3) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var a = sockaddr_in()
    a.sin_family = sa_family_t(AF_INET); a.sin_port = in_port_t(UInt16(port).bigEndian); a.sin_addr.s_addr = inet_addr("127.0.0.1")
    let ok = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard ok == 0 else { return false }
    var tv = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n == 0 { return true }                       // orderly close by the guardian
        if n < 0 { return errno == ECONNRESET }          // reset also counts; a timeout does not
    }
}

/// Guardian processes of one testnet, their relays, and what they committed (read from their stores).
final class Testbed {
    let dir: TempDir
    let count: Int
    let basePort: Int
    var guardians: [Process?]
    var relays: [Process?]

    /// With `relayLatencyMillis`, a relay in front of every guardian; `resetPPM[i]` adds resets to relay i.
    init(guardians n: Int, slotMillis: Int = 1000, relayLatencyMillis: Int? = nil, resetPPM: [Int: Int] = [:]) throws {
        dir = try TempDir("guardians")
        count = n
        basePort = freePorts(relayLatencyMillis == nil ? n : 2 * n)
        var args = ["guardian", "testnet", "--guardians", "\(n)", "--base-port", "\(basePort)", "--out", dir.path, "--slot-ms", "\(slotMillis)",
                    "--rollups", "3", "--genesis-ms", "\(UInt64(Date().timeIntervalSince1970 * 1000) + 1500)"]
        if relayLatencyMillis != nil { args += ["--relay-base-port", "\(basePort + n)"] }
        let r = try caldera(args)
        guard r.status == 0 else { throw CocoaError(.featureUnsupported, userInfo: [NSDebugDescriptionErrorKey: r.stderr]) }
        guardians = Array(repeating: nil, count: n)
        relays = Array(repeating: nil, count: n)
        if let latency = relayLatencyMillis {
            for i in 0..<n {
                relays[i] = try spawn(["guardian", "relay", "--listen", "127.0.0.1:\(basePort + n + i)", "--to", "127.0.0.1:\(basePort + i)",
                                       "--latency-ms", "\(latency)", "--reset-ppm", "\(resetPPM[i] ?? 0)", "--seed", "\(i + 1)"],
                                  log: "relay-\(i + 1).log")
            }
        }
    }

    /// Processes of a testnet already written in `existing` (no relays).
    init(existing: TempDir, count n: Int) {
        dir = existing; count = n; basePort = 0
        guardians = Array(repeating: nil, count: n); relays = Array(repeating: nil, count: n)
    }

    func config(_ i: Int) -> String { dir.file("guardian-\(i + 1).json") }
    func stderr(_ i: Int) -> String { (try? String(contentsOfFile: dir.file("guardian-\(i + 1).log"), encoding: .utf8)) ?? "" }

    func spawn(_ args: [String], log: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: calderaBinary)
        p.arguments = args
        if !FileManager.default.fileExists(atPath: dir.file(log)) { #expect(FileManager.default.createFile(atPath: dir.file(log), contents: nil)) }
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file(log)))
        h.seekToEndOfFile()
        p.standardError = h
        p.standardOutput = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = env
        try p.run()
        return p
    }

    func start(_ i: Int) throws { guardians[i] = try spawn(["guardian", "run", "--config", config(i)], log: "guardian-\(i + 1).log") }

    func signal(_ i: Int, _ s: Int32) { if let p = guardians[i] { kill(p.processIdentifier, s) } }

    func kill9(_ i: Int) {
        guard let p = guardians[i] else { return }
        kill(p.processIdentifier, SIGKILL); p.waitUntilExit(); guardians[i] = nil
    }

    /// SIGTERM, then the exit status (0 = stopped cleanly); SIGKILL after 10 s.
    func stop(_ i: Int) -> (status: Int32, signaled: Bool) {
        guard let p = guardians[i] else { return (0, false) }
        kill(p.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        guardians[i] = nil
        return (p.terminationStatus, p.terminationReason == .uncaughtSignal)
    }

    /// What guardian i has committed, read-only from its store (the guardian may be running).
    func log(_ i: Int) -> [CommittedSnapshot] {
        guard let s = try? RecordStore.openReadOnly(path: dir.file("guardian-\(i + 1).data/records.sqlite")) else { return [] }
        defer { try? s.close() }
        return (try? s.committed()) ?? []
    }

    func height(_ i: Int) -> UInt64 { log(i).last?.height ?? 0 }

    /// Polls until `condition` holds; false after `seconds`.
    func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(200_000)
        }
        return condition()
    }

    func shutDown() {
        for i in 0..<count { signal(i, SIGCONT); _ = stop(i) }
        for case let r? in relays { kill(r.processIdentifier, SIGTERM); r.waitUntilExit() }
        relays = relays.map { _ in nil }
    }

    /// Every log is contiguous from height 1, agrees with every other on each height they share, and every
    /// certificate verifies with the Metalayer's `QuorumCertificate.verify`.
    func checkLogs() throws {
        for i in 0..<count { #expect(!stderr(i).contains("evidence against"), "guardian \(i + 1) saw an equivocation") }
        let set = try GuardianSetup.load(path: config(0)).guardianSet
        var byHeight = [UInt64: Digest]()
        for i in 0..<count {
            let l = log(i)
            #expect(l.map(\.height) == Array(1...UInt64(max(1, l.count))).prefix(l.count).map { $0 }, "guardian \(i + 1)'s log has gaps")
            for c in l {
                if let id = byHeight[c.height] { #expect(id == c.value.id, "guardians disagree at height \(c.height)") } else { byHeight[c.height] = c.value.id }
                #expect(throws: Never.self) { try c.certificate.quorumCertificate?.verify(header: c.value.header, set: set) }
                #expect(c.certificate.quorumCertificate != nil)
            }
        }
    }
}

@Suite struct GuardianCommandErrorTests {
    /// Refused outputs, bad configs, a missing store, a busy port and a second process on one store: each exits 2
    /// with one `error:` line and leaves what exists untouched.
    @Test(.enabled(if: calderaAvailable)) func badInputsFailCleanly() throws {
        let dir = try TempDir("guardian-errors")
        defer { dir.remove() }
        let port = freePorts(2)
        let make = ["guardian", "testnet", "--guardians", "2", "--base-port", "\(port)", "--out", dir.path]
        #expect(try caldera(make).status == 0)
        let before = FileSnapshot(dir.file("guardian-1.json"))
        let again = try caldera(make)
        #expect(again.failedCleanly && again.status == 2 && again.stderr.contains("--force"))
        #expect(FileSnapshot(dir.file("guardian-1.json")) == before)
        #expect(try caldera(make + ["--force"]).status == 0)
        #expect(FileSnapshot(dir.file("guardian-1.json")) != before)

        for bad in [["--guardians", "0"], ["--slot-ms", "999"], ["--base-port", "65535"], ["--rollups", "0"]] {
            var args = make + ["--force"]
            for (i, a) in args.enumerated() where a == bad[0] { args[i + 1] = bad[1] }
            if !args.contains(bad[0]) { args += bad }
            let r = try caldera(args)
            #expect(r.failedCleanly && r.status == 2, "\(bad): \(r.stderr)")
        }

        let text = try String(contentsOfFile: dir.file("guardian-1.json"), encoding: .utf8)
        let unknown = try dir.write("unknown.json", text.replacingOccurrences(of: "\"slotMillis\"", with: "\"slot\""))
        let duplicate = try dir.write("duplicate.json", text.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 2, \"version\" : 2"))
        for c in [unknown, duplicate, dir.file("absent.json")] {
            let r = try caldera(["guardian", "run", "--config", c], limits: .hostile)
            #expect(r.failedCleanly && r.status == 2, "\(c): \(r.stderr)")
            #expect(try caldera(["guardian", "log", "--config", c]).failedCleanly)
        }
        let noStore = try caldera(["guardian", "log", "--config", dir.file("guardian-1.json"), "--json"])
        #expect(noStore.failedCleanly && noStore.stderr.contains("no guardian store"))

        // A second process on the same store is refused while the first runs; the first stops cleanly after.
        let bed = Testbed(existing: dir, count: 2)
        try bed.start(0)
        #expect(bed.wait(seconds: 10) { FileManager.default.fileExists(atPath: dir.file("guardian-1.data/records.sqlite")) })
        usleep(300_000)
        let second = try caldera(["guardian", "run", "--config", dir.file("guardian-1.json")], limits: Limits(seconds: 10))
        #expect(second.failedCleanly && second.stderr.contains("in use"), "\(second.stderr)")
        // A client subscribes once: a second subscription (each starts a catch-up) closes its connection.
        let hello = Frames.frame(ClientFrame.handshake), subscribe = Frames.frame(ClientFrame.subscribe(fromHeight: 0).encoded)
        #expect(!closedAfterSending(hello + subscribe, port: port, seconds: 2))
        #expect(closedAfterSending(hello + subscribe + subscribe, port: port))
        #expect(bed.stderr(0).contains("it subscribed twice"))
        // Guardian 2's port taken by someone else: it cannot listen, and says so.
        let squatter = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(squatter) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET); a.sin_port = in_port_t(UInt16(port + 1).bigEndian); a.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(squatter, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(squatter, 1)
        let busy = try caldera(["guardian", "run", "--config", dir.file("guardian-2.json")], limits: Limits(seconds: 10))
        #expect(busy.failedCleanly && busy.stderr.contains("cannot listen"), "\(busy.stderr)")
        #expect(bed.stop(0).status == 0)
    }
}

@Suite(.serialized) struct GuardianProcessTests {
    /// Four guardian processes on loopback: they commit; one killed with -9 and restarted catches up while the
    /// others go on; one stopped (SIGSTOP) holds no one up; garbage on a guardian's port is logged and dropped;
    /// all logs agree and every certificate verifies; SIGTERM stops each cleanly.
    @Test(.enabled(if: calderaAvailable)) func fourGuardiansCommitSurviveKillAndPause() throws {
        let bed = try Testbed(guardians: 4)
        defer { bed.shutDown(); bed.dir.remove() }
        for i in 0..<4 { try bed.start(i) }
        let started = Date()
        #expect(bed.wait(seconds: 20) { (0..<4).allSatisfy { bed.height($0) >= 3 } }, "all four commit three snapshots")
        let steadyFrom = (Date(), bed.height(0))

        // Hostile input on guardian 1's port: a non-frame, an oversized length, an undecodable frame, garbage without handshake.
        let port = bed.basePort
        let hs = Frames.frame(Frames.handshake(identity: try GuardianSetup.load(path: bed.config(1)).key.identity))
        #expect(closedAfterSending(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), port: port))
        #expect(closedAfterSending(hs + [0xff, 0xff, 0xff, 0xff], port: port))
        #expect(closedAfterSending(hs + Frames.frame([1, 2, 3, 4, 5, 6, 7]), port: port))
        #expect(closedAfterSending(Frames.frame([1, 5, 0]), port: port))
        #expect(closedAfterSending(hs + [0, 0, 0, 0], port: port))

        // kill -9 guardian 4; the others keep committing.
        bed.kill9(3)
        let h4 = bed.height(3)
        #expect(bed.wait(seconds: 15) { (0..<3).allSatisfy { bed.height($0) >= h4 + 3 } }, "three guardians commit without the fourth")
        // Restart it: it catches up to where the others were, and keeps up.
        let target = bed.height(0)
        let restart = Date()
        try bed.start(3)
        #expect(bed.wait(seconds: 20) { bed.height(3) >= target }, "the restarted guardian catches up")
        let catchUp = Date().timeIntervalSince(restart)
        // Three more kills at random moments (mid-write included): each restart resumes from the store and never
        // signs anything that contradicts what it signed before (the others would log evidence).
        var rng = TestRNG(UInt64(bed.basePort))
        for _ in 0..<3 {
            usleep(UInt32.random(in: 200_000...1_200_000, using: &rng))
            bed.kill9(3)
            try bed.start(3)
        }
        let again = bed.height(0)
        #expect(bed.wait(seconds: 20) { bed.height(3) >= again }, "after repeated kills the guardian catches up")

        // SIGSTOP guardian 2: the others go on; SIGCONT: it catches up.
        bed.signal(1, SIGSTOP)
        let h2 = (0..<4).map(bed.height).max()!
        #expect(bed.wait(seconds: 15) { [0, 2, 3].allSatisfy { bed.height($0) >= h2 + 3 } }, "a paused guardian holds no one up")
        bed.signal(1, SIGCONT)
        let after = bed.height(0)
        #expect(bed.wait(seconds: 20) { bed.height(1) >= after }, "the resumed guardian catches up")

        // `caldera guardian log` works while the guardian runs, and says what its store says.
        let r = try caldera(["guardian", "log", "--config", bed.config(0), "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = (try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [[String: Any]]) ?? []
        let stored = bed.log(0)
        #expect(rows.count >= 10 && rows.count <= stored.count + 2)
        for (row, c) in zip(rows, stored) {
            #expect(row["height"] as? Int == Int(c.height))
            #expect(row["root"] as? String == Hex.encode(c.value.header.root.bytes))
            #expect((row["certificateSigners"] as? [Int]) == c.certificate.signers)
            #expect((row["entries"] as? [Any])?.count == 3)
        }

        let steadyHeights = bed.height(0) - steadyFrom.1
        let steadySeconds = Date().timeIntervalSince(steadyFrom.0)
        for i in 0..<4 {
            let s = bed.stop(i)
            #expect(s.status == 0 && !s.signaled, "guardian \(i + 1) stops cleanly on SIGTERM")
        }
        try bed.checkLogs()
        let logs1 = bed.stderr(0)
        #expect(logs1.components(separatedBy: "closing connection").count - 1 >= 5, "each hostile connection is logged")
        #expect(!(0..<4).contains { bed.stderr($0).contains("Fatal error") })
        print("guardians: \(bed.height(0)) snapshots in \(Int(Date().timeIntervalSince(started))) s; ",
              "steady interval \(Int(steadySeconds * 1000) / max(1, Int(steadyHeights))) ms per snapshot (1000 ms slots, kill and pause included); ",
              "catch-up after kill -9: \(String(format: "%.1f", catchUp)) s")
    }

    /// Guardians behind relays with 20 ms of latency each way, guardian 3's relay also resetting 10% of chunks'
    /// connections: they commit; partitioning guardian 4's relay (it hears no one) stalls it while the others go
    /// on; healing lets it catch up.
    @Test(.enabled(if: calderaAvailable)) func relayLatencyAndPartition() throws {
        let bed = try Testbed(guardians: 4, relayLatencyMillis: 20, resetPPM: [2: 100_000])
        defer { bed.shutDown(); bed.dir.remove() }
        for i in 0..<4 { try bed.start(i) }
        #expect(bed.wait(seconds: 20) { (0..<4).allSatisfy { bed.height($0) >= 3 } }, "guardians commit through relays")
        kill(bed.relays[3]!.processIdentifier, SIGUSR1)
        usleep(300_000)
        let h4 = bed.height(3)
        let others = (0..<3).map(bed.height).max()!
        #expect(bed.wait(seconds: 15) { (0..<3).allSatisfy { bed.height($0) >= others + 3 } }, "the others commit while guardian 4 is cut off")
        #expect(bed.height(3) <= h4 + 1, "guardian 4 hears nothing, so commits nothing new")
        kill(bed.relays[3]!.processIdentifier, SIGUSR2)
        let target = bed.height(0)
        #expect(bed.wait(seconds: 20) { bed.height(3) >= target }, "healed, guardian 4 catches up")
        for i in 0..<4 { #expect(bed.stop(i).status == 0) }
        try bed.checkLogs()
        let relayLog = (try? String(contentsOfFile: bed.dir.file("relay-4.log"), encoding: .utf8)) ?? ""
        #expect(relayLog.contains("partitioned") && relayLog.contains("healed"))
        let resets = ((try? String(contentsOfFile: bed.dir.file("relay-3.log"), encoding: .utf8)) ?? "").components(separatedBy: "reset a connection").count - 1
        #expect(resets > 0, "guardian 3's relay reset connections")
        #expect((0..<4).allSatisfy { bed.height($0) >= target }, "guardian 3 kept up through the resets")
        print("relays: 20 ms each way; guardian 3's relay reset \(resets) connections; all four at height ≥ \(target)")
    }
}
