import CCaldera

/// The chain-aware archive codec: `encode` picks the best transform it recognises for the bytes and
/// always compares against plain zstd; `decode` reverses any archive any version of this codec wrote.
///
/// ```swift
/// let archive = ChainCodec.encode(headersRLP)
/// let back = try ChainCodec.decode(archive)   // == headersRLP, byte for byte, or a ChainCodecError
/// ```
public enum ChainCodec {
    /// What kind of data the bytes look like. Only kinds with a transform change how they are stored;
    /// the others are recognised for reporting and go through the general zstd path.
    public enum Kind: String, Sendable, CaseIterable {
        /// Concatenated RLP block headers (era1 0x03 entries, `.headers.rlp`): transform `rlpColumns`.
        case rlpHeaders = "rlp-headers"
        /// Other RLP streams (bodies, receipts, devp2p messages): zstd for now.
        case rlp = "rlp"
        /// e2store / era1 archives (snappy-framed RLP): transform `era1Columns`.
        case era1 = "era1"
        /// JSON text (JSON-RPC, beacon objects): zstd for now.
        case json = "json"
        /// Hex text (one or more lines of hex digits): zstd for now.
        case hexText = "hex-text"
        /// Anything else.
        case binary = "binary"
    }

    /// Default zstd level for columns and for the general path (as `zstd -19`).
    public static let defaultLevel: Int32 = 19
    /// Default bound on the size an archive may declare (1 GiB): bounds every allocation of `decode`.
    public static let defaultMaxOutputBytes = 1 << 30

