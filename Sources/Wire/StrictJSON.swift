// Strict JSON for every JSON input Caldera accepts (genesis files, guardian sets, proofs, traces' sidecars).
// Foundation's decoders are lenient where a ledger or a proof must not be: duplicate keys (the first one
// wins, where Python's json keeps the last), unknown keys (a typo such as "unbondingEpoch" silently
// ignored), 2.0 or 1e0 read into an integer. This decoder parses RFC 8259 exactly and rejects all three,
// naming the field: `accounts: duplicate key "alice"`, `parameters: unknown key "unbondingEpoch"`,
// `setId: 2.0 is not an integer`. Sizes and nesting are bounded before anything is built.

/// Why JSON input was refused: where (a path such as `guardians[3].stake`, or a byte offset for syntax)
/// and why.
public struct StrictJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) { self.path = path; self.message = message }
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A parsed JSON value. Numbers keep their source text, so integers are never rounded through a Double.
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Keys in source order (each once) and their values.
    case object(keys: [String], values: [String: JSONValue])

    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// An RFC 8259 parser that refuses duplicate keys, invalid UTF-8, lone surrogates, control characters in
/// strings, and nesting deeper than `maxDepth`.
public struct StrictJSONParser {
    public var maxDepth = 64
    public init(maxDepth: Int = 64) { self.maxDepth = maxDepth }

    public func parse(_ bytes: [UInt8]) throws(StrictJSONError) -> JSONValue {
        var p = Cursor(b: bytes, maxDepth: maxDepth)
        p.skipSpace()
        let v = try p.value(depth: 0, path: "")
        p.skipSpace()
        guard p.i == bytes.count else { throw p.syntax("unexpected \(p.describeHere()) after the JSON value") }
        return v
    }

    struct Cursor {
        let b: [UInt8]
        let maxDepth: Int
        var i = 0

        func syntax(_ message: String) -> StrictJSONError { StrictJSONError(path: "", message: "not valid JSON at byte \(i): \(message)") }

        func describeHere() -> String {
            guard i < b.count else { return "end of input" }
            let c = b[i]
            return c >= 0x21 && c < 0x7f ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0a || b[i] == 0x0d { i += 1 }
        }

        mutating func literal(_ word: String, _ v: JSONValue) throws(StrictJSONError) -> JSONValue {
            let w = Array(word.utf8)
            guard i + w.count <= b.count, Array(b[i ..< i + w.count]) == w else { throw syntax("expected a value, found \(describeHere())") }
            i += w.count
            return v
        }

