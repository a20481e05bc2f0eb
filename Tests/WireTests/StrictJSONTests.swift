import Foundation
import Testing
import Wire

struct Params: Decodable, Equatable { var setId: UInt64; var name: String?; var weights: [Int] }
struct Nested: Decodable, Equatable { var accounts: [String: String]; var parameters: Params? }

@Suite struct StrictJSONTests {
    func decode<T: Decodable>(_ t: T.Type, _ text: String) throws(StrictJSONError) -> T {
        try StrictJSONDecoder().decode(t, from: Array(text.utf8))
    }
    func error<T: Decodable>(_ t: T.Type, _ text: String) -> String {
        do { _ = try decode(t, text); return "no error" } catch { return error.description }
    }

    @Test func acceptsWellFormed() throws {
        let p = try decode(Params.self, #"{"setId": 2, "name": "a\u00e9\ud83d\ude00", "weights": [-1, 0, 7]}"#)
        #expect(p == Params(setId: 2, name: "aé😀", weights: [-1, 0, 7]))
        #expect(try decode(Params.self, #"{"setId":0,"weights":[],"name":null}"#).name == nil)
    }

    @Test func duplicateKeysAreRejectedWithTheirObject() {
        #expect(error(Nested.self, #"{"accounts": {"alice": "5", "alice": "1000000"}}"#) == #"accounts: duplicate key "alice""#)
        #expect(error(Params.self, #"{"setId": 2, "setId": 999, "weights": []}"#) == #"duplicate key "setId""#)
    }

    @Test func unknownKeysAreRejectedWithTheirPath() {
        #expect(error(Params.self, #"{"setId": 2, "weights": [], "weight": 1}"#) == #"unknown key "weight""#)
        #expect(error(Nested.self, #"{"accounts": {}, "parameters": {"setId": 1, "weights": [], "unbondingEpoch": 3}}"#)
                == #"parameters: unknown key "unbondingEpoch""#)
    }

    @Test func integersMustBeWrittenAsIntegersAndFit() {
        #expect(error(Params.self, #"{"setId": 2.0, "weights": []}"#) == "setId: 2.0 is not an integer (write it without a fraction or exponent)")
        #expect(error(Params.self, #"{"setId": 1e0, "weights": []}"#).hasPrefix("setId: 1e0 is not an integer"))
        #expect(error(Params.self, #"{"setId": -1, "weights": []}"#).hasPrefix("setId: -1 is out of range"))
        #expect(error(Params.self, #"{"setId": 18446744073709551616, "weights": []}"#).hasPrefix("setId: 18446744073709551616 is out of range"))
        #expect(error(Params.self, #"{"setId": "2", "weights": []}"#) == "setId: expected an integer, found a string")
        #expect(error(Params.self, #"{"setId": 1, "weights": [1, 2.5]}"#).hasPrefix("weights[1]: 2.5 is not an integer"))
    }

    @Test func syntaxOutsideRFC8259IsRejected() {
        for bad in [#"{"setId": +1, "weights": []}"#, #"{"setId": 01, "weights": []}"#, #"{"setId": 1, "weights": [],}"#,
                    #"{'setId': 1}"#, #"{"setId": 1 "weights": []}"#, "{\"setId\": 1, \"weights\": []} x", "", "   ",
                    #"{"setId": NaN, "weights": []}"#, "{\"name\": \"a\u{01}b\"}", #"{"name": "\ud800"}"#, #"{"name": "\x"}"#] {
            #expect(error(Params.self, bad).contains("not valid JSON"), "accepted: \(bad)")
        }
        let invalidUTF8: [UInt8] = Array(#"{"name": ""#.utf8) + [0xff] + Array(#""}"#.utf8)
        #expect(throws: StrictJSONError.self) { try StrictJSONDecoder().decode([String: String].self, from: invalidUTF8) }
    }

    @Test func missingAndNullFieldsNameTheField() {
        #expect(error(Params.self, #"{"weights": []}"#) == #"missing key "setId""#)
        #expect(error(Params.self, #"{"setId": null, "weights": []}"#) == "setId: must not be null")
    }

    @Test func sizeAndDepthAreBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: StrictJSONError.self) { try StrictJSONDecoder().decode([Int].self, from: Array(deep.utf8)) }
        var d = StrictJSONDecoder(); d.maxBytes = 10
        #expect(throws: StrictJSONError.self) { try d.decode([Int].self, from: Array("[1,2,3,4,5,6]".utf8)) }
    }

    /// Every prefix and every single-byte change of a valid document either decodes or throws: never traps.
    @Test func mutationsNeverTrap() {
        let good = Array(#"{"accounts": {"a": "1", "b": "2"}, "parameters": {"setId": 3, "name": "x", "weights": [1, -2]}}"#.utf8)
        for cut in 0..<good.count { _ = try? StrictJSONDecoder().decode(Nested.self, from: Array(good.prefix(cut))) }
        for i in good.indices {
            for v: UInt8 in [0, 0x22, 0x2c, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x30, 0xff] {
                var m = good; m[i] = v
                _ = try? StrictJSONDecoder().decode(Nested.self, from: m)
            }
        }
    }
}
