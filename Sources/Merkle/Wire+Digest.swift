import Wire

// Digests in every binary format: 32 raw bytes.
extension ByteReader {
    @inlinable
    public mutating func digest(_ field: String) throws(Failure) -> Digest {
        let s = try take(32, field)
        return s.withUnsafeBytes { Digest(unsafeBytesAt: $0.baseAddress!) }
    }

    /// A varint count (≤ `limit`), then that many digests; the count is checked against the bytes left
    /// before anything is allocated.
    @inlinable
    public mutating func digests(_ field: String, max limit: UInt64) throws(Failure) -> [Digest] {
        let n = try count("\(field) count", max: limit)
        guard n <= remaining / 32 else { throw Failure(WireError(field: context.isEmpty ? field : "\(context) \(field)", reason: .truncated(need: n > Int.max / 32 ? Int.max : n * 32, have: remaining))) }
        var out = [Digest]()
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try digest(field)) }
        return out
    }
}

extension ByteWriter {
    @inlinable
    public mutating func digest(_ d: Digest) { d.withUnsafeBytes { raw($0) } }
}