        mutating func value(depth: Int, path: String) throws(StrictJSONError) -> JSONValue {
            guard i < b.count else { throw syntax("expected a value, found end of input") }
            switch b[i] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1, path: path)
            case UInt8(ascii: "["): return try array(depth: depth + 1, path: path)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number(try number())
            default: throw syntax("expected a value, found \(describeHere())")
            }
        }

        mutating func object(depth: Int, path: String) throws(StrictJSONError) -> JSONValue {
            guard depth <= maxDepth else { throw StrictJSONError(path: path, message: "nested deeper than \(maxDepth) levels") }
            i += 1
            var keys = [String](), values = [String: JSONValue]()
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(keys: keys, values: values) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw syntax("expected a key string, found \(describeHere())") }
                let key = try string()
                let childPath = JSONPath.join(path, key)
                guard values[key] == nil else { throw StrictJSONError(path: path, message: "duplicate key \"\(key)\"") }
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw syntax("expected ':' after a key, found \(describeHere())") }
                i += 1
                skipSpace()
                values[key] = try value(depth: depth, path: childPath)
                keys.append(key)
                skipSpace()
                guard i < b.count else { throw syntax("unterminated object") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(keys: keys, values: values) }
                throw syntax("expected ',' or '}', found \(describeHere())")
            }
        }

        mutating func array(depth: Int, path: String) throws(StrictJSONError) -> JSONValue {
            guard depth <= maxDepth else { throw StrictJSONError(path: path, message: "nested deeper than \(maxDepth) levels") }
            i += 1
            var out = [JSONValue]()
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
            while true {
                skipSpace()
                out.append(try value(depth: depth, path: "\(path)[\(out.count)]"))
                skipSpace()
                guard i < b.count else { throw syntax("unterminated array") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(out) }
                throw syntax("expected ',' or ']', found \(describeHere())")
            }
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, returned as written.
        mutating func number() throws(StrictJSONError) -> String {
            let start = i
            func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
            if b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, digit(b[i]) else { throw syntax("a number needs digits") }
            if b[i] == 0x30 {
                i += 1
                if i < b.count, digit(b[i]) { throw syntax("leading zeros are not allowed in numbers") }
            } else {
                while i < b.count, digit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                guard i < b.count, digit(b[i]) else { throw syntax("a fraction needs digits") }
                while i < b.count, digit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                guard i < b.count, digit(b[i]) else { throw syntax("an exponent needs digits") }
                while i < b.count, digit(b[i]) { i += 1 }
            }
            return String(decoding: b[start ..< i], as: UTF8.self)
        }

        mutating func hex4() throws(StrictJSONError) -> UInt32 {
            guard i + 4 <= b.count else { throw syntax("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw syntax("bad hex digit in \\u escape")
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        mutating func string() throws(StrictJSONError) -> String {
            i += 1
            var out = [UInt8]()
            while true {
                guard i < b.count else { throw syntax("unterminated string") }
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; break }
                if c < 0x20 { throw syntax("control character in a string (escape it)") }
                if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
                i += 1
                guard i < b.count else { throw syntax("unterminated escape") }
                let e = b[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard i + 2 <= b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") else { throw syntax("lone high surrogate") }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw syntax("high surrogate without a low one") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw syntax("lone low surrogate")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw syntax("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw syntax("unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            }
            guard let s = String(validating: out, as: UTF8.self) else { throw syntax("a string is not valid UTF-8") }
            return s
        }
    }
}

enum JSONPath {
    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    static func render(_ codingPath: [any CodingKey]) -> String {
        var s = ""
        for k in codingPath {
            if let i = k.intValue, k.stringValue == "Index \(i)" || k.stringValue == "\(i)" { s += "[\(i)]" } else { s = join(s, k.stringValue) }
        }
        return s
    }
}

/// Decodes `Decodable` values from strict JSON. Beyond the parser's rules: every key of every object
/// must be read by the type (unknown keys are errors), integers must be written as integers
/// (`-?(0|[1-9][0-9]*)`) and fit their type, and `null` is only accepted for optionals.
public struct StrictJSONDecoder {
    /// Larger input is refused before it is parsed.
    public var maxBytes: Int
    public var maxDepth: Int
    public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64) { self.maxBytes = maxBytes; self.maxDepth = maxDepth }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(StrictJSONError) -> T {
        guard bytes.count <= maxBytes else { throw StrictJSONError(path: "", message: "\(bytes.count) bytes is more than the \(maxBytes) accepted") }
        let root = try StrictJSONParser(maxDepth: maxDepth).parse(bytes)
        return try decode(type, from: root)
    }

    public func decode<T: Decodable>(_ type: T.Type, from root: JSONValue) throws(StrictJSONError) -> T {
        let tracker = KeyTracker()
        let value: T
        do {
            value = try T(from: ValueDecoder(value: root, codingPath: [], tracker: tracker))
        } catch let e as StrictJSONError {
            throw e
        } catch let e as DecodingError {
            throw Self.convert(e)
        } catch {
            throw StrictJSONError(path: "", message: "\(error)")
        }
        if let (path, key) = tracker.firstUnread() {
            throw StrictJSONError(path: path, message: "unknown key \"\(key)\"")
        }
        return value
    }

    static func convert(_ e: DecodingError) -> StrictJSONError {
        switch e {
        case let .keyNotFound(key, ctx):
            return StrictJSONError(path: JSONPath.render(ctx.codingPath), message: "missing key \"\(key.stringValue)\"")
        case let .typeMismatch(_, ctx), let .valueNotFound(_, ctx), let .dataCorrupted(ctx):
            // A type's own message may already name its field; say the path once.
            let path = JSONPath.render(ctx.codingPath)
            let message = !path.isEmpty && ctx.debugDescription.hasPrefix(path + ":")
                ? String(ctx.debugDescription.dropFirst(path.count + 1).drop(while: { $0 == " " })) : ctx.debugDescription
            return StrictJSONError(path: path, message: message)
        @unknown default:
            return StrictJSONError(path: "", message: "\(e)")
        }
    }
}

/// Which keys of which objects the decoded type read; what is left over was not expected.
final class KeyTracker {
    var objects: [(path: String, keys: [String])] = []
    var read: [String: Set<String>] = [:]
    var all = Set<String>()

    func register(path: String, keys: [String]) {
        if read[path] == nil { objects.append((path, keys)); read[path] = [] }
    }
    func markRead(path: String, key: String) { read[path, default: []].insert(key) }
    func markAll(path: String) { all.insert(path) }

    func firstUnread() -> (String, String)? {
        for (path, keys) in objects where !all.contains(path) {
            let r = read[path] ?? []
            if let k = keys.first(where: { !r.contains($0) }) { return (path, k) }
        }
        return nil
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

struct ValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let tracker: KeyTracker
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .object(keys, values) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object, found \(value.kind)"))
        }
        let path = JSONPath.render(codingPath)
        tracker.register(path: path, keys: keys)
        return KeyedDecodingContainer(Keyed<Key>(keys: keys, values: values, codingPath: codingPath, path: path, tracker: tracker))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case let .array(items) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected an array, found \(value.kind)"))
        }
        return Unkeyed(items: items, codingPath: codingPath, tracker: tracker)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value, codingPath: codingPath, tracker: tracker) }
}

