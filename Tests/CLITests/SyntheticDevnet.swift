import Foundation
import Report

/// A devnet run's report made up from a seeded generator, shaped like the real one (load with a burst, a scheduler
/// scaling nodes up and down, snapshots every 3 s, relayed batches, hot→cold migration, ERA epochs in 18-decimal
/// base units, slashes): the page's content until `caldera devnet` can fill it in.
enum SyntheticDevnet {
    static func report<R: RandomNumberGenerator>(using rng: inout R, seconds: Int = 600) -> DevnetReport {
        var r = DevnetReport(title: "Caldera devnet: 4 guardians, 3 rollups, \(seconds / 60) minutes")
        r.subtitle = "synthetic data (seeded) in the shape of a devnet run"
        r.conditions = [
            "machine: 2-core x86-64, Linux (synthetic)", "command: caldera devnet --rollups 3 --guardians 4 --seconds \(seconds)",
            "rollups: 3 sequencers, 1 relayer", "guardians: 4, snapshot every 3 s", "duration: \(seconds) s at 1× speed",
            "data sources: seeded synthetic generator (test)",
        ]
        r.revenueUnit = "CAL"; r.revenueDecimals = 18

        // Load: a base rate with noise and a burst in the middle third; the scheduler adds a node when the load
        // passes 80% of capacity and removes one below 30%, at most once per 20 s.
        var nodes = 2.0, lastChange = -100.0
        for step in stride(from: 0, through: seconds, by: 2) {
            let t = Double(step)
            let burst = t > Double(seconds) / 3 && t < 2 * Double(seconds) / 3 ? 1600 * sin((t - Double(seconds) / 3) / (Double(seconds) / 3) * .pi) : 0
            let load = max(0, 300 + burst + Double.random(in: -60...60, using: &rng))
            r.load.append(.init(t: t, value: load))
            if t - lastChange >= 20 {
                if load > 0.8 * nodes * 400 { nodes += 1; lastChange = t; r.scaleUps.append(t) } else if load < 0.3 * nodes * 400 && nodes > 2 { nodes -= 1; lastChange = t }
            }
            r.servingNodes.append(.init(t: t, value: nodes))
        }
        // One snapshot per 3 s: mostly one round (~0.6–1.2 s), a few with a second round.
        r.commitLatencies = (0..<(seconds / 3)).map { _ in
            let base = 0.55 + Double.random(in: 0...0.6, using: &rng)
            return Double.random(in: 0...1, using: &rng) < 0.05 ? base + 3 : base
        }
        // Messages wait for the batch and the destination's snapshot: 3–6 s, a tail to 10 s.
        r.verifyLatencies = (0..<(seconds * 2)).map { _ in
            let v = 3 + Double.random(in: 0...1, using: &rng) * Double.random(in: 0...3, using: &rng)
            return Double.random(in: 0...1, using: &rng) < 0.02 ? v + Double.random(in: 2...5, using: &rng) : v
        }
        // Storage: the hot store grows with the load; every 60 s the oldest data moves to the cold archive (about 6×).
        var hot: Int64 = 0, cold: Int64 = 0, migrated: Int64 = 0
        for step in stride(from: 0, through: seconds, by: 10) {
            hot += Int64(r.load[step / 2].value * 10 * 220)
            if step > 0 && step % 60 == 0 {
                let moved = hot * 2 / 3
                hot -= moved; migrated += moved; cold += moved / Int64.random(in: 5...7, using: &rng)
            }
            r.storage.append(.init(t: Double(step), hotBytes: hot, coldBytes: cold, migratedRawBytes: migrated))
        }
        // Batches: one meta-proof (a multiproof over the messages' leaves) against one proof per message.
        r.batches = (1...40).map { i in
            let m = Int.random(in: 8...64, using: &rng)
            let meta = 420 + 32 * Int((Double(m).squareRoot() * 6).rounded()), separate = m * 680
            return .init(index: i, messages: m, metaProofBytes: meta, separateProofBytes: separate,
                         gas: Int64(meta) * 16 + 95_000 + Int64(m) * 2_100, separateGas: Int64(m) * 62_590)
        }
        // Revenue: about 1.2M CAL per epoch split among the classes, exact in base units (UInt128).
        let shares: [(String, UInt128)] = [("core", 20), ("guardians", 30), ("flexible", 15), ("developers", 20), ("users", 15)]
        let unit: UInt128 = 1_000_000_000_000_000_000
        r.epochs = (1...12).map { e in
            let total = UInt128(Int.random(in: 900_000...1_500_000, using: &rng)) * unit + UInt128(UInt64.random(in: 0..<UInt64(unit), using: &rng))
            return .init(epoch: UInt64(e), classes: Dictionary(uniqueKeysWithValues: shares.map { ($0.0, String(total * $0.1 / 100)) }))
        }
        r.slashes = [
            .init(t: 312.4, offender: "guardian-3", amount: "50000000000000000000000", reason: "equivocation: two precommits for height 104"),
            .init(t: 451.0, offender: "node-7", amount: "1250000000000000000000", reason: "missed 3 consecutive execution deadlines"),
        ]
        let p50 = r.commitLatencies.sorted()[r.commitLatencies.count / 2]
        r.summary = [
            "snapshots": "\(r.commitLatencies.count)", "messages": "\(r.verifyLatencies.count)", "batches": "\(r.batches.count)",
            "scale_ups": "\(r.scaleUps.count)", "slashes": "\(r.slashes.count)", "commit_p50_s": String(format: "%.2f", p50),
            "duration_s": "\(seconds)",
        ]
        r.claims = [
            .init(claim: "snapshot commit latency", target: "p99 ≤ 3 s", measured: "3.6 s", holds: "no"),
            .init(claim: "cross-chain message verifiable", target: "p99 ≤ 10 s", measured: "8.7 s", holds: "yes"),
            .init(claim: "meta-proof smaller than separate proofs", target: "≥ 10× fewer bytes", measured: "17×", holds: "yes"),
            .init(claim: "scheduler wastes fewer node-seconds", target: "≥ 30% fewer than fixed", measured: "24% at low load, 41% under bursts", holds: "in a regime"),
            .init(claim: "verification gas per message", target: "≤ 5,000 gas", measured: "—", holds: "not measured"),
        ]
        return r
    }
}
