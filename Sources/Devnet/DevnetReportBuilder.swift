// The devnet's report and summary text: what the run measured, from its own store, with its conditions, and
// the design's claims restated as this run saw them (the full, controlled measurements are `caldera claims`).
import Foundation
import Economics
import Report

extension Devnet {
    public func report(summary s: DevnetSummary, command: String) throws(DevnetError) -> DevnetReport {
        var r = measured ?? DevnetReport(title: "Caldera devnet")
        if measured == nil { try Self.attempt { () throws(DevnetStoreError) in try store.fill(&r) } }
        let host = ProcessInfo.processInfo
        r.conditions = [
            "command: caldera \(command)",
            "machine: \(host.processorCount) cores, \(host.physicalMemory >> 30) GiB, \(host.operatingSystemVersionString)",
            "\(o.rollups) rollups (block every \(o.blockMillis) ms, busiest second \(Int(o.peakPerRollup)) tx each, mempool \(o.mempoolCapacity)), \(o.guardians) guardians (\(o.byzantine) equivocating), 3 s slots",
            "execution nodes \(o.minNodes)–\(o.maxNodes) `caldera node run` processes, \(o.serviceMicros) µs per transaction each (a node-sized machine modelled by pacing; signatures and execution are real)",
            "data-layer time ×\(Int(o.speed)) (7-day hot window = \(String(format: "%.0f", 7 * 86_400 / o.speed)) s of run time); epoch every \(Int(o.epochSeconds)) s",
            "load: \(schedules.keys.sorted().map { "rollup \($0): \(schedules[$0]!.description)" }.joined(separator: "; "))",
            "\(manifest.runs) run(s) on \(paths.root), \(String(format: "%.0f", manifest.elapsedSeconds)) s in all",
        ]
        r.summary = Self.summaryFields(s)
        r.revenueUnit = "ERA"; r.revenueDecimals = Amount.decimals
        r.claims = claims(s, r)
        return r
    }

    static func summaryFields(_ s: DevnetSummary) -> [String: String] {
        func sec(_ x: Double?) -> String { x.map { String(format: "%.2f s", $0) } ?? "–" }
        return ["snapshotsCommitted": "\(s.snapshotsCommitted)", "messagesDelivered": "\(s.messagesDelivered)",
                "verifyLatencyP99Seconds": sec(s.verifyLatencyP99Seconds), "maxServingNodes": "\(s.maxServingNodes)",
                "scaleUpSeconds": sec(s.scaleUpSeconds), "blobsMigrated": "\(s.blobsMigrated)",
                "coldRatio": s.coldRatio.map { String(format: "%.2f×", $0) } ?? "–", "epochs": "\(s.epochs)",
                "supplyConserved": s.supplyConserved ? "yes" : "NO", "mempoolRefused": "\(s.mempoolRefused)"]
    }

    func claims(_ s: DevnetSummary, _ r: DevnetReport) -> [DevnetReport.ClaimRow] {
        var rows = [DevnetReport.ClaimRow]()
        let intervals = (try? store.snapshotIntervalsMillis()) ?? []
        let median = intervals.sorted().dropFirst(intervals.count / 2).first
        rows.append(.init(claim: "metalayer.snapshot-interval", target: "one snapshot every 3 s",
                          measured: median.map { "median \(String(format: "%.2f", Double($0) / 1000)) s between committed slots, \(s.snapshotsCommitted) snapshots" } ?? "no snapshots",
                          holds: median.map { $0 == 3000 ? "yes" : "no" } ?? "not measured"))
        rows.append(.init(claim: "metalayer.verify-latency", target: "p99 ≤ 3.5 s",
                          measured: s.verifyLatencyP99Seconds.map { String(format: "p99 %.2f s over %d messages (arrival → verified at the destination)", $0, s.messagesDelivered) } ?? "no messages",
                          holds: s.verifyLatencyP99Seconds.map { $0 <= 3.5 ? "yes" : "no" } ?? "not measured"))
        let meta = r.batches.reduce(0) { $0 + $1.metaProofBytes }, sep = r.batches.reduce(0) { $0 + $1.separateProofBytes }
        let ratio = meta > 0 ? Double(sep) / Double(meta) : nil
        rows.append(.init(claim: "proof.size-ratio", target: "≥ 20× smaller",
                          measured: ratio.map { String(format: "%.1f× over %d batches (separate proofs %d B, meta-proofs %d B)", $0, r.batches.count, sep, meta) } ?? "no batches",
                          holds: ratio.map { $0 >= 20 ? "yes" : "no" } ?? "not measured"))
        let gasRows = r.batches.filter { $0.gas != nil && $0.separateGas != nil }
        let g = gasRows.reduce(Int64(0)) { $0 + $1.gas! }, sg = gasRows.reduce(Int64(0)) { $0 + $1.separateGas! }
        rows.append(.init(claim: "proof.gas", target: "≥ 75% less verification gas",
                          measured: sg > 0 ? String(format: "%.1f%% less on py-evm over %d batches (meta-proof %lld gas vs messages × one proof's gas %lld)", 100 * (1 - Double(g) / Double(sg)), gasRows.count, g, sg)
                                           : "not measured: no py-evm environment (.build/contracts-venv)",
                          holds: sg > 0 ? (4 * g <= sg ? "yes" : "no") : "not measured"))
        rows.append(.init(claim: "execution.scale-time", target: "≤ 3 s from decision to serving",
                          measured: s.scaleUpSeconds.map { String(format: "longest scale-up %.2f s (real processes; max %d serving)", $0, s.maxServingNodes) } ?? "no scale-up in this run",
                          holds: s.scaleUpSeconds.map { $0 <= 3 ? "yes" : "no" } ?? "not measured"))
        rows.append(.init(claim: "execution.congestion", target: "no arrival dropped (here: refused by a full mempool)",
                          measured: s.mempoolRefused == 0 ? "0 refused" : "\(s.mempoolRefused) arrivals refused: a mempool was full (\(o.mempoolCapacity) per rollup)",
                          holds: s.mempoolRefused == 0 ? "yes" : "no"))
        rows.append(.init(claim: "data.compression-ratio", target: "≥ 20×",
                          measured: s.coldRatio.map { String(format: "%.2f× on this run's blocks (%d blobs migrated)", $0, s.blobsMigrated) } ?? "nothing migrated",
                          holds: s.coldRatio.map { $0 >= 20 ? "yes" : "no" } ?? "not measured"))
        rows.append(.init(claim: "economy.supply-conserved", target: "no token created or lost",
                          measured: s.supplyConserved ? "accounted = total supply after \(s.epochs) epochs" : "accounted ≠ total supply",
                          holds: s.supplyConserved ? "yes" : "no"))
        return rows
    }

    public static func describe(_ s: DevnetSummary) -> String {
        let f = summaryFields(s)
        return ["snapshotsCommitted", "messagesDelivered", "verifyLatencyP99Seconds", "maxServingNodes", "scaleUpSeconds",
                "blobsMigrated", "coldRatio", "epochs", "supplyConserved", "mempoolRefused"].map { "\($0): \(f[$0]!)" }.joined(separator: "\n")
    }
}
