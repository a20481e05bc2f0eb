import Testing
@testable import Merkle

@Suite struct HexLinesTests {
    func parse(_ s: String) throws(HexLineError) -> [[UInt8]] {
        let l = try HexLines(text: Array(s.utf8))
        return (0..<l.count).map { Array(l.data[Int(l.offsets[$0])..<Int(l.offsets[$0 + 1])]) }
    }

    @Test func lineRules() throws {
        #expect(try parse("") == [])
        #expect(try parse("\n") == [[]])            // one empty leaf
        #expect(try parse("00\n") == [[0]])         // the final newline ends the last line
        #expect(try parse("00") == [[0]])           // ... and is optional
        #expect(try parse("00\n\nAbCd\r\n") == [[0], [], [0xAB, 0xCD]])
        #expect(try parse("\n\n") == [[], []])
    }

    @Test func badLinesAreNamed() {
        #expect(throws: HexLineError(line: 2, reason: "odd number of hex digits (3)")) { try parse("00\nabc\n") }
        #expect(throws: HexLineError(line: 3, reason: "not a hex digit at column 2")) { try parse("00\n11\n0g\n") }
        #expect(throws: HexLineError(line: 1, reason: "not a hex digit at column 1")) { try parse(" 0\n") }
    }

    @Test func digestsNeedExactly32Bytes() throws {
        let ok = try HexLines(text: Array((String(repeating: "ab", count: 32) + "\n").utf8)).digests()
        #expect(ok.count == 1 && ok[0].hex == String(repeating: "ab", count: 32))
        #expect(throws: HexLineError.self) { try HexLines(text: Array("abcd\n".utf8)).digests() }
    }

    @Test func hexHelpers() {
        #expect(Hex.decode("0xDEADbeef") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Hex.decode("abc") == nil && Hex.decode("zz") == nil)
        #expect(Hex.encode([0, 255, 16]) == "00ff10")
        #expect(Digest(hex: String(repeating: "0", count: 63)) == nil)
    }
}
