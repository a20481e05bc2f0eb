// Ledger and state-machine throughput: `swift package benchmark --target LedgerBenchmarks`.
import Benchmark
import Economics
import Foundation

/// A fresh ledger in a temporary directory with `stakers` accounts, each bonded as a flexible node.
func makeLedger(stakers: Int) throws -> (Ledger, String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let ledger = try Ledger.create(path: directory + "/ledger.db", genesis: OperationWorkload.genesis(stakers: stakers))
    for i in 0..<stakers { try ledger.apply(.stake(account: "s\(i)", role: .flexible, amount: try Amount(era: 50_000))) }
    return (ledger, directory)
}

/// A pure state with `stakers` flexible-node bonds.
func makeState(stakers: Int) -> EconomyState {
    var state = try! EconomyState(genesis: OperationWorkload.genesis(stakers: stakers))
    for i in 0..<stakers { try! state.apply(.stake(account: "s\(i)", role: .flexible, amount: try! Amount(era: 50_000))) }
    return state
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], maxDuration: .seconds(3), maxIterations: 100_000)

    Benchmark("Ledger.apply stake+unstake (one transaction each)") { benchmark in
        let (ledger, directory) = try makeLedger(stakers: 10)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let unit = Amount(baseUnits: 1)
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            let account = "s\(i % 10)"
            try ledger.apply(.stake(account: account, role: .flexible, amount: unit))
            try ledger.apply(.unstake(account: account, role: .flexible, amount: unit))
        }
        benchmark.stopMeasurement()
    }

    Benchmark("Ledger.apply distribute (10 stakers)") { benchmark in
        let (ledger, directory) = try makeLedger(stakers: 10)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations { try ledger.apply(.distribute(revenue: try Amount(era: 1), payer: "fees")) }
        benchmark.stopMeasurement()
    }

    Benchmark("Ledger.apply claim") { benchmark in
        let (ledger, directory) = try makeLedger(stakers: 10)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations { try ledger.apply(.claim(account: "s\(i % 10)")) }
        benchmark.stopMeasurement()
    }

    for stakers in [10, 100_000] {
        // 1,000 epochs per sample; the state is built before and freed after the measured part.
        Benchmark("EconomyState distribute (\(stakers) stakers)",
                  configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1_000)) { benchmark in
            var state = makeState(stakers: stakers)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { try state.apply(.distribute(revenue: try Amount(era: 1), payer: "fees")) }
            benchmark.stopMeasurement()
            blackHole(state)
        }
    }

    Benchmark("EconomyState random workload",
              configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 1_000)) { benchmark in
        var state = try EconomyState(genesis: OperationWorkload.genesis(stakers: 32))
        let accounts = state.accounts.keys.sorted()
        var random = OperationWorkload.Random(seed: 42)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            _ = try? state.apply(OperationWorkload.operation(from: random.next(), accounts: accounts))
        }
        benchmark.stopMeasurement()
        blackHole(state)
    }
}
