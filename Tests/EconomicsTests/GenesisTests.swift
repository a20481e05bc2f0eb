import Foundation
import Testing
@testable import Economics

/// Genesis files are user input: a bad value must say which field is wrong.
@Suite struct GenesisTests {
    /// The message a user sees for a genesis decoding failure (what the CLI prints for `dataCorrupted`).
    func decodingMessage(_ json: String) -> String? {
        do {
            _ = try JSONDecoder().decode(Genesis.self, from: Data(json.utf8))
            return nil
        } catch let DecodingError.dataCorrupted(context) {
            return context.debugDescription
        } catch {
            return "unexpected error kind: \(error)"
        }
    }

    @Test(arguments: [
        (#"{"accounts": {"alice": "lots"}}"#, "accounts.alice: 'lots' is not an amount"),
        (#"{"accounts": {"alice": "007 ERA"}}"#, "accounts.alice: '007 ERA' has a leading zero"),
        (#"{"accounts": {"alice": "+1"}}"#, "accounts.alice: '+1' is not an amount"),
        (#"{"accounts": {"alice": 5}}"#, "accounts: expected"),
        (#"{"nothing": {}}"#, "accounts: missing"),
        (#"{"accounts": {}, "parameters": {"unbondingEpochs": "seven"}}"#, "parameters.unbondingEpochs: expected a whole number"),
        // (Numbers out of UInt64's range, negative or fractional are refused by Foundation's JSON reader before these
        // decoders run, with its own message; the CLI's strict decoder is to word those.)
        (#"{"accounts": {}, "parameters": {"unbondingEpochs": true}}"#, "parameters.unbondingEpochs: expected a whole number"),
        (#"{"accounts": {}, "parameters": {"unbondingEpochs": {"n": 7}}}"#, "parameters.unbondingEpochs: expected a whole number"),
        (#"{"accounts": {}, "parameters": {"minimumStake": {"admiral": "1 ERA"}}}"#, "parameters.minimumStake: unknown role 'admiral'"),
        (#"{"accounts": {}, "parameters": {"minimumStake": {"core": "1.2.3"}}}"#, "parameters.minimumStake.core: '1.2.3' is not an amount"),
        (#"{"accounts": {}, "parameters": {"revenueSplit": {"core": 10000}}}"#, "parameters.revenueSplit.guardian: missing"),
        (#"{"accounts": {}, "parameters": {"revenueSplit": {"core": "x", "guardian": 0, "flexible": 0, "developers": 0, "userSupport": 0}}}"#,
         "parameters.revenueSplit.core: expected a whole number of basis points"),
        (#"{"accounts": {}, "parameters": {"slashing": {"downtime": {"fraction": "1.5", "jailEpochs": 1, "tombstone": false, "correlated": false}}}}"#,
         "parameters.slashing.downtime.fraction: '1.5' is greater than 1"),
        (#"{"accounts": {}, "parameters": {"slashing": {"downtime": {"fraction": "0.1", "tombstone": false, "correlated": false}}}}"#,
         "parameters.slashing.downtime.jailEpochs: missing"),
        (#"{"accounts": {}, "parameters": {"slashing": {"escalationFactor": [2]}}}"#, "parameters.slashing.escalationFactor: expected a whole number"),
        (#"{"accounts": {}, "parameters": {"slashing": {"destinationPool": 7}}}"#, "parameters.slashing.destinationPool: expected"),
    ])
    func decodingErrorsNameTheField(json: String, expected: String) {
        let message = decodingMessage(json)
        #expect(message?.hasPrefix(expected) == true, "got: \(message ?? "no error")")
    }

    @Test func validationErrorsNameTheField() throws {
        let json = #"{"accounts": {"a": "1"}, "parameters": {"unbondingEpochs": 18446744073709551615}}"#
        let genesis = try JSONDecoder().decode(Genesis.self, from: Data(json.utf8))  // a valid UInt64…
        #expect(throws: EconomyError.parameterOutOfRange(field: "parameters.unbondingEpochs", value: .max, limit: EconomyParameters.maxDelayEpochs)) {
            try EconomyState(genesis: genesis)  // …but above the limit
        }
        var parameters = EconomyParameters.default
        parameters.revenueSplit.core = 4001
        #expect { try makeState(["a": 1], parameters: parameters) } throws: { error in
            (error as? EconomyError)?.description.contains("parameters.revenueSplit") == true
        }
        parameters = .default
        parameters.revenueSplit = RevenueSplit(core: .max, guardian: 1, flexible: 0, developers: 0, userSupport: 0)  // sums past 2^64
        #expect(throws: EconomyError.parameterOutOfRange(field: "parameters.revenueSplit.core", value: .max, limit: 10_000)) {
            try makeState(["a": 1], parameters: parameters)
        }
    }

    @Test func aValidGenesisStillDecodesWithDefaults() throws {
        let json = #"{"accounts": {"alice": "1000000 ERA", "fees": "0.5"}, "parameters": {"slashing": {"downtime": {"fraction": "0.0002", "jailEpochs": 2, "tombstone": false, "correlated": false}}}}"#
        let genesis = try JSONDecoder().decode(Genesis.self, from: Data(json.utf8))
        #expect(genesis.accounts["fees"] == Amount(baseUnits: 500_000_000_000_000_000))
        #expect(genesis.parameters.slashing.downtime.jailEpochs == 2)
        #expect(genesis.parameters.slashing.invalidRoot == SlashingPolicy.default.invalidRoot)
        #expect(genesis.parameters.revenueSplit == .default)
        #expect(try JSONDecoder().decode(Genesis.self, from: JSONEncoder().encode(genesis)) == genesis)
    }
}