/// Scalars: one place that decides what each JSON value may become.
struct Single: SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let tracker: KeyTracker

    func mismatch<T>(_ t: T.Type, _ expected: String) -> DecodingError {
        DecodingError.typeMismatch(t, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.kind)"))
    }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case let .bool(b) = value else { throw mismatch(type, "a boolean") }
        return b
    }
    func decode(_ type: String.Type) throws -> String {
        guard case let .string(s) = value else { throw mismatch(type, "a string") }
        return s
    }
    func decode(_ type: Double.Type) throws -> Double {
        guard case let .number(t) = value, let d = Double(t), d.isFinite else { throw mismatch(type, "a finite number") }
        return d
    }
    func decode(_ type: Float.Type) throws -> Float {
        guard case let .number(t) = value, let d = Float(t), d.isFinite else { throw mismatch(type, "a finite number") }
        return d
    }
    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard case let .number(t) = value else { throw mismatch(type, "an integer") }
        guard !t.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(t) is not an integer (write it without a fraction or exponent)"))
        }
        guard let v = T(t) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(t) is out of range (\(T.min) … \(T.max))"))
        }
        return v
    }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: ValueDecoder(value: value, codingPath: codingPath, tracker: tracker))
    }
}

struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let keys: [String]
    let values: [String: JSONValue]
    let codingPath: [any CodingKey]
    let path: String
    let tracker: KeyTracker

    var allKeys: [Key] {
        tracker.markAll(path: path) // a type that enumerates keys reads them all (a dictionary)
        return keys.compactMap { Key(stringValue: $0) }
    }
    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }

    func child(_ key: Key) throws -> (JSONValue, [any CodingKey]) {
        tracker.markRead(path: path, key: key.stringValue)
        guard let v = values[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing key \"\(key.stringValue)\""))
        }
        return (v, codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).0 == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let (v, p) = try child(key)
        if v == .null {
            throw DecodingError.valueNotFound(type, .init(codingPath: p, debugDescription: "must not be null"))
        }
        return try Single(value: v, codingPath: p, tracker: tracker).decodeAny(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        tracker.markRead(path: path, key: key.stringValue)
        guard let v = values[key.stringValue], v != .null else { return nil }
        return try Single(value: v, codingPath: codingPath + [key], tracker: tracker).decodeAny(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try child(key)
        return try ValueDecoder(value: v, codingPath: p, tracker: tracker).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let (v, p) = try child(key)
        return try ValueDecoder(value: v, codingPath: p, tracker: tracker).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: .object(keys: keys, values: values), codingPath: codingPath, tracker: tracker)
    }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        let (v, p) = try child(key)
        return ValueDecoder(value: v, codingPath: p, tracker: tracker)
    }
}

extension Single {
    /// Routes the standard scalar types through this container's strict rules, anything else through its
    /// own `init(from:)`.
    func decodeAny<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is Bool.Type: return try decode(Bool.self) as! T
        case is String.Type: return try decode(String.self) as! T
        case is Double.Type: return try decode(Double.self) as! T
        case is Float.Type: return try decode(Float.self) as! T
        case is Int.Type: return try integer(Int.self) as! T
        case is Int8.Type: return try integer(Int8.self) as! T
        case is Int16.Type: return try integer(Int16.self) as! T
        case is Int32.Type: return try integer(Int32.self) as! T
        case is Int64.Type: return try integer(Int64.self) as! T
        case is UInt.Type: return try integer(UInt.self) as! T
        case is UInt8.Type: return try integer(UInt8.self) as! T
        case is UInt16.Type: return try integer(UInt16.self) as! T
        case is UInt32.Type: return try integer(UInt32.self) as! T
        case is UInt64.Type: return try integer(UInt64.self) as! T
        default: return try T(from: ValueDecoder(value: value, codingPath: codingPath, tracker: tracker))
        }
    }
}

struct Unkeyed: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let codingPath: [any CodingKey]
    let tracker: KeyTracker
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next() throws -> (JSONValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "array has only \(items.count) elements"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [AnyKey(intValue: currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if items[currentIndex] == .null { currentIndex += 1; return true }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (v, p) = try next()
        if v == .null { throw DecodingError.valueNotFound(type, .init(codingPath: p, debugDescription: "must not be null")) }
        return try Single(value: v, codingPath: p, tracker: tracker).decodeAny(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (v, p) = try next()
        return try ValueDecoder(value: v, codingPath: p, tracker: tracker).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (v, p) = try next()
        return try ValueDecoder(value: v, codingPath: p, tracker: tracker).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        let (v, p) = try next()
        return ValueDecoder(value: v, codingPath: p, tracker: tracker)
    }
}
