// What a devnet run is asked to do (options) and what its data directory fixes once (the manifest): keys,
// ports, the guardians' genesis. A second run on the same directory reads the manifest and resumes.
import Consensus
import DurableIO
import Foundation
import GuardianNode
import Merkle
import Metalayer
import NIOCore
import NIOPosix
import Wire

public struct DevnetOptions: Sendable {
    public var rollups = 4
    public var guardians = 4
    public var durationSeconds = 120.0
    /// Data-layer time runs this many times faster than the wall clock, so that the 7-day hot window passes
    /// during a short run (10,080: a week per minute).
    public var speed = 10_080.0
    public var dataDir: String
    /// Guardians that equivocate (`caldera guardian run --equivocate`); strictly fewer than a third.
    public var byzantine = 0
    public var seed: UInt64 = 1
    /// Busiest second of each rollup's arrivals, transactions (the trace's shape scaled to it).
    public var peakPerRollup = 200.0
    /// A node's minimum service time per transaction (`caldera node run --service-us`), µs.
    public var serviceMicros = 40_000
    /// Transactions each rollup's mempool holds; arrivals beyond are refused and counted (geth's `--txpool.globalslots`).
    public var mempoolCapacity = Mempool.defaultCapacity
    public var blockMillis: UInt64 = 500
    public var epochSeconds = 20.0
    public var migrateEverySeconds = 5.0
    public var minNodes = 10
    public var maxNodes = 100
    /// The `caldera` binary the guardians and nodes run as (this process's own by default).
    public var executable: String
    /// The shared data directory (traces, corpus), if present.
    public var shared: URL?
    /// The package root, for Contracts/ and the Python environment of the EVM check.
    public var packageRoot: String
    public init(dataDir: String, executable: String, shared: URL?, packageRoot: String) {
        self.dataDir = dataDir; self.executable = executable; self.shared = shared; self.packageRoot = packageRoot
    }
}

/// DIR/devnet.json: fixed when the directory is first used.
public struct DevnetManifest: Codable, Sendable, Equatable {
    public static let currentVersion = 1
    public var version: Int
    public var seed: UInt64
    public var rollups: Int
    public var guardians: Int
    public var byzantine: Int
    public var basePort: Int
    public var genesisMillis: UInt64
    /// Sequencer private keys, hex, rollup 1 … R (the guardians' files hold only their addresses).
    public var sequencerKeys: [String]
    /// Total seconds of earlier runs on this directory (the report's time axis continues from it).
    public var elapsedSeconds: Double
    public var runs: Int
}

public enum DevnetError: Error, CustomStringConvertible {
    case invalid(String)
    case failed(String)
    public var description: String {
        switch self { case let .invalid(m), let .failed(m): m }
    }
}

/// Where things live under the data directory.
public struct DevnetPaths: Sendable {
    public let root: String
    public init(_ root: String) { self.root = root }
    public var manifest: String { root + "/devnet.json" }
    public var store: String { root + "/devnet.sqlite" }
    public var data: String { root + "/data" }
    public var ledger: String { root + "/ledger" }
    public var guardians: String { root + "/guardians" }
    public var logs: String { root + "/logs" }
    public var relayer: String { root + "/relayer" }
    public func guardianConfig(_ i: Int) -> String { "\(guardians)/guardian-\(i + 1).json" }
    public func guardianData(_ i: Int) -> String { "\(guardians)/guardian-\(i + 1).data" }
}

extension DevnetManifest {
    /// A new directory: guardian configs on `basePort`…, genesis a few seconds from now, fresh keys.
    static func create(_ o: DevnetOptions, paths: DevnetPaths, now: UInt64) throws(DevnetError) -> (DevnetManifest, [GuardianConfig]) {
        let base = try freePorts(o.guardians)
        var plan = Testnet.Plan(guardians: o.guardians, basePort: base, genesisMillis: now + 4000)
        plan.rollups = o.rollups
        var configs = Testnet.configs(plan)
        let keys = configs[0].sequencers.map { $0.demoPrivateKey ?? "" }
        // The devnet's sequencers sign; the guardians only know their addresses.
        for i in configs.indices { for j in configs[i].sequencers.indices { configs[i].sequencers[j].demoPrivateKey = nil } }
        let m = DevnetManifest(version: currentVersion, seed: o.seed, rollups: o.rollups, guardians: o.guardians, byzantine: o.byzantine,
                               basePort: base, genesisMillis: plan.genesisMillis, sequencerKeys: keys, elapsedSeconds: 0, runs: 0)
        return (m, configs)
    }

    /// `n` consecutive loopback ports nobody listens on now (bound and released; a race with another program
    /// taking one in between shows up as a guardian that cannot listen, named in its log).
    static func freePorts(_ n: Int) throws(DevnetError) -> Int {
        var g = SystemRandomNumberGenerator()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        for _ in 0..<50 {
            let base = Int.random(in: 20_000...(60_000 - n), using: &g)
            var channels = [Channel]()
            var ok = true
            for p in base..<(base + n) {
                if let c = try? ServerBootstrap(group: group).bind(host: "127.0.0.1", port: p).wait() { channels.append(c) } else { ok = false; break }
            }
            for c in channels { try? c.close().wait() }
            if ok { return base }
        }
        throw .failed("found no \(n) free consecutive loopback ports")
    }

    func encoded() -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try! e.encode(self)) + [0x0a]
    }

    static func load(_ path: String) throws(DevnetError) -> DevnetManifest {
        let bytes = try readRegular(path, limit: 1 << 20)
        let m: DevnetManifest
        do { m = try StrictJSONDecoder(maxBytes: 1 << 20).decode(DevnetManifest.self, from: bytes) } catch {
            throw .invalid("\(path): \(error)")
        }
        // Counters the devnet does arithmetic on: out of range means a damaged file, not a trap later.
        guard (0...1_000_000).contains(m.runs) else { throw .invalid("\(path): runs is \(m.runs), not 0 to 1000000") }
        guard m.elapsedSeconds.isFinite, (0...1e9).contains(m.elapsedSeconds) else {
            throw .invalid("\(path): elapsedSeconds is \(m.elapsedSeconds), not 0 to 1e9")
        }
        return m
    }

    func write(_ path: String) throws(DevnetError) {
        do { try DurableFile.write(encoded(), to: path, mode: 0o600) } catch { throw .failed("cannot write \(path): \(error)") }
    }
}

/// A file the devnet itself wrote: regular (a FIFO or device in its place is refused, never waited on) and small.
func readRegular(_ path: String, limit: Int) throws(DevnetError) -> [UInt8] {
    let fd = DurableFile.openRegular(path)
    guard fd >= 0 else { throw .invalid("\(path): not a regular file the devnet wrote (\(String(cString: strerror(errno))))") }
    var st = stat()
    let size = fstat(fd, &st) == 0 ? Int(st.st_size) : -1
    close(fd)
    guard size >= 0, size <= limit else { throw .invalid("\(path): \(size) bytes, more than the \(limit) a devnet file holds") }
    do { return try DurableFile.read(path) } catch { throw .invalid("\(error)") }
}
