// What the devnet's users do: when transactions arrive (real load traces, one window per rollup, scaled to a
// stated peak) and what they carry (call data of real transactions from the shared corpus). Pure given the
// seed and the loaded inputs; the files are read by `Sources`.
import ExecutionNode
import Execution
import Foundation
import Merkle
import Metalayer
import Wire

/// Arrival times of one rollup's transactions, seconds from the run's start.
public struct ArrivalSchedule: Sendable {
    public var times: [Double]
    /// Where they came from, in words (trace file, window, scale).
    public var description: String

    /// A window of `duration` seconds of `workload`, from `offset` (wrapping around its end), thinned or
    /// replicated so that the busiest 1-s bin has about `peak` arrivals.
    public static func window(of workload: ArrivalWorkload, offset: Double, duration: Double, peak: Double, seed: UInt64) -> ArrivalSchedule {
        let span = max(workload.duration, 1)
        let start = offset.truncatingRemainder(dividingBy: span)
        var raw = [Double]()
        var base = 0.0
        // Walk the trace from `start`, wrapping, until `duration` seconds are covered.
        var from = start
        while base < duration {
            let lo = workload.arrivals.partitionIndex(atLeast: from)
            for t in workload.arrivals[lo...] {
                let u = base + t - from
                if u >= duration { break }
                raw.append(u)
            }
            base += span - from
            from = 0
        }
        var bins = [Int](repeating: 0, count: Int(duration.rounded(.up)) + 1)
        for t in raw { bins[min(bins.count - 1, Int(t))] += 1 }
        let busiest = Double(bins.max() ?? 0)
        let factor = busiest > 0 ? peak / busiest : 0
        var rng = Xoshiro256(seed: seed ^ 0xDE7_0000_0000_0001)
        var out = [Double]()
        for t in raw {
            let whole = Int(factor.rounded(.down))
            let n = whole + (rng.nextUnit() < factor - Double(whole) ? 1 : 0)
            for k in 0..<n { out.append(k == 0 ? t : min(duration, t + rng.nextUnit() * 0.001)) }
        }
        out.sort()
        return ArrivalSchedule(times: out, description: "\(workload.name) from \(Int(start)) s, ×\(String(format: "%.3g", factor)) (busiest second \(Int(peak)) tx)")
    }
}

extension Array where Element == Double {
    /// The first index whose element is ≥ x (the array is sorted).
    func partitionIndex(atLeast x: Double) -> Int {
        var lo = 0, hi = count
        while lo < hi { let m = (lo + hi) / 2; if self[m] < x { lo = m + 1 } else { hi = m } }
        return lo
    }
}

/// Call data of real transactions: every `"input"` hex string found in the corpus's JSON block exports.
public enum PayloadPool {
    public static let maxPayloads = 20_000
    public static let maxPayloadBytes = 16 << 10

    /// Walks parsed JSON for transaction inputs.
    public static func inputs(fromJSON data: Data) -> [[UInt8]] {
        guard let root = try? JSONSerialization.jsonObject(with: data) else { return [] }
        var out = [[UInt8]]()
        func walk(_ v: Any) {
            guard out.count < maxPayloads else { return }
            if let d = v as? [String: Any] {
                for (k, x) in d {
                    if k == "input", let s = x as? String, s.hasPrefix("0x"), s.count > 2, s.count <= 2 + 2 * maxPayloadBytes,
                       let b = Hex.decode(String(s.dropFirst(2))) {
                        out.append(b)
                    } else { walk(x) }
                }
            } else if let a = v as? [Any] {
                for x in a { walk(x) }
            }
        }
        walk(root)
        return out
    }

    /// Synthetic ABI-shaped call data (a selector and 32-byte words) when no corpus is present.
    public static func synthetic(count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = Xoshiro256(seed: seed ^ 0xCA11_DA7A)
        return (0..<count).map { _ in
            var b = [UInt8](repeating: 0, count: 4 + 32 * Int(1 + rng.next() % 6))
            for i in 0..<4 { b[i] = UInt8(truncatingIfNeeded: rng.next()) }
            for w in stride(from: 4, to: b.count, by: 32) { for i in (w + 12)..<(w + 32) { b[i] = UInt8(truncatingIfNeeded: rng.next()) } }
            return b
        }
    }
}

/// Makes one rollup's signed transactions: senders are the rollup's users (keys derived from the seed), a
/// stated share of them cross-chain messages to other rollups, a stated share deliberately signed wrong (the
/// nodes must reject them).
public struct TransactionSource {
    public let rollupId: UInt64
    public let rollups: [UInt64]
    let users: [Secp256k1.PrivateKey]
    var nextNonce: [UInt64]
    var rng: Xoshiro256
    let payloads: [[UInt8]]
    public var crossChainPPM: UInt64 = 100_000
    public var badSignaturePPM: UInt64 = 5_000
    public static let usersPerRollup = 128
    public static let genesisBalance: UInt64 = 1 << 50

    public static func userKey(seed: UInt64, rollup: UInt64, index: Int) -> Secp256k1.PrivateKey {
        var n: UInt64 = 0
        while true {
            var w = ByteWriter(endianness: .big)
            w.raw(Array("caldera/devnet/user/v1\0".utf8)); w.u64(seed); w.u64(rollup); w.u64(UInt64(index)); w.u64(n)
            if let k = try? Secp256k1.PrivateKey(bytes: SHA256.hash(w.bytes).bytes) { return k }
            n += 1
        }
    }

    public static func genesis(seed: UInt64, rollup: UInt64) -> [(EthereumAddress, UInt64)] {
        (0..<usersPerRollup).map { (userKey(seed: seed, rollup: rollup, index: $0).address, genesisBalance) }
    }

    /// `state`: where the rollup is now (nonces continue from it after a restart).
    public init(rollupId: UInt64, rollups: [UInt64], seed: UInt64, payloads: [[UInt8]], state: RollupState, draws: UInt64) {
        self.rollupId = rollupId; self.rollups = rollups; self.payloads = payloads.isEmpty ? [[]] : payloads
        users = (0..<Self.usersPerRollup).map { Self.userKey(seed: seed, rollup: rollupId, index: $0) }
        nextNonce = users.map { state.account($0.address).nonce }
        rng = Xoshiro256(seed: seed ^ rollupId &* 0x9E37_79B9_7F4A_7C15 ^ draws)
    }

    public mutating func next() -> RollupTransaction {
        let i = Int(rng.next() % UInt64(users.count))
        var j = Int(rng.next() % UInt64(users.count))
        if j == i { j = (j + 1) % users.count }
        let others = rollups.filter { $0 != rollupId }
        let cross = !others.isEmpty && rng.next() % 1_000_000 < crossChainPPM
        let payload = payloads[Int(rng.next() % UInt64(payloads.count))]
        let bad = rng.next() % 1_000_000 < badSignaturePPM
        // A wrong signature is another user's: well formed, it recovers, but names the wrong sender.
        var tx = RollupTransaction.signed(by: bad ? users[j] : users[i], rollupId: rollupId, to: users[j].address, value: 1 + rng.next() % 1_000_000,
                                          nonce: nextNonce[i], fee: 21_000 + 16 * UInt64(payload.count),
                                          destinationRollup: cross ? others[Int(rng.next() % UInt64(others.count))] : 0, payload: payload)
        tx.from = users[i].address
        if !bad { nextNonce[i] += 1 }
        return tx
    }
}
