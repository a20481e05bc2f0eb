// swift-tools-version: 6.1
// libFuzzer targets for every decoder of untrusted bytes. Not part of the main build or CI.
// Build and run (docs/fuzzing.md):
//   swift build -c release --sanitize=fuzzer --product FuzzMetaProof   (adding --sanitize=address drops Swift coverage here)
//   SWIFT_BACKTRACE=enable=no .build/release/FuzzMetaProof -max_total_time=600 corpus/meta
import PackageDescription

let package = Package(
    name: "CalderaFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Caldera", path: "..")],
    targets: [
        .executableTarget(name: "FuzzMetaProof", dependencies: [.product(name: "Metalayer", package: "Caldera")]),
        .executableTarget(name: "FuzzCrossChainProof", dependencies: [.product(name: "Metalayer", package: "Caldera")]),
        .executableTarget(name: "FuzzGuardianSet", dependencies: [.product(name: "Metalayer", package: "Caldera")]),
        .executableTarget(name: "FuzzSegment", dependencies: [.product(name: "DataLayer", package: "Caldera")]),
        .executableTarget(name: "FuzzChainCodec", dependencies: [.product(name: "ChainCodec", package: "Caldera")]),
        .executableTarget(name: "FuzzExecutionNode", dependencies: [.product(name: "ExecutionNode", package: "Caldera")]),
        .executableTarget(name: "FuzzTrace", dependencies: [.product(name: "Execution", package: "Caldera")]),
        .executableTarget(name: "FuzzHexLines", dependencies: [.product(name: "Merkle", package: "Caldera")]),
        .executableTarget(name: "FuzzLeafStream", dependencies: [.product(name: "Merkle", package: "Caldera")]),
        .executableTarget(name: "FuzzProofDocument", dependencies: [.product(name: "Merkle", package: "Caldera")]),
        .executableTarget(name: "FuzzStrictJSON", dependencies: [.product(name: "Wire", package: "Caldera")]),
        .executableTarget(name: "FuzzGuardianNode", dependencies: [.product(name: "GuardianNode", package: "Caldera"), .product(name: "Consensus", package: "Caldera")]),
        .executableTarget(name: "FuzzGenesis", dependencies: [.product(name: "Economics", package: "Caldera"), .product(name: "Wire", package: "Caldera")]),
        .executableTarget(name: "FuzzGovernance", dependencies: [.product(name: "Economics", package: "Caldera"), .product(name: "Wire", package: "Caldera")]),
    ]
)
