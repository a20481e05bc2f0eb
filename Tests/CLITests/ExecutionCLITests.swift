import Foundation
import Testing
import TestSupport

@Suite(.enabled(if: calderaAvailable)) struct ExecutionCLITests {
    @Test func scenarioJSON() throws {
        let r = try caldera(["execution", "simulate", "--scenario", "settlement-spike-20x", "--policy", "fixed-peak", "--json", "--seed", "3"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try JSONSerialization.jsonObject(with: Data(r.stdout)) as! [String: Any]
        #expect(obj["policy"] as? String == "fixed-peak")
        #expect(obj["input"] as? String == "settlement-spike-20x")
        #expect(obj["scaleUpSeconds"] as? Double == 0)
        #expect(obj["activationDelaySeconds"] as? Double == 1)
        #expect(obj["maxServingNodes"] as? Int == 100)
    }

    @Test func badInputsAreErrorsNotCrashes() throws {
        for (args, says) in [(["--scenario", "nope"], "nope"), (["--scenario", "settlement-burst", "--policy", "magic"], "fixed-peak"),
                             (["--trace", "/nonexistent.csv"], "not found"), ([], "exactly one of"),
                             (["--scenario", "settlement-burst", "--activation-delay=-1"], "activation-delay")] {
            let r = try caldera(["execution", "simulate"] + args)
            #expect(r.status == 2 && r.stderr.hasPrefix("error: ") && r.stderr.contains(says), "\(args): \(r.stderr)")
        }
    }

    @Test func helpListsTheEnumValues() throws {
        let r = try caldera(["execution", "simulate", "--help"])
        #expect(r.status == 0)
        for v in ["fixed-mean", "settlement-spike-20x", "deterministic"] { #expect(r.text.contains(v), "--help lacks \(v)") }
    }

    @Test func traceFileAndPlot() throws {
        let dir = try TempDir("exec")
        defer { dir.remove() }
        var csv = "TIMESTAMP,ContextTokens,GeneratedTokens\n"
        for i in 0..<200 { csv += "2023-11-16 18:\(10 + i / 60):\(String(format: "%02d", i % 60)).5000000,1,1\n" }
        let trace = try dir.write("az.csv", csv), svg = dir.file("p.svg")
        let r = try caldera(["execution", "simulate", "--trace", trace, "--policy", "all", "--plot", svg])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.text.contains("caldera") && r.text.contains("hpa") && r.text.contains("fixed-peak"))
        #expect(try String(contentsOfFile: svg, encoding: .utf8).hasPrefix("<svg"))
    }
}
