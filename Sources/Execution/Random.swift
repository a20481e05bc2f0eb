import Foundation
import Merkle

/// Simulated time, in seconds from the start of a run. Injected everywhere; nothing here reads a clock.
public typealias SimTime = Double

/// xoshiro256** (Blackman, Vigna): the only source of randomness in this module. Deterministic per seed,
/// identical on every platform (no `SystemRandomNumberGenerator`, no stdlib `random(in:)` whose algorithm may change).
public struct Xoshiro256: Sendable, Equatable {
    private var s0, s1, s2, s3: UInt64

    /// Seeds from a 64-bit value (expanded with SplitMix64).
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// Seeds from a 32-byte public value (e.g. a snapshot root). Each 8-byte little-endian word is mixed
    /// through SplitMix64 so that all 256 bits influence the state and an all-zero seed still gives a valid state.
    public init(seed32 bytes: [UInt8]) {
        precondition(bytes.count == 32, "seed32 must be 32 bytes")
        func word(_ i: Int) -> UInt64 {
            var w: UInt64 = 0
            for b in 0..<8 { w |= UInt64(bytes[i * 8 + b]) << (8 * UInt64(b)) }
            return w
        }
        var a = SplitMix64(seed: word(0)), b = SplitMix64(seed: word(1) ^ 0x6A09_E667_F3BC_C908)
        var c = SplitMix64(seed: word(2) ^ 0xBB67_AE85_84CA_A73B), d = SplitMix64(seed: word(3) ^ 0x3C6E_F372_FE94_F82B)
        s0 = a.next() ^ b.next(); s1 = b.next() ^ c.next(); s2 = c.next() ^ d.next(); s3 = d.next() ^ a.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always) private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Exponentially distributed with the given mean.
    public mutating func nextExponential(mean: Double) -> Double { -Foundation.log(1.0 - nextUnit()) * mean }

    /// Uniform integer in [0, bound), unbiased (rejection sampling), bound > 0.
    public mutating func nextUInt128(below bound: UInt128) -> UInt128 {
        precondition(bound > 0)
        let threshold = (0 &- bound) % bound   // 2^128 mod bound
        while true {
            let x = (UInt128(next()) << 64) | UInt128(next())
            if x >= threshold { return x % bound }
        }
    }

    /// Uniform integer in [0, bound), unbiased, bound > 0.
    public mutating func nextInt(below bound: Int) -> Int { Int(nextUInt128(below: UInt128(bound))) }
}
