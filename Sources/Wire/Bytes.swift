// Wire: the one way Caldera reads and writes the bytes of its formats. A bounds-checked reader and an
// append-only writer (fixed-width integers of either endianness, minimal LEB128 varints, bounded
// length-prefixed fields, `finish()` refusing trailing bytes) and a strict JSON decoder (StrictJSON.swift).
// Every failure is one `WireError` naming the field and the reason; each layer's public error wraps it
// (`WireErrorConvertible`), so a layer's decoder throws its own typed error without a wrapper reader.

/// Byte order of fixed-width integers.
public enum Endianness: Sendable { case big, little }

/// Why bytes could not be read: which field, and what was wrong with it.
public struct WireError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The field needs `need` bytes and only `have` are left.
        case truncated(need: Int, have: Int)
        /// A varint longer than 64 bits, or not in its one minimal encoding.
        case badVarint
        /// A count or length above the format's limit.
        case tooLarge(value: UInt64, limit: UInt64)
        /// Bytes left over after the object ended (`field` names the object).
        case trailingBytes(Int)
    }
    public var field: String
    public var reason: Reason
    public init(field: String, reason: Reason) { self.field = field; self.reason = reason }

    public var description: String {
        switch reason {
        case let .truncated(need, have): "\(field): truncated (needs \(need) bytes, \(have) left)"
        case .badVarint: "\(field): varint longer than 64 bits or not minimal"
        case let .tooLarge(v, l): "\(field) = \(v) exceeds the limit \(l)"
        case let .trailingBytes(n): "\(field): \(n) unexpected bytes after the end"
        }
    }
}

/// A layer's public decoding error, built from a `WireError` (usually by mapping each reason to one of
/// the layer's existing cases, so that its messages and tests stay as they were).
public protocol WireErrorConvertible: Error {
    init(_ wire: WireError)
}

extension WireError: WireErrorConvertible {
    public init(_ wire: WireError) { self = wire }
}

/// A bounds-checked reader over bytes. Every read names its field; nothing traps on any input, and no
/// read allocates more than the bytes that are actually there.
public struct ByteReader<Failure: WireErrorConvertible> {
    public let bytes: ArraySlice<UInt8>
    /// Index into `bytes` of the next byte to read.
    public var position: Int
    public let endianness: Endianness
    /// Prefix of every field name in errors (e.g. "segment index"); empty for none.
    public let context: String

    @inlinable
    public init(_ bytes: ArraySlice<UInt8>, endianness: Endianness, context: String = "") {
        self.bytes = bytes; self.position = bytes.startIndex; self.endianness = endianness; self.context = context
    }

    @inlinable
    public init(_ bytes: [UInt8], endianness: Endianness, context: String = "") {
        self.init(bytes[...], endianness: endianness, context: context)
    }

    /// Bytes read so far.
    @inlinable public var offset: Int { position - bytes.startIndex }
    /// Bytes not yet read.
    @inlinable public var remaining: Int { bytes.endIndex - position }

    @inlinable
    func name(_ field: String) -> String { context.isEmpty ? field : "\(context) \(field)" }

    @inlinable
    func fail(_ field: String, _ reason: WireError.Reason) -> Failure { Failure(WireError(field: name(field), reason: reason)) }

