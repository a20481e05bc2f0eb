import DataLayer
import DataTestSupport
import Foundation
import Merkle
import TestSupport
import Testing

/// Runs the built `caldera` binary (TestSupport's `caldera`), without its 60-second cap: a `migrate` may take longer.
@discardableResult
func cli(_ args: [String]) throws -> Run { try caldera(args, limits: Limits(seconds: 3_600)) }

/// All input files of this process's CLI tests live here; each test removes what it wrote.
let tempFilesDirectory = tempPath("files")

func writeTemp(_ name: String, _ bytes: [UInt8]) throws -> String {
    let dir = tempFilesDirectory + "/" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let p = dir + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: p))
    return p
}

@Suite(.enabled(if: calderaAvailable, "needs the caldera binary beside the tests"))
struct DataCLITests {
    @Test func putMigrateGetVerifyStatsAndProofs() throws {
        let store = tempPath("cli")
        defer { try? FileManager.default.removeItem(atPath: store) }
        let a = chainLikeData(40_000, seed: 1), b = chainLikeData(7_000, seed: 2)
        let fa = try writeTemp("a.json", a), fb = try writeTemp("b.json", b)
        defer { for f in [fa, fb] { try? FileManager.default.removeItem(atPath: (f as NSString).deletingLastPathComponent) } }
        let put = try cli(["data", "put", "--store", store, "--namespace", "rollup-1", fa, fb])
        #expect(put.status == 0, "\(put.stderr)")
        let ids = put.text.split(separator: "\n").map(String.init)
        #expect(ids.count == 2 && ids.allSatisfy { $0.count == 64 })
        #expect(try cli(["data", "get", "--store", store, ids[0]]).stdout == a)
        let stats1 = try JSONSerialization.jsonObject(with: Data(try cli(["data", "stats", "--store", store, "--json"]).stdout)) as! [String: [String: Any]]
        #expect(stats1["hot"]?["blobs"] as? Int == 2 && stats1["hot"]?["bytes"] as? Int == a.count + b.count)
        #expect(Set(stats1.keys) == ["hot", "cold", "log"] && Set(stats1["cold"]!.keys) == ["blobs", "bytes", "rawBytes"])
        // the default 7-day window keeps fresh blobs hot
        #expect(try cli(["data", "migrate", "--store", store]).status == 0)
        #expect(try cli(["data", "stats", "--store", store, "--json"]).text.contains("\"blobs\" : 2"))
        let m = try cli(["data", "migrate", "--store", store, "--older-than", "0s", "--level", "3"])
        #expect(m.status == 0, "\(m.stderr)")
        let out = tempPath("out")
        #expect(try cli(["data", "get", "--store", store, ids[1], "-o", out]).status == 0)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out))) == b)
        try? FileManager.default.removeItem(atPath: out)
        let v = try cli(["data", "verify", "--store", store])
        #expect(v.status == 0 && v.text.hasPrefix("ok:"), "\(v.text) \(v.stderr)")
        let stats = try JSONDecoder().decode(DataStore.Stats.self, from: Data(try cli(["data", "stats", "--store", store, "--json"]).stdout))
        #expect(stats.hot.blobs == 0 && stats.cold.blobs == 2 && stats.cold.rawBytes == UInt64(a.count + b.count) && stats.log.size == 4)
        // proofs in `caldera merkle`'s JSON
        let inc = try JSONDecoder().decode(InclusionProof.self, from: Data(try cli(["data", "log", "inclusion", "--store", store, ids[0]]).stdout))
        #expect(inc.root == stats.log.root && inc.size == 4)
        try inc.verify()
        let con = try JSONDecoder().decode(ConsistencyProof.self, from: Data(try cli(["data", "log", "consistency", "--store", store, "--old-size", "2"]).stdout))
        #expect(con.newRoot == stats.log.root)
        try con.verify()
        #expect(try cli(["data", "log", "consistency", "--store", store, "--old-size", "9"]).status == 2)
    }

    @Test func clearErrorsAndNothingHalfWritten() throws {
        let store = tempPath("cli-err")
        defer { try? FileManager.default.removeItem(atPath: store) }
        // a missing store
        for cmd in [["get", String(repeating: "ab", count: 32)], ["verify"], ["stats"], ["migrate"], ["log", "consistency", "--old-size", "1"]] {
            let r = try cli(["data"] + cmd + ["--store", store])
            #expect(r.status == 2 && r.stderr.contains("no Caldera data store"), "\(cmd): \(r.stderr)")
        }
        // a missing input file stores nothing (not even the store directory)
        let x = try writeTemp("x", [1, 2, 3]), y = try writeTemp("y", [1]), z = try writeTemp("z", chainLikeData(30_000, seed: 5))
        defer { for f in [x, y, z] { try? FileManager.default.removeItem(atPath: (f as NSString).deletingLastPathComponent) } }
        let r = try cli(["data", "put", "--store", store, x, "/nonexistent/file"])
        #expect(r.status == 2 && r.stderr.contains("/nonexistent/file"))
        #expect(!FileManager.default.fileExists(atPath: store))
        #expect(try cli(["data", "put", "--store", store, "--namespace", "this-is-too-long", y]).status == 2)
        let id = try cli(["data", "put", "--store", store, z]).text.trimmingCharacters(in: .whitespacesAndNewlines)
        // unknown and malformed ids
        let unknown = try cli(["data", "get", "--store", store, String(repeating: "0", count: 64)])
        #expect(unknown.status == 2 && unknown.stderr.contains("unknown blob id") && unknown.stdout.isEmpty)
        #expect(try cli(["data", "get", "--store", store, "xyz"]).status == 2)
        #expect(try cli(["data", "log", "inclusion", "--store", store, String(repeating: "0", count: 64)]).status == 2)
        // out-of-range codec level and thread count are bad input, checked before the store is touched
        for bad in [["--codec-level", "0"], ["--codec-level", "23"], ["--jobs", "0"]] {
            let m = try cli(["data", "migrate", "--store", store, "--older-than", "0s"] + bad)
            #expect(m.status == 2 && m.stderr.contains(bad[0]), "\(bad): \(m.stderr)")
        }
        // a corrupt segment: get fails cleanly, verify lists it (exit 1), no partial output file
        #expect(try cli(["data", "migrate", "--store", store, "--older-than", "0s", "--level", "1", "--codec-level", "3", "--jobs", "1"]).status == 0)
        let segDir = store + "/cold/segments"
        let seg = try #require(try FileManager.default.contentsOfDirectory(atPath: segDir).first { $0.hasSuffix(".seg") })
        let path = segDir + "/" + seg
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[Segment.headerSize + 3] ^= 0xFF
        chmod(path, 0o644)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let out = tempPath("never")
        let g = try cli(["data", "get", "--store", store, id, "-o", out])
        #expect(g.status == 2 && g.stderr.contains("segment"), "\(g.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let v = try cli(["data", "verify", "--store", store])
        #expect(v.status == 1 && v.text.contains("FAIL") && v.text.contains(id))
    }
}
