import Foundation
import TestSupport
@testable import ChainCodec

/// The shared corpus (TestSupport finds the shared directory).
enum Shared {
    static var corpus: URL { SharedData.url("corpus") }
    static var hasCorpus: Bool { FileManager.default.fileExists(atPath: corpus.appendingPathComponent("SOURCES.md").path) }

    static func corpusFiles() -> [URL] {
        guard let e = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil) else { return [] }
        return e.compactMap { $0 as? URL }
            .filter { !$0.hasDirectoryPath && $0.lastPathComponent != "SOURCES.md" }
            .sorted { $0.path < $1.path }
    }

    static func read(_ relative: String) -> [UInt8] {
        (try? [UInt8](Data(contentsOf: corpus.appendingPathComponent(relative)))) ?? []
    }
}

typealias SeededRNG = TestRNG

func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

func randomBytes(_ n: Int, _ rng: inout SeededRNG) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }

/// The first `count` top-level RLP items of a stream (for fast tests on a slice of a header file).
func rlpPrefix(_ bytes: [UInt8], items count: Int) -> [UInt8] {
    var pos = 0
    for _ in 0..<count {
        guard pos < bytes.count else { break }
        let b = bytes[pos]
        var len = 0
        if b >= 0xF8 {
            let ll = Int(b) - 0xF7
            for i in 0..<ll { len = len << 8 | Int(bytes[pos + 1 + i]) }
            len += 1 + ll
        } else if b >= 0xC0 { len = 1 + Int(b) - 0xC0 } else { break }
        pos += len
    }
    return Array(bytes[..<pos])
}

/// One random mutation: flip, overwrite, insert, delete, truncate or duplicate a range.
func mutate(_ input: [UInt8], _ rng: inout SeededRNG) -> [UInt8] {
    var b = input
    if b.isEmpty { return [UInt8.random(in: 0...255, using: &rng)] }
    let i = Int.random(in: 0..<b.count, using: &rng)
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: b[i] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
    case 1: b[i] = UInt8.random(in: 0...255, using: &rng)
    case 2: b.insert(UInt8.random(in: 0...255, using: &rng), at: i)
    case 3: b.remove(at: i)
    case 4: b.removeSubrange(i...)
    default:
        let j = min(b.count, i + Int.random(in: 1...64, using: &rng))
        b.insert(contentsOf: b[i..<j], at: j)
    }
    return b
}
