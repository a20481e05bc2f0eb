import Testing
import Wire

@Suite struct ByteReaderTests {
    @Test func integersRoundTripInBothByteOrders() throws {
        for e in [Endianness.big, .little] {
            var w = ByteWriter(endianness: e)
            w.u8(7); w.u16(0x0102); w.u32(0x0304_0506); w.u64(0x0708_090a_0b0c_0d0e); w.i64(-2); w.varint(300); w.lengthPrefixed([1, 2, 3])
            w.lengthPrefixed([9], width: UInt32.self)
            var r = ByteReader<WireError>(w.bytes, endianness: e)
            #expect(try r.u8("a") == 7)
            #expect(try r.u16("b") == 0x0102)
            #expect(try r.u32("c") == 0x0304_0506)
            #expect(try r.u64("d") == 0x0708_090a_0b0c_0d0e)
            #expect(try r.i64("e") == -2)
            #expect(try r.varint("f") == 300)
            #expect(try r.lengthPrefixed("g", max: 3) == [1, 2, 3])
            #expect(try r.lengthPrefixed("h", width: UInt32.self, max: 1) == [9])
            try r.finish()
        }
        var w = ByteWriter(endianness: .big); w.u32(1)
        #expect(w.bytes == [0, 0, 0, 1])
        var l = ByteWriter(endianness: .little); l.u32(1)
        #expect(l.bytes == [1, 0, 0, 0])
    }

    @Test func errorsNameTheFieldAndReason() {
        var r = ByteReader<WireError>([0x80, 0x00], endianness: .big, context: "segment")
        #expect(throws: WireError(field: "segment count", reason: .badVarint)) { try r.varint("count") }
        var t = ByteReader<WireError>([1, 2], endianness: .big)
        #expect(throws: WireError(field: "height", reason: .truncated(need: 4, have: 2))) { try t.u32("height") }
        var c = ByteReader<WireError>([5], endianness: .big)
        #expect(throws: WireError(field: "rollups", reason: .tooLarge(value: 5, limit: 4))) { try c.count("rollups", max: 4) }
        let f = ByteReader<WireError>([1], endianness: .big)
        #expect(throws: WireError(field: "object", reason: .trailingBytes(1))) { try f.finish() }
    }

    @Test func varintsAreMinimalAndAtMost64Bits() throws {
        var max = ByteWriter(endianness: .big); max.varint(.max)
        var r = ByteReader<WireError>(max.bytes, endianness: .big)
        #expect(try r.varint("v") == .max)
        for bad: [UInt8] in [[0x80, 0x00], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], Array(repeating: 0x80, count: 11)] {
            var b = ByteReader<WireError>(bad, endianness: .big)
            #expect(throws: WireError.self) { try b.varint("v") }
        }
    }

    @Test func countsBeyondIntAreRefusedNotTrapped() {
        var w = ByteWriter(endianness: .big); w.varint(.max)
        var r = ByteReader<WireError>(w.bytes, endianness: .big)
        #expect(throws: WireError(field: "n", reason: .tooLarge(value: .max, limit: UInt64(Int.max)))) { try r.count("n", max: .max) }
        var l = ByteReader<WireError>([0, 0, 0, 9], endianness: .big)
        #expect(throws: WireError.self) { try l.lengthPrefixed("b", width: UInt32.self, max: -1) }
    }

    /// A decoded value past its bound is the same error as an over-long count, named with the reader's context.
    @Test func boundChecksNameTheFieldInContext() throws {
        let r = ByteReader<WireError>([], endianness: .big, context: "segment index")
        try r.check("entries", 7, atMost: 7)
        #expect(throws: WireError(field: "segment index entries", reason: .tooLarge(value: 8, limit: 7))) { try r.check("entries", 8, atMost: 7) }
    }

    @Test func hugeDeclaredLengthsAllocateNothing() {
        var w = ByteWriter(endianness: .big); w.varint(1 << 40)
        var r = ByteReader<WireError>(w.bytes, endianness: .big)
        #expect(throws: WireError.self) { try r.lengthPrefixed("blob", max: .max) }
    }
}
