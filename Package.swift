// swift-tools-version: 6.1
// Caldera: a modular rollup infrastructure. Dependencies point down:
// caldera (CLI) -> Claims -> Measure -> layers -> Merkle -> CCaldera (C hot paths).
// Benchmarks use Measure, never Claims; only Measure and the executables read the environment.
import PackageDescription

let package = Package(
    name: "Caldera",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Wire", targets: ["Wire"]),
        .library(name: "DurableIO", targets: ["DurableIO"]),
        .library(name: "Merkle", targets: ["Merkle"]),
        .library(name: "Metalayer", targets: ["Metalayer"]),
        .library(name: "Consensus", targets: ["Consensus"]),
        .library(name: "GuardianNode", targets: ["GuardianNode"]),
        .library(name: "ChainCodec", targets: ["ChainCodec"]),
        .library(name: "DataLayer", targets: ["DataLayer"]),
        .library(name: "Economics", targets: ["Economics"]),
        .library(name: "Execution", targets: ["Execution"]),
        .library(name: "ExecutionNode", targets: ["ExecutionNode"]),
        .library(name: "Measure", targets: ["Measure"]),
        .library(name: "Report", targets: ["Report"]),
        .library(name: "Claims", targets: ["Claims"]),
        .library(name: "Devnet", targets: ["Devnet"]),
        .executable(name: "caldera", targets: ["caldera"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // C hot paths: SHA-256 (SHA-NI | portable | OpenSSL), Keccak, Merkle levels and proofs, hex parsing,
        // zstd/lz4, the archive codec's transforms, secp256k1 signatures (libsecp256k1). Only Swift targets of this
        // package import it; users see Swift value types. Headers: include/CCaldera.h (conventions, errors) +
        // cal_hash.h, cal_codec.h, cal_chaincodec.h, cal_secp256k1.h.
        .target(
            name: "CCaldera",
            path: "CSources/CCaldera",
            linkerSettings: [.linkedLibrary("crypto"), .linkedLibrary("zstd"), .linkedLibrary("lz4"), .linkedLibrary("secp256k1")]
        ),
        // Benchmark-only C: OpenSSL's SHA-256 rate, to compare against. Only the benchmarks, the claims harness
        // and tests depend on it; the other library products do not carry it.
        .target(
            name: "CCalderaBench",
            dependencies: ["CCaldera"],
            path: "CSources/CCalderaBench",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // The one byte reader/writer and strict JSON decoder for every format (no dependencies).
        .target(name: "Wire"),
        // The one durable file writer, bounded input reader, checked standard output and file lock.
        .target(name: "DurableIO"),
        .target(name: "Merkle", dependencies: ["CCaldera", "Wire"]),
        .target(name: "Metalayer", dependencies: ["Merkle", "Economics", "CCaldera", "Wire"]),
        // Guardian consensus: the pure state machine (Tendermint, stake-weighted, then certification), its wire
        // format and the deterministic network simulator that drives it.
        .target(name: "Consensus", dependencies: ["Metalayer", "Economics", "Merkle", "Wire"]),
        // One guardian as a process: the write-ahead record store (GRDB), the TCP transport (SwiftNIO), the keys
        // (secp256k1, the Metalayer's certificate scheme), the testnet configuration and the fault-injecting relay.
        .target(name: "GuardianNode", dependencies: [
            "Consensus", "Metalayer", "Economics", "Merkle", "Wire", "DurableIO",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "Economics", dependencies: ["Merkle", "Wire", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "ChainCodec", dependencies: ["CCaldera", "Wire"]),
        .target(name: "DataLayer", dependencies: ["Merkle", "CCaldera", "ChainCodec", "Wire", "DurableIO", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Execution", dependencies: ["Merkle", "Economics"]),
        // The execution layer as processes: signed rollup transactions, the pure executor, the node protocol over
        // loopback TCP (SwiftNIO), the dispatcher, the provisioner seam (local processes) and the autoscaler glue.
        .target(name: "ExecutionNode", dependencies: [
            "Execution", "Metalayer", "Merkle", "Wire",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Measurement routines and their environment: the shared data directory, external compressors, timing.
        .target(name: "Measure", dependencies: ["Merkle", "Metalayer", "DataLayer", "ChainCodec"]),
        // Static HTML pages (inline CSS and SVG, no script, no network): `caldera claims --html`, the devnet report.
        .target(name: "Report"),
        // The rows of `caldera claims`: each design claim, its target and verdict over Measure's figures.
        .target(name: "Claims", dependencies: ["Measure", "Merkle", "Metalayer", "Consensus", "DataLayer", "ChainCodec", "Execution", "Economics", "CCaldera", "CCalderaBench", "Report"]),
        // `caldera devnet`: every layer live on one machine — guardian and node processes, sequencers, the relayer,
        // the data layer, the ledger — and its report. A shell over the layers' public APIs.
        .target(name: "Devnet", dependencies: [
            "Consensus", "GuardianNode", "ExecutionNode", "Execution", "Metalayer", "Merkle", "Economics", "DataLayer", "Measure", "Report", "Wire", "DurableIO",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Writes random operations to a ledger until killed: the child process of the ledger crash test.
        .executableTarget(name: "economy-crash-writer", dependencies: ["Economics", "Merkle"]),
        .executableTarget(
            name: "caldera",
            dependencies: ["Merkle", "Metalayer", "Consensus", "GuardianNode", "DataLayer", "ChainCodec", "Execution", "ExecutionNode", "Economics", "Claims", "Measure", "Wire", "DurableIO", "Devnet", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "MerkleTests", dependencies: ["Merkle", "CCaldera", "TestSupport"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "DurableIO", "TestSupport"]),
        .testTarget(name: "MetalayerTests", dependencies: ["Metalayer", "Merkle", "Economics", "CCaldera", "Wire", "TestSupport"]),
        .testTarget(name: "ConsensusTests", dependencies: ["Consensus", "Metalayer", "Economics", "Merkle", "Wire", "TestSupport"]),
        .testTarget(name: "GuardianNodeTests", dependencies: ["GuardianNode", "Consensus", "Metalayer", "Merkle", "TestSupport"]),
        .testTarget(name: "ChainCodecTests", dependencies: ["ChainCodec", "CCaldera", "TestSupport", "Wire"]),
        .testTarget(name: "DataLayerTests", dependencies: ["DataLayer", "ChainCodec", "Measure", "CCaldera", "Merkle", "TestSupport", "DataTestSupport"]),
        .testTarget(name: "ExecutionTests", dependencies: ["Execution", "Economics", "TestSupport"]),
        .testTarget(name: "ExecutionNodeTests", dependencies: ["ExecutionNode", "Execution", "Metalayer", "Merkle", "Wire", "TestSupport"]),
        .testTarget(name: "EconomicsTests", dependencies: [
            "Economics", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The claims harness and the measurements under it.
        .testTarget(name: "ClaimsTests", dependencies: ["Claims", "Measure", "DataLayer", "Execution", "Report", "TestSupport"]),
        // The page building blocks and charts, and the devnet report's page (no other module needed).
        .testTarget(name: "ReportTests", dependencies: ["Report", "TestSupport"]),
        .testTarget(name: "DevnetCoreTests", dependencies: ["Devnet", "ExecutionNode", "TestSupport"]),
        // Shared by every test target: shared-data lookup, temporary directories, running the CLI (capped), mutations.
        .target(name: "TestSupport", dependencies: ["Merkle"], path: "Tests/TestSupport"),
        // Data-layer test inputs shared by DataLayerTests and CLITests: chain-like bytes, temporary paths.
        .target(name: "DataTestSupport", dependencies: ["TestSupport"], path: "Tests/DataTestSupport"),
        // Everything that runs the built binaries: each command's behaviour, the hostile-input suite, kill -9
        // loops and concurrent processes on one store or ledger.
        .testTarget(name: "CLITests", dependencies: [
            "caldera", "economy-crash-writer", "DataLayer", "Economics", "Merkle", "Metalayer", "Consensus", "GuardianNode", "ExecutionNode", "Report", "TestSupport", "DataTestSupport",
        ]),
        .executableTarget(name: "proof-curves", dependencies: ["Measure", "Metalayer", "Merkle"], path: "Benchmarks/ProofCurves"),
        .executableTarget(name: "codec-bench", dependencies: ["ChainCodec", "Measure"], path: "Benchmarks/CodecBench"),
        .executableTarget(name: "data-benchmarks", dependencies: ["DataLayer", "ChainCodec", "Measure", "Merkle"], path: "Benchmarks/DataBenchmarks"),
        .executableTarget(
            name: "MetalayerBenchmarks",
            dependencies: ["Metalayer", "Merkle", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/MetalayerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: ["Economics", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "MerkleBenchmarks",
            dependencies: ["Merkle", "CCaldera", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/MerkleBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