    /// Recognises the data kind from its leading bytes (at most the first 64 RLP items are parsed).
    public static func detect(_ bytes: [UInt8]) -> Kind {
        if bytes.isEmpty { return .binary }
        if bytes.count >= 8, bytes[0] == 0x65, bytes[1] == 0x32, bytes[2...7].allSatisfy({ $0 == 0 }) { return .era1 }
        let headers = bytes.withUnsafeBytes { cal_rlpcol_header_prefix($0.baseAddress, $0.count, 64) }
        if headers >= 1 { return .rlpHeaders }
        let firstText = bytes.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) })
        if firstText == UInt8(ascii: "{") || firstText == UInt8(ascii: "[") { return .json }
        let sample = bytes.prefix(4096)
        if sample.allSatisfy({ isHexDigit($0) || $0 == 0x0A || $0 == 0x0D || $0 == UInt8(ascii: "x") }) { return .hexText }
        if let b = bytes.first, b >= 0xC0 { return .rlp }
        return .binary
    }

    /// Encodes `bytes` into a self-describing archive. Tries the transform `detect` suggests and plain
    /// zstd, keeps the smallest, and checks a transformed payload decodes back exactly before using it
    /// (so an encoder bug can only cost ratio, never data). Never fails: stores the bytes as a last resort.
    public static func encode(_ bytes: [UInt8], level: Int32 = defaultLevel) -> [UInt8] {
        let digest = sha256(bytes)
        var best: (Transform, [UInt8]) = (.stored, bytes)
        if !bytes.isEmpty, let z = zstdCompress(bytes, level: level), z.count < best.1.count { best = (.zstd, z) }
        if let t = bestTransform(bytes, level: level), t.payload.count < best.1.count { best = t }
        return Container.write(transform: best.0, original: bytes, digest: digest, payload: best.1)
    }

    /// The archive of `bytes` by the best column transform that recognises and verifies them, without
    /// the plain-zstd candidate `encode` also computes; nil when no transform applies. For a caller that
    /// has already decided, by an estimate, that the transform beats zstd (the cold archive's segment
    /// writer), so the bytes are compressed once. The payload is verified exactly as in `encode`.
    public static func encodeTransformed(_ bytes: [UInt8], level: Int32 = defaultLevel) -> [UInt8]? {
        guard let t = bestTransform(bytes, level: level) else { return nil }
        return Container.write(transform: t.transform, original: bytes, digest: sha256(bytes), payload: t.payload)
    }

    /// Whether some column transform may apply to `bytes` (what `bestTransform` will try); cheap.
    public static func hasTransformCandidate(_ bytes: [UInt8]) -> Bool { !transformCandidates(bytes).isEmpty }

    static func transformCandidates(_ bytes: [UInt8]) -> [Transform] {
        let kind = detect(bytes)
        var candidates: [Transform] = []
        if kind == .rlpHeaders { candidates.append(.rlpColumns) }
        if kind == .era1 { candidates += [.era1Columns2, .era1Columns] }
        if kind == .json || kind == .hexText || hexValueCount(bytes.prefix(1 << 16)) >= 8 {
            // transform 5 (transform 3 plus markers; its encoder declines when no transaction hash is
            // recomputable); transform 3 when 5 declines or fails its verification
            candidates += [.hexColumns2, .hexColumns]
        }
        return candidates
    }

    /// The smallest verified column-transform payload for `bytes`, or nil.
    static func bestTransform(_ bytes: [UInt8], level: Int32) -> (transform: Transform, payload: [UInt8])? {
        // A newer transform that verifies makes its predecessor pointless (5 is 3 minus the hashes, 6 is
        // 4 minus the ommers hashes); the predecessor is the fallback when the newer one fails verification.
        let predecessor: [Transform: Transform] = [.hexColumns2: .hexColumns, .era1Columns2: .era1Columns]
        var verified = Set<Transform>()
        var best: (transform: Transform, payload: [UInt8])?
        for t in transformCandidates(bytes) {
            if predecessor.contains(where: { $0.value == t && verified.contains($0.key) }) { continue }
            guard let p = columnsEncode(t, bytes, level: level).payload,
                  (try? decodePayload(t, p, originalLength: bytes.count)) == bytes else { continue }
            verified.insert(t)
            if best == nil || p.count < best!.payload.count { best = (t, p) }
        }
        return best
    }

    /// Decodes an archive. Throws a `ChainCodecError` for anything the format does not allow or whose
    /// result does not match the stored SHA-256; never traps. `maxOutputBytes` bounds the declared size.
    public static func decode(_ archive: [UInt8], maxOutputBytes: Int = defaultMaxOutputBytes) throws(ChainCodecError) -> [UInt8] {
        let h = try Container.readHeader(archive, maxOutputBytes: maxOutputBytes)
        let out = try decodePayload(h.transform, archive[h.payloadOffset...], originalLength: Int(h.originalLength))
        guard sha256(out) == h.sha256 else { throw .checksumMismatch }
        return out
    }

    /// The largest original an untrusted archive of `archiveLength` bytes is allowed to declare by default:
    /// 32× its size, at least 16 MiB, at most `defaultMaxOutputBytes`. Codec ratios on chain data stay far
    /// below 32×; a small archive declaring gigabytes is a bomb, and a caller that trusts it passes its own limit.
    public static func defaultLimit(forArchiveOf archiveLength: UInt64) -> Int {
        let (scaled, overflow) = Int(clamping: archiveLength).multipliedReportingOverflow(by: 32)
        return overflow ? defaultMaxOutputBytes : min(defaultMaxOutputBytes, max(16 << 20, scaled))
    }

    /// What the first bytes of an archive declare, before the rest is read: nil while `prefix` is too short
    /// to hold the header (at most 58 bytes); throws if it is not an archive this codec reads.
    public static func peek(prefix: [UInt8]) throws(ChainCodecError) -> (originalLength: UInt64, archiveLength: UInt64)? {
        guard let h = try Container.peek(prefix) else { return nil }
        let (total, overflow) = UInt64(h.headerLength).addingReportingOverflow(h.payloadLength)
        return (h.originalLength, overflow ? .max : total)
    }

    /// The container header of an archive (transform, sizes, digest), checked but not decoded.
    public static func header(_ archive: [UInt8], maxOutputBytes: Int = defaultMaxOutputBytes) throws(ChainCodecError) -> ArchiveHeader {
        try Container.readHeader(archive, maxOutputBytes: maxOutputBytes)
    }

    /// Stored bytes per column of a columnar archive (name, bytes), for measurements; empty for the
    /// `stored` and `zstd` transforms.
    public static func columns(_ archive: [UInt8]) throws(ChainCodecError) -> [(name: String, bytes: Int)] {
        let h = try Container.readHeader(archive, maxOutputBytes: Int.max)
        let payload = Array(archive[h.payloadOffset...])
        guard let c = ColumnTransform.of(h.transform) else { return [] }
        var sizes = [UInt64](repeating: 0, count: c.columns)
        let rc = payload.withUnsafeBytes { p in sizes.withUnsafeMutableBufferPointer { c.sizes(p.baseAddress, p.count, $0.baseAddress) } }
        guard rc == 0 else { throw .payload(transform: h.transform.description, reason: rlpError(rc)) }
        return (0..<c.columns).map { (c.name($0), Int(sizes[$0])) }
    }

    /// Names of transform 3's columns: skeleton, bare-hex, then per key bucket b: qty-b, h32-b, a20-b, data-b;
    /// transform 5 adds `recompute-objects`.
    static func hexColumnName(_ i: Int) -> String {
        if i == 0 { return "skeleton" }
        if i == 1 { return "bare-hex" }
        if i == Int(CAL_HEXCOL_COLUMNS) { return "recompute-objects" }
        let kinds = ["qty", "h32", "a20", "data"]
        let k = (i - 2) / 32, b = (i - 2) % 32
        return k < 4 ? "\(kinds[k])-b\(b < 10 ? "0" : "")\(b)" : "?"
    }

    /// How many JSON-RPC transaction hashes in the text transform 5 recomputes from their objects' fields.
    public static func recomputableHashes(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { cal_hexcol2_count_recomputable($0.baseAddress, $0.count) }
    }

    /// The hash of the JSON-RPC transaction object that starts at `start` (its `{`), rebuilt from the
    /// object's fields as the signed transaction's encoding; nil when the object is not one it can encode.
    public static func transactionHash(json: [UInt8], objectAt start: Int) -> [UInt8]? {
        guard start >= 0, start < json.count else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        var end = 0, at = 0
        let rc = json.withUnsafeBytes { t in out.withUnsafeMutableBytes { cal_json_tx_hash(t.baseAddress, t.count, start, &end, &at, $0.baseAddress) } }
        return rc == CAL_OK ? out : nil
    }

    static func hexValueCount(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBytes { cal_hexcol_count_values($0.baseAddress, $0.count) }
    }

    /// Framed snappy exactly as golang/snappy's buffered Writer produces it (go-ethereum's era1 entries),
    /// for building era1 test data from a schema.
    public static func snappyFramed(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: cal_snappy_frame_bound(bytes.count))
        let n = bytes.withUnsafeBytes { b in out.withUnsafeMutableBytes { cal_snappy_frame_encode(b.baseAddress, b.count, $0.baseAddress) } }
        out.removeSubrange(n...)
        return out
    }

    /// Keccak-256 (Ethereum's, not SHA3-256).
    public static func keccak256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { b in out.withUnsafeMutableBytes { cal_keccak256(b.baseAddress, b.count, $0.baseAddress) } }
        return out
    }

    /// SHA-256 (the C core's one entry point, OpenSSL backend).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let rc = bytes.withUnsafeBytes { b in out.withUnsafeMutableBytes { cal_sha256(Int32(CAL_SHA256_OPENSSL), b.baseAddress, b.count, $0.baseAddress) } }
        precondition(rc == 0, "libcrypto SHA-256 failed")
        return out
    }

    // MARK: - transforms

    static func zstdCompress(_ bytes: [UInt8], level: Int32, longWindow: Bool = true) -> [UInt8]? {
        let cap = cal_zstd_bound(bytes.count)
        var out = [UInt8](repeating: 0, count: cap)
        // no checksum: the container's SHA-256 covers the result; long window = `zstd --long=27`
        let params = cal_zstd_params(level: level, window_log: longWindow ? 27 : 0, long_distance: longWindow ? 1 : 0, checksum: 0)
        let n = bytes.withUnsafeBytes { b in
            out.withUnsafeMutableBytes { cal_zstd_compress($0.baseAddress, cap, b.baseAddress, b.count, nil, 0, params) }
        }
        guard cal_is_error(n) == 0, n > 0 else { return nil }
        out.removeSubrange(n...)
        return out
    }

    static func rlpColumnsEncode(_ bytes: [UInt8], level: Int32) -> (payload: [UInt8]?, columns: [UInt64]) {
        columnsEncode(.rlpColumns, bytes, level: level)
    }

    static func columnsEncode(_ t: Transform, _ bytes: [UInt8], level: Int32) -> (payload: [UInt8]?, columns: [UInt64]) {
        var ptr: UnsafeMutableRawPointer?
        var len = 0
        guard let c = ColumnTransform.of(t) else { return (nil, []) }
        var sizes = [UInt64](repeating: 0, count: c.columns)
        let rc = bytes.withUnsafeBytes { b in
            sizes.withUnsafeMutableBufferPointer { c.encode(b.baseAddress, b.count, level, &ptr, &len, $0.baseAddress) }
        }
        guard rc == 0, let p = ptr else { return (nil, sizes) }
        defer { cal_free(p) }
        return (Array(UnsafeRawBufferPointer(start: p, count: len)), sizes)
    }

    static func decodePayload(_ t: Transform, _ payload: [UInt8], originalLength n: Int) throws(ChainCodecError) -> [UInt8] {
        try decodePayload(t, payload[...], originalLength: n)
    }

    static func decodePayload(_ t: Transform, _ payload: ArraySlice<UInt8>, originalLength n: Int) throws(ChainCodecError) -> [UInt8] {
        switch t {
        case .stored:
            guard payload.count == n else { throw .payload(transform: "stored", reason: "payload has \(payload.count) bytes, original length is \(n)") }
            return Array(payload)
        case .zstd:
            let out = fill(n) { dst in payload.withUnsafeBytes { p in cal_zstd_decompress_exact(dst, n, p.baseAddress, p.count, 0) } }
            guard let out else { throw .payload(transform: "zstd", reason: "not exactly one zstd frame of \(n) bytes") }
            return out
        case .rlpColumns, .hexColumns, .era1Columns, .hexColumns2, .era1Columns2:
            let c = ColumnTransform.of(t)!
            var rc: Int32 = 0
            let out = fill(n) { dst in
                rc = payload.withUnsafeBytes { p in c.decode(p.baseAddress, p.count, dst, n) }
                return rc
            }
            guard let out else { throw .payload(transform: t.description, reason: rlpError(rc)) }
            return out
        }
    }

    /// An array of n bytes written by `body` (which returns 0 on success and then wrote all n), without
    /// zero-filling first; nil when body fails.
    private static func fill(_ n: Int, _ body: (UnsafeMutableRawPointer?) -> Int32) -> [UInt8]? {
        var ok = false
        let out = [UInt8](unsafeUninitializedCapacity: max(n, 1)) { buf, count in
            if body(UnsafeMutableRawPointer(buf.baseAddress)) == 0 { ok = true; count = n } else { count = 0 }
        }
        return ok ? out : nil
    }

    static func rlpError(_ rc: Int32) -> String {
        switch Int(rc) {
        case CAL_ERR_NOMEM: "out of memory"
        case CAL_ERR_TRUNCATED: "a column ended inside a value"
        case CAL_ERR_MALFORMED: "a value the format does not allow"
        case CAL_ERR_FRAME: "a column's zstd frame does not decode to its declared size"
        case CAL_ERR_SIZE: "the reconstruction does not have the declared length"
        case CAL_ERR_TRAILING: "bytes left over in the payload or a column"
        case CAL_ERR_LIMIT: "a declared size exceeds what the original length allows"
        default: "error \(rc)"
        }
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }
}

