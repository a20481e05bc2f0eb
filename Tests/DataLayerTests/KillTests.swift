import DataLayer
import Foundation
import Merkle
import Testing

/// The crash test: `migrate` (a real child process) is SIGKILLed at random moments; after every kill
/// each blob must be readable, byte-exact, from at least one tier; after a final uninterrupted run,
/// every blob is cold, and the log holds exactly one put and one migrate record per blob, with a
/// root that matches its records.
@Suite(.enabled(if: cliAvailable, "needs the caldera binary beside the tests"))
struct KillTests {
    @Test func migrateSurvivesKillNineAtRandomMoments() throws {
        let dir = tempPath("kill")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var blobs = [(BlobID, [UInt8])]()
        do {
            let store = try DataStore(directory: dir, options: .init(create: true, writer: true))
            let ns = Namespace(name: "kill")!
            for batch in 0..<60 { // 60 one-minute windows → 60 segments, each its own write/fingerprint/release cycle
                let data = (0..<4).map { chainLikeData(6_000 + $0 * 500, seed: UInt64(batch * 4 + $0)) }
                let metas = try store.put(data.map { (ns, $0) }, time: 1_700_000_000 + Int64(batch) * 60, nowMillis: 0)
                blobs += zip(metas.map(\.id), data)
            }
        }
        // Dictionaries off: their training would otherwise take most of a run, and kills should land in the
        // per-segment write / read-back / fingerprint / release cycle (dictionary files are written durably
        // and content-addressed, like segments).
        let args = ["data", "migrate", "--store", dir, "--older-than", "0s", "--level", "3", "--segment-window", "60s", "--no-dictionaries"]
        // How long an uninterrupted run takes (on a copy), so that kills land anywhere in it.
        let copy = tempPath("kill-copy")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: dir, toPath: copy)
        let clock = ContinuousClock()
        let t0 = clock.now
        #expect(try cli(["data", "migrate", "--store", copy, "--older-than", "0s", "--level", "3", "--segment-window", "60s", "--no-dictionaries"]).status == 0)
        let full = clock.now - t0
        let fullMicros = UInt32(full.components.seconds * 1_000_000 + full.components.attoseconds / 1_000_000_000_000)
        var rng = SystemRandomNumberGenerator()
        var kills = 0
        var progress = [String]()
        for _ in 0..<6 {
            let p = Process()
            p.executableURL = cliBinary
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32.random(in: fullMicros / 20 ... max(fullMicros / 20 + 1, fullMicros / 2), using: &rng))
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                kills += 1
            }
            p.waitUntilExit()
            // after every kill: every blob readable, byte-exact, from some tier
            let store = try DataStore(directory: dir)
            for (id, data) in blobs { #expect(try store.get(id).bytes == data) }
            let st = try store.stats()
            progress.append("\(st.hot.blobs) hot/\(st.cold.blobs) cold")
            if p.terminationReason == .exit { break } // finished before the kill
        }
        let partial = try DataStore(directory: dir).stats()
        print("kill test: full run \(full), \(kills) kills; after each: \(progress.joined(separator: ", ")); log \(partial.log.size)")
        let final = try cli(args)
        #expect(final.status == 0, "\(final.stderr)")
        let store = try DataStore(directory: dir)
        for (id, data) in blobs { #expect(try store.get(id) == (data, .cold)) }
        let entries = try store.log.allEntries()
        #expect(entries.count == 2 * blobs.count, "kills: \(kills)")
        var kinds = [BlobID: [Fingerprint.Kind]]()
        for e in entries { kinds[e.fingerprint.blob, default: []].append(e.fingerprint.kind) }
        for (id, _) in blobs { #expect(kinds[id] == [.put, .migrate]) }
        let head = try store.log.head()
        #expect(head.root == MerkleHash.root(leafHashes: entries.map { $0.fingerprint.leafHash }) && head.size == UInt64(entries.count))
        let v = store.verify()
        #expect(v.ok, "\(v.failures)")
        #expect(v.warnings.isEmpty)
        #expect(kills >= 1)
    }
}