    /// The next `n` bytes.
    @inlinable
    public mutating func take(_ n: Int, _ field: String) throws(Failure) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw fail(field, .truncated(need: n, have: remaining)) }
        defer { position += n }
        return bytes[position ..< position + n]
    }

    @inlinable
    public mutating func u8(_ field: String) throws(Failure) -> UInt8 {
        guard remaining >= 1 else { throw fail(field, .truncated(need: 1, have: 0)) }
        defer { position += 1 }
        return bytes[position]
    }

    /// A fixed-width integer in the reader's byte order.
    @inlinable
    public mutating func integer<T: FixedWidthInteger>(_: T.Type = T.self, _ field: String) throws(Failure) -> T {
        let size = MemoryLayout<T>.size
        let s = try take(size, field)
        var v = T.zero
        switch endianness {
        case .big: for b in s { v = v << 8 | T(truncatingIfNeeded: b) }
        case .little: for (i, b) in s.enumerated() { v |= T(truncatingIfNeeded: b) << (8 * i) }
        }
        return v
    }

    @inlinable public mutating func u16(_ field: String) throws(Failure) -> UInt16 { try integer(UInt16.self, field) }
    @inlinable public mutating func u32(_ field: String) throws(Failure) -> UInt32 { try integer(UInt32.self, field) }
    @inlinable public mutating func u64(_ field: String) throws(Failure) -> UInt64 { try integer(UInt64.self, field) }
    @inlinable public mutating func i64(_ field: String) throws(Failure) -> Int64 { try integer(Int64.self, field) }

    /// LEB128, at most 10 bytes, minimal (no redundant trailing zero groups) so each value has one encoding.
    @inlinable
    public mutating func varint(_ field: String) throws(Failure) -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        for i in 0..<10 {
            guard remaining >= 1 else { throw fail(field, .truncated(need: 1, have: 0)) }
            let b = bytes[position]
            position += 1
            if i == 9 && b > 1 { throw fail(field, .badVarint) }
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 {
                if b == 0 && i > 0 { throw fail(field, .badVarint) }
                return v
            }
            shift += 7
        }
        throw fail(field, .badVarint)
    }

    /// A varint that must be ≤ `limit` (bounds every allocation that follows).
    @inlinable
    public mutating func count(_ field: String, max limit: UInt64) throws(Failure) -> Int {
        let v = try varint(field)
        try check(field, v, atMost: min(limit, UInt64(Int.max))) // an Int must hold it, whatever the caller allowed
        return Int(v)
    }

    /// Refuses a decoded value above `limit` (a declared size the caller will not allocate, an index past its
    /// table) with the same error as every other bound.
    @inlinable
    public func check(_ field: String, _ value: UInt64, atMost limit: UInt64) throws(Failure) {
        guard value <= limit else { throw fail(field, .tooLarge(value: value, limit: limit)) }
    }

    /// A varint length (≤ `limit`), then that many bytes.
    @inlinable
    public mutating func lengthPrefixed(_ field: String, max limit: UInt64) throws(Failure) -> [UInt8] {
        let n = try count("\(field) length", max: limit)
        return Array(try take(n, field))
    }

    /// A fixed-width length in the reader's byte order (≤ `limit`), then that many bytes.
    @inlinable
    public mutating func lengthPrefixed<L: FixedWidthInteger & UnsignedInteger>(_ field: String, width: L.Type, max limit: Int) throws(Failure) -> [UInt8] {
        let n = try integer(L.self, "\(field) length")
        guard limit >= 0, UInt64(n) <= UInt64(limit) else { throw fail("\(field) length", .tooLarge(value: UInt64(n), limit: UInt64(max(0, limit)))) }
        return Array(try take(Int(n), field))
    }

    /// Refuses bytes after the end of the object.
    @inlinable
    public func finish() throws(Failure) {
        if remaining != 0 { throw Failure(WireError(field: context.isEmpty ? "object" : context, reason: .trailingBytes(remaining))) }
    }
}

/// An append-only byte encoder, the reader's mirror.
public struct ByteWriter {
    public var bytes: [UInt8] = []
    public let endianness: Endianness

    @inlinable public init(endianness: Endianness) { self.endianness = endianness }

    @inlinable public mutating func u8(_ v: UInt8) { bytes.append(v) }

    @inlinable
    public mutating func integer<T: FixedWidthInteger>(_ v: T) {
        switch endianness {
        case .big: withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
        case .little: withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    @inlinable public mutating func u16(_ v: UInt16) { integer(v) }
    @inlinable public mutating func u32(_ v: UInt32) { integer(v) }
    @inlinable public mutating func u64(_ v: UInt64) { integer(v) }
    @inlinable public mutating func i64(_ v: Int64) { integer(v) }

    @inlinable
    public mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 { bytes.append(UInt8(x & 0x7F) | 0x80); x >>= 7 }
        bytes.append(UInt8(x))
    }

    @inlinable public mutating func raw<C: Collection>(_ b: C) where C.Element == UInt8 { bytes.append(contentsOf: b) }

    /// Varint length, then the bytes.
    @inlinable public mutating func lengthPrefixed(_ b: [UInt8]) { varint(UInt64(b.count)); raw(b) }

    /// Fixed-width length in the writer's byte order, then the bytes.
    @inlinable
    public mutating func lengthPrefixed<L: FixedWidthInteger & UnsignedInteger>(_ b: [UInt8], width: L.Type) {
        integer(L(b.count)); raw(b)
    }
}
