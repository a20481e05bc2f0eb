// Inputs for the data-layer tests, shared by DataLayerTests and the tests that run `caldera data`
// (CLITests): chain-like compressible bytes and fresh temporary paths.
import Foundation
import TestSupport

/// A fresh temporary directory path (not created).
public func tempPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("caldera-data-test-\(getpid())-\(name)-\(UInt32.random(in: 0 ... .max))").path
}

/// Text-like compressible bytes: a JSON-ish record repeated with varying numbers.
public func chainLikeData(_ n: Int, seed: UInt64) -> [UInt8] {
    var rng = TestRNG(seed)
    var out = [UInt8]()
    while out.count < n {
        out += Array("{\"blockNumber\":\"0x\(String(rng.next() % 100_000, radix: 16))\",\"hash\":\"0x\(String(rng.next(), radix: 16))\",\"gasUsed\":\"0x5208\"},\n".utf8)
    }
    return Array(out.prefix(n))
}