/// The C entry points and column names of each columnar transform: one row per transform id, so the
/// encode, decode and size paths cannot disagree about which functions a transform uses.
struct ColumnTransform {
    typealias Encode = @convention(c) (UnsafeRawPointer?, Int, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<Int>?, UnsafeMutablePointer<UInt64>?) -> Int32
    typealias Decode = @convention(c) (UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int) -> Int32
    typealias Sizes = @convention(c) (UnsafeRawPointer?, Int, UnsafeMutablePointer<UInt64>?) -> Int32
    let encode: Encode
    let decode: Decode
    let sizes: Sizes
    let columns: Int
    let name: (Int) -> String

    static let era1Names = ["entry-kinds", "literal-entries", "headers (rlp-columns)", "bodies", "receipts", "meta"]

    static func of(_ t: Transform) -> ColumnTransform? {
        switch t {
        case .stored, .zstd: nil
        case .rlpColumns: ColumnTransform(encode: cal_rlpcol_encode, decode: cal_rlpcol_decode, sizes: cal_rlpcol_column_sizes,
                                          columns: Int(CAL_RLPCOL_COLUMNS), name: { String(cString: cal_rlpcol_column_name(Int32($0))) })
        case .hexColumns: ColumnTransform(encode: cal_hexcol_encode, decode: cal_hexcol_decode, sizes: cal_hexcol_column_sizes,
                                          columns: Int(CAL_HEXCOL_COLUMNS), name: ChainCodec.hexColumnName)
        case .hexColumns2: ColumnTransform(encode: cal_hexcol2_encode, decode: cal_hexcol2_decode, sizes: cal_hexcol2_column_sizes,
                                           columns: Int(CAL_HEXCOL2_COLUMNS), name: ChainCodec.hexColumnName)
        case .era1Columns: ColumnTransform(encode: cal_era1_encode, decode: cal_era1_decode, sizes: cal_era1_column_sizes,
                                           columns: Int(CAL_ERA1_COLUMNS), name: { era1Names[$0] })
        case .era1Columns2: ColumnTransform(encode: cal_era1v2_encode, decode: cal_era1v2_decode, sizes: cal_era1_column_sizes,
                                            columns: Int(CAL_ERA1_COLUMNS), name: { era1Names[$0] })
        }
    }
}
