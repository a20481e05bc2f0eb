import Foundation

/// Where the shared test data lives: $CALDERA_SHARED, else `../shared` beside the package root.
enum SharedData {
    static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["CALDERA_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("../shared").standardizedFileURL
    }()

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }
    static func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: url(relative).path) }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(relative))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}

func unhex(_ s: String) -> [UInt8] {
    var out = [UInt8]()
    var it = s.utf8.makeIterator()
    func v(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
    while let a = it.next(), let b = it.next() { out.append(v(a) << 4 | v(b)) }
    return out
}

/// Deterministic test randomness.
struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// A fresh temporary directory path (not created).
func tempPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("caldera-data-test-\(getpid())-\(name)-\(UInt32.random(in: 0 ... .max))").path
}

/// Text-like compressible bytes: a JSON-ish record repeated with varying numbers.
func chainLikeData(_ n: Int, seed: UInt64) -> [UInt8] {
    var rng = TestRNG(seed)
    var out = [UInt8]()
    while out.count < n {
        out += Array("{\"blockNumber\":\"0x\(String(rng.next() % 100_000, radix: 16))\",\"hash\":\"0x\(String(rng.next(), radix: 16))\",\"gasUsed\":\"0x5208\"},\n".utf8)
    }
    return Array(out.prefix(n))
}
