/// What `caldera codec inspect` prints: an archive's container fields and stored bytes per column.
public struct ArchiveReport: Encodable, Equatable, Sendable {
    public struct Column: Encodable, Equatable, Sendable { public var name: String; public var bytes: Int }
    public let formatVersion: Int, transform: String, transformId: Int
    public let originalBytes: UInt64, archiveBytes: Int
    /// original ÷ archive, to three decimals (0 for an empty archive).
    public let ratio: Double
    public let sha256: String
    /// Columns that hold bytes, in the transform's order.
    public let columns: [Column]

    /// Inspects an archive without decoding its payload (any declared size is accepted: nothing is allocated for it).
    public init(archive: [UInt8]) throws(ChainCodecError) {
        let h = try ChainCodec.header(archive, maxOutputBytes: Int.max)
        formatVersion = Int(h.formatVersion)
        transform = h.transform.description
        transformId = Int(h.transform.rawValue)
        originalBytes = h.originalLength
        archiveBytes = archive.count
        ratio = archive.isEmpty ? 0 : (Double(h.originalLength) / Double(archive.count) * 1000).rounded() / 1000
        let digits = Array("0123456789abcdef")
        sha256 = String(h.sha256.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
        columns = try ChainCodec.columns(archive).filter { $0.bytes > 0 }.map { Column(name: $0.name, bytes: $0.bytes) }
    }
}
