import Foundation
import Testing
import TestSupport

@Suite struct GuardianSimulateCLITests {
    @Test func smallCampaignReportsEveryField() throws {
        let r = try caldera(["guardian", "simulate", "--guardians", "5", "--faults", "all", "--byzantine-stake", "0.3", "--seeds", "4", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any])
        for key in ["runs", "safetyViolations", "snapshotsCommitted", "commitLatencyP50Seconds", "commitLatencyP99Seconds", "verifyLatencyP50Seconds",
                    "verifyLatencyP99Seconds", "messageDelaysGoodCase", "simulatedSecondsPerWallSecond"] {
            #expect(o[key] != nil, "missing \(key)")
        }
        #expect(o["runs"] as? Int == 4 && o["safetyViolations"] as? Int == 0 && o["messageDelaysGoodCase"] as? Double == 3)
    }

    @Test func badOptionsExit2() throws {
        for args in [["--byzantine-stake", "0.34"], ["--byzantine-stake", "1/3"], ["--byzantine-stake", "-0.1"], ["--faults", "meteor"],
                     ["--slot", "0.5"], ["--slot", "1.0001"], ["--guardians", "0"], ["--guardians", "2000"], ["--seeds", "0"], ["--slots", "2"]] {
            let r = try caldera(["guardian", "simulate"] + args)
            #expect(r.status == 2 && r.stderr.hasPrefix("error:"), "\(args): \(r.status) \(r.stderr)")
        }
    }
}
