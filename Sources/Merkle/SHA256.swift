import CCaldera
import Foundation

/// SHA-256 (FIPS 180-4) through the C core, with a choice of backend.
///
/// `.auto` picks SHA-NI when the CPU has it and OpenSSL otherwise; the other cases exist so that
/// tests and benchmarks can compare backends against each other.
public enum SHA256 {
    public enum Backend: CaseIterable, Sendable, CustomStringConvertible {
        case auto, portable, openssl, shaNI

        var code: Int32 {
            switch self {
            case .auto: Int32(CAL_SHA256_AUTO)
            case .portable: Int32(CAL_SHA256_PORTABLE)
            case .openssl: Int32(CAL_SHA256_OPENSSL)
            case .shaNI: Int32(CAL_SHA256_SHANI)
            }
        }

        /// Whether this machine can run the backend.
        public var isAvailable: Bool { cal_sha256_backend_available(code) == 1 }

        /// The concrete backend `.auto` resolves to here.
        public static var resolvedAuto: Backend {
            switch Int(cal_sha256_backend_auto()) {
            case CAL_SHA256_SHANI: .shaNI
            case CAL_SHA256_PORTABLE: .portable
            default: .openssl
            }
        }

        public var description: String { String(cString: cal_sha256_backend_name(code)) }
    }

    /// SHA-256 of the bytes.
    public static func hash<Bytes: ContiguousBytes>(_ data: Bytes, backend: Backend = .auto) -> Digest {
        data.withUnsafeBytes { buf in
            var out = Digest.zero
            let rc = withUnsafeMutableBytes(of: &out.storage) { o in
                cal_sha256(backend.code, buf.baseAddress, buf.count, o.baseAddress)
            }
            precondition(rc == 0, "SHA-256 backend \(backend) is not available on this machine")
            return out
        }
    }

    /// Hashes `count` equal-length messages laid out back to back (`data.count == count * length`),
    /// each optionally preceded by a one-byte `prefix`. One call, interleaved where the backend can.
    public static func hashMany(_ data: [UInt8], length: Int, prefix: UInt8? = nil, backend: Backend = .auto) -> [Digest] {
        precondition(length >= 0 && (length == 0 || data.count % length == 0), "data is not a whole number of messages")
        let count = length == 0 ? 0 : data.count / length
        return hashMany(data, count: count, length: length, prefix: prefix, backend: backend)
    }

    /// As above with an explicit count (needed when `length == 0`).
    public static func hashMany(_ data: [UInt8], count: Int, length: Int, prefix: UInt8? = nil, backend: Backend = .auto) -> [Digest] {
        precondition(count >= 0 && length >= 0 && count * length <= data.count, "data is shorter than count * length")
        var out = [Digest](repeating: .zero, count: count)
        let rc = data.withUnsafeBytes { buf in
            out.withUnsafeMutableBytes { o in
                cal_sha256_many(backend.code, buf.baseAddress, count, length, length, prefix.map(Int32.init) ?? -1, o.baseAddress)
            }
        }
        precondition(rc == 0, "SHA-256 backend \(backend) is not available on this machine")
        return out
    }
}
