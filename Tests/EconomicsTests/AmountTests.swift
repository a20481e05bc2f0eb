import Foundation
import Testing
import PropertyBased
@testable import Economics

@Suite struct AmountTests {
    @Test(arguments: [
        ("1234.5 ERA", UInt128(1_234_500_000_000_000_000_000)),
        ("150000 ERA", UInt128(150_000) * Amount.unitsPerERA),
        ("0.000000000000000001 ERA", UInt128(1)),
        ("0.000000000000000001", UInt128(1)),
        ("0 ERA", UInt128(0)),
        ("0", UInt128(0)),
        ("0.5", UInt128(500_000_000_000_000_000)),
        ("0.000 ERA", UInt128(0)),
        ("10", UInt128(10) * Amount.unitsPerERA),
        ("100.05 ERA", UInt128(100_050_000_000_000_000_000)),
    ])
    func parses(text: String, baseUnits: UInt128) throws {
        #expect(try Amount(parsing: text).baseUnits == baseUnits)
    }

    @Test(arguments: ["", " ERA", "-1 ERA", "+1", "1e18", "1,000", "1.", ".5", "1.2.3", "1 era", "1  ERA", "ERA", " 1 ERA", "1 ERA "])
    func rejectsMalformed(text: String) {
        #expect(throws: AmountError.malformed(text)) { try Amount(parsing: text) }
    }

    /// Hostile-input finding: "007 ERA" was read as 7 ERA. One spelling per amount; "0.5" stays valid.
    @Test(arguments: ["007 ERA", "007.50", "00", "01", "00.5", "0001 ERA"])
    func rejectsLeadingZeros(text: String) {
        #expect(throws: AmountError.leadingZero(text)) { try Amount(parsing: text) }
        #expect(AmountError.leadingZero(text).description.contains("leading zero"))
    }

    @Test func baseUnitStringsAreCanonical() throws {
        #expect(try Amount(parsingBaseUnits: "0") == .zero)
        #expect(try Amount(parsingBaseUnits: "1500000000000000000") == Amount(baseUnits: 1_500_000_000_000_000_000))
        #expect(throws: AmountError.leadingZero("01")) { try Amount(parsingBaseUnits: "01") }
        #expect(throws: AmountError.malformed("+1")) { try Amount(parsingBaseUnits: "+1") }
        #expect(throws: AmountError.malformed("")) { try Amount(parsingBaseUnits: "") }
        #expect(throws: AmountError.overflow) { try Amount(parsingBaseUnits: "340282366920938463463374607431768211456") }
        // The same rule holds for every 128-bit number in JSON records (one Codable form, `DecimalString`).
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Amount.self, from: Data(#""007""#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Bond.self, from: Data(#"{"amount":"1","rewardIndexAtEntry":"-1","counted":true}"#.utf8)) }
        let bond = try JSONDecoder().decode(Bond.self, from: Data(#"{"amount":"1","rewardIndexAtEntry":"340282366920938463463374607431768211455","counted":true}"#.utf8))
        #expect(bond.rewardIndexAtEntry == .max)
        #expect(String(decoding: try JSONEncoder().encode(bond), as: UTF8.self).contains(#""340282366920938463463374607431768211455""#))
    }

    @Test func rejectsFinerThanABaseUnit() {
        #expect(throws: AmountError.tooManyDecimals("0.0000000000000000001 ERA")) { try Amount(parsing: "0.0000000000000000001 ERA") }
    }

    @Test func rejectsOverflow() throws {
        // UInt128.max is about 3.4e38 base units = 3.4e20 ERA.
        #expect(throws: AmountError.overflow) { try Amount(parsing: "340282366920938463463.374607431768211456 ERA") }
        #expect(try Amount(parsing: "340282366920938463463.374607431768211455 ERA").baseUnits == UInt128.max)
        #expect(throws: AmountError.overflow) { try Amount(era: UInt128.max / 10) }
    }

    @Test func prints() throws {
        #expect(Amount(baseUnits: 1_234_500_000_000_000_000_000).description == "1234.5 ERA")
        #expect(Amount(baseUnits: 1).description == "0.000000000000000001 ERA")
        #expect(try Amount(era: 150_000).description == "150000 ERA")
        #expect(Amount.zero.description == "0 ERA")
    }

    @Test func arithmeticIsCheckedNotWrapping() throws {
        let max = Amount(baseUnits: .max)
        #expect(throws: AmountError.overflow) { try max.adding(Amount(baseUnits: 1)) }
        #expect(throws: AmountError.negativeResult) { try Amount(baseUnits: 1).subtracting(Amount(baseUnits: 2)) }
        #expect(try Amount(baseUnits: 5).subtracting(Amount(baseUnits: 5)) == .zero)
        #expect(throws: AmountError.overflow) { try [max, Amount(baseUnits: 1)].sum() }
    }

    @Test func mulDivIsExactBeyond128Bits() throws {
        // (2^127 × 6) / 4 needs a 256-bit intermediate.
        let big = UInt128(1) << 127
        #expect(try mulDiv(big, 6, 8) == big / 8 * 6)
        #expect(throws: AmountError.overflow) { try mulDiv(.max, .max, 1) }
        #expect(throws: AmountError.overflow) { try mulDiv(1, 1, 0) }
    }

    @Test func printThenParseRoundTrips() async {
        await propertyCheck(count: 500, input: Gen.uint64(), Gen.uint64()) { high, low in
            let amount = Amount(baseUnits: UInt128(high) << 64 | UInt128(low))
            #expect((try? Amount(parsing: amount.description)) == amount)
            #expect((try? Amount(parsingBaseUnits: amount.baseUnitsString)) == amount)
        }
    }

    @Test func fractionsParseExactly() throws {
        #expect(try Fraction(parsing: "0.0001").partsPerBillion == 100_000)
        #expect(try Fraction(parsing: "0.05").description == "0.05")
        #expect(try Fraction(parsing: "1") == .one)
        #expect(throws: EconomyError.self) { try Fraction(parsing: "1.5") }
        #expect(throws: EconomyError.self) { try Fraction(parsing: "0.0000000001") }
        #expect(Fraction(partsPerBillion: 100_000).of(try Amount(era: 150_000)) == (try Amount(era: 15)))
    }
}
