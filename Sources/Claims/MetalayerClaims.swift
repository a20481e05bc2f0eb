import Consensus
import Foundation

/// Guardian consensus rows (group `metalayer`), from seeded whole-network simulations of the real
/// consensus core: snapshots per minute, verify latency at 100 guardians on WAN latencies, and safety.
public enum MetalayerClaims {
    static let wanPath = "traces/wan-latency/aws-rtt-ms.csv"

    public static func measure(_ context: ClaimContext) -> [ClaimResult] {
        var rows = [ClaimResult]()
        let wan: LatencyModel? = context.sharedDirectory.flatMap {
            try? LatencyModel(csv: String(contentsOf: $0.appendingPathComponent(wanPath), encoding: .utf8))
        }
        if let wan {
            func run(byzantine: UInt64, faults: Set<Fault>) -> SimulationOutcome {
                var c = SimulationConfig(guardians: 100, seed: 1)
                c.latency = wan; c.slots = 20; c.faults = faults; c.byzantineStakePPM = byzantine
                var sim = NetworkSimulation(c)
                return sim.run()
            }
            let clean = run(byzantine: 0, faults: [])
            let byz = run(byzantine: 333_333, faults: [.withhold, .equivocate])
            let minutes = Double(clean.simulatedMillis) / 60_000
            let perMinute = Double(clean.committedHeight) / minutes
            func p(_ xs: [UInt64], _ q: Int) -> Double { Double(CampaignSummary.percentile(xs, perMille: q) ?? 0) / 1000 }
            rows.append(ClaimResult(
                id: "metalayer.snapshot-interval", claim: "Guardians commit one snapshot of every rollup each 3 s slot",
                target: "20 per minute", measured: perMinute, unit: "/min", holds: perMinute >= 19.9,
                conditions: String(format: "simulation, 100 guardians round-robin over 21 AWS regions (%@), 3 s slot, %d slots, seed 1: "
                    + "%llu snapshots committed by every guardian; commit latency (slot start to certificate) p50 %.3f s, p99 %.3f s. "
                    + "With just under 1/3 of stake withholding or equivocating: %llu snapshots, commit p50 %.3f s, p99 %.3f s",
                    wanPath, 20, clean.committedHeight, p(clean.commitLatencies, 500), p(clean.commitLatencies, 990),
                    byz.committedHeight, p(byz.commitLatencies, 500), p(byz.commitLatencies, 990))))
            let v99 = p(clean.verifyLatencies, 990), b99 = p(byz.verifyLatencies, 990)
            rows.append(ClaimResult(
                id: "metalayer.verify-latency", claim: "A cross-chain message becomes verifiable about 3 s after its rollup reports it (not ~10 minutes)",
                target: "p99 ≤ 3.5 s", measured: max(v99, b99), unit: "s (p99, worst case)", holds: max(v99, b99) <= 3.5,
                conditions: String(format: "report to first certificate covering it, per guardian; 100 guardians on WAN latencies, 3 s slot, reports every ~1 s: "
                    + "no byzantine stake p50 %.3f s, p99 %.3f s; byzantine stake %.1f%% (withhold, equivocate) p50 %.3f s, p99 %.3f s. "
                    + "Anchors: Ethereum finality 12.8 min, Wormhole ~14 s to 19 min, Hyperlane ~10-29 s per lane",
                    p(clean.verifyLatencies, 500), v99, Double(byz.byzantineStake * 1000 / byz.totalStake) / 10, p(byz.verifyLatencies, 500), b99)))
        } else {
            for (id, claim) in [("metalayer.snapshot-interval", "Guardians commit one snapshot of every rollup each 3 s slot"),
                                ("metalayer.verify-latency", "A cross-chain message becomes verifiable about 3 s after its rollup reports it")] {
                rows.append(ClaimResult(id: id, claim: claim, target: "-", measured: 0, unit: "", holds: false,
                                        conditions: "not measured: needs ../shared/\(wanPath) (set CALDERA_SHARED)"))
            }
        }
        // Safety: seeded runs with every fault and just under a third of stake byzantine.
        let seeds: UInt64 = 300
        let s = Campaign.run(seeds: 0..<seeds) { seed in
            var c = SimulationConfig(guardians: 4 + Int(seed % 7), seed: seed)
            c.faults = Set(Fault.allCases); c.byzantineStakePPM = 333_333
            return c
        }
        rows.append(ClaimResult(
            id: "metalayer.safety", claim: "No two snapshots commit at one height; no honest guardian signs twice; byzantine stake < 1/3 cannot break it",
            target: "0 violations", measured: Double(s.safetyViolations), unit: "violations", holds: s.safetyViolations == 0 && s.livenessViolations == 0,
            conditions: "\(s.runs) seeded simulations (seeds 0-\(seeds - 1), 4-10 guardians, LAN latency, 24 slots), every fault at once "
                + "(\(Fault.allCases.map(\.rawValue).joined(separator: ", "))), byzantine stake just under 1/3: \(s.safetyViolations) safety and "
                + "\(s.livenessViolations) liveness violations, \(s.evidenceVerified) pieces of equivocation evidence verified. "
                + "More: caldera guardian simulate --faults all --byzantine-stake 0.333333 --seeds K"))
        return rows
    }
}
