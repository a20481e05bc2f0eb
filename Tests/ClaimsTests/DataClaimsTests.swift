import Claims
import DataLayer
import Foundation
import Measure
import TestSupport
import Testing

@Suite struct DataClaimsTests {
    @Test func costRowPrintsItsAssumptionsAndCurve() {
        let row = DataClaims.costRow(compressionRatio: 5.85)
        #expect(row.id == "data.cost-reduction" && row.unit == "%" && row.target == "≥ 45% lower")
        #expect(row.holds == (row.measured >= 45))
        for p in CostModel().parameters { #expect(row.conditions.contains(p.0)) }
        #expect(row.conditions.contains("Break-even") && row.conditions.contains("3650d") && row.conditions.contains("including it"))
        // a short retention does not hold, and says so
        #expect(!DataClaims.costRow(compressionRatio: 5.85, retentionDays: 60).holds)
    }

    @Test(.enabled(if: SharedData.exists("corpus/op-batcher-calldata"), "needs ../shared/corpus"))
    func compressionIsMeasuredSideBySideWithTheCLIs() throws {
        let sources = Corpus.sources(SharedData.directory).filter { $0.name == "op-batcher-calldata" || $0.name == "optimism" }
        #expect(sources.count == 2)
        let r = try DataClaims.measureCompression(sources: sources, parameters: .init(level: 3, windowLog: 0, longDistanceMatching: false))
        for row in r.rows {
            #expect(row.cold > 0 && row.cold < row.raw)
            #expect(row.zstdCLI != nil && row.xzCLI != nil) // /usr/bin/zstd and /usr/bin/xz ran on the same files
        }
        #expect(r.total.raw == r.rows.reduce(0) { $0 + $1.raw })
    }

    @Test(.enabled(if: SharedData.exists("corpus/SOURCES.md"), "needs ../shared/corpus"))
    func derivedFilesComeFromSourcesAndAreLeftOutOfTheHeadline() throws {
        let derived = Corpus.derivedFiles(SharedData.directory)
        #expect(derived.contains("go-ethereum/sepolia-00000-643a00f7.headers.rlp"))
        #expect(derived.contains("op-batcher-calldata/calldata.bin"))
        #expect(!derived.contains(where: { $0.hasSuffix(".era1") || $0.hasSuffix(".json") }))
        let all = Corpus.sources(SharedData.directory).flatMap(\.files)
        let originals = Corpus.sources(SharedData.directory, excludingDerived: true).flatMap(\.files)
        // every listed derived file exists and is the only thing left out
        #expect(all.count == originals.count + derived.count)
        #expect(originals.allSatisfy { url in !derived.contains(where: { url.path.hasSuffix("/" + $0) }) })
    }
}
