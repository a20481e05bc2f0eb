import CCaldera
import Foundation
import Testing
import TestSupport
@testable import Merkle

@Suite struct SHA256Tests {
    let backends = SHA256.Backend.allCases.filter { $0.isAvailable }

    @Test func publishedVectors() {
        // FIPS 180-4 examples
        for b in backends {
            #expect(SHA256.hash(Array("abc".utf8), backend: b).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(SHA256.hash([UInt8](), backend: b).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8), backend: b).hex
                    == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        }
    }

    @Test func availability() {
        #expect(SHA256.Backend.portable.isAvailable && SHA256.Backend.openssl.isAvailable)
        #expect(SHA256.Backend.resolvedAuto != .auto)
        #expect(MemoryLayout<Digest>.size == 32 && MemoryLayout<Digest>.stride == 32)
    }

    /// Every backend against OpenSSL on random inputs of every length 0...300, with and without a prefix byte.
    @Test func backendsAgreeOnEveryLength() {
        var rng = TestRNG(1)
        for len in 0...300 {
            let data = rng.bytes(len)
            let reference = SHA256.hash(data, backend: .openssl)
            for b in backends {
                #expect(SHA256.hash(data, backend: b) == reference, "backend \(b), length \(len)")
                // prefixed: compare against hashing the concatenation
                let p = UInt8(len & 0xFF)
                #expect(SHA256.hashMany(data, count: 1, length: len, prefix: p, backend: b)[0]
                        == SHA256.hash([p] + data, backend: .openssl), "prefixed, backend \(b), length \(len)")
            }
        }
    }

    /// The batch entry point (interleaved lanes) equals one-at-a-time hashing, for odd and even counts.
    @Test func batchMatchesSingle() {
        var rng = TestRNG(2)
        for len in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 200] {
            for count in [1, 2, 3, 7, 16] {
                let data = rng.bytes(len * count)
                let expected = (0..<count).map { i in SHA256.hash(Array(data[(i * len)..<((i + 1) * len)]), backend: .openssl) }
                for b in backends {
                    #expect(SHA256.hashMany(data, count: count, length: len, backend: b) == expected, "backend \(b) len \(len) count \(count)")
                }
            }
        }
    }

    @Test func variableLengthBatch() {
        var rng = TestRNG(3)
        let lengths = [0, 0, 3, 3, 3, 64, 64, 100, 0, 31, 31]
        var data = [UInt8](), offsets: [UInt64] = [0]
        for l in lengths { data += rng.bytes(l); offsets.append(UInt64(data.count)) }
        let got = MerkleHash.leaves(data: data, offsets: offsets)
        for (i, l) in lengths.enumerated() {
            let leaf = Array(data[Int(offsets[i])..<Int(offsets[i]) + l])
            #expect(got[i] == SHA256.hash([0] + leaf, backend: .portable))
        }
    }

    @Test func unknownBackendIsAnError() {
        var out = [UInt8](repeating: 0, count: 32)
        #expect(Int(cal_sha256(99, nil, 0, &out)) == CAL_ERR_BACKEND)
        #expect(Int(cal_sha256_many(Int32(CAL_SHA256_PORTABLE), nil, 0, 0, 0, 256, &out)) == CAL_ERR_PARAM)
    }
}
