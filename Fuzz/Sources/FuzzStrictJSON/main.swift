// The strict JSON decoder: any bytes parse or throw StrictJSONError; what parses into a generic document
// (nested dictionaries and arrays of every scalar kind) decodes the same way twice.
import Wire

indirect enum AnyJSON: Decodable, Equatable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([AnyJSON]), object([String: AnyJSON])
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: AnyJSON].self)) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let a = try? StrictJSONDecoder().decode(AnyJSON.self, from: bytes) {
        precondition((try? StrictJSONDecoder().decode(AnyJSON.self, from: bytes)) == a, "decoding is not deterministic")
    }
    return 0
}
