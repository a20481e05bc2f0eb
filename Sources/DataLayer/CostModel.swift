/// Storage cost over a retention period: a traditional rollup, which keeps everything it posted in
/// the hot tier (posted once to the DA layer, then kept on replicated SSD by its nodes for the whole
/// retention, since DA layers prune after weeks), against Caldera's tiering (the same DA posting, the
/// hot copy kept only for the hot window, then compressed into a permanent archive, paid once).
/// Every price is a `Price` with its unit, date and source; docs/data-layer.md cites each.
public struct CostModel: Sendable, Equatable {
    /// A dated, cited price or constant.
    public struct Price: Sendable, Equatable, CustomStringConvertible {
        public var value: Double
        public var unit: String
        public var asOf: String
        public var source: String
        public init(_ value: Double, _ unit: String, asOf: String, source: String) {
            self.value = value; self.unit = unit; self.asOf = asOf; self.source = source
        }
        public var description: String { "\(Self.fmt(value)) \(unit) (\(asOf); \(source))" }
        static func fmt(_ x: Double) -> String {
            if x == x.rounded() && abs(x) < 1e9 { return String(Int64(x)) }
            return "\(x)"
        }
    }

    // Celestia (DA / hot tier)
    public var celestiaGasPerBlobByte = Price(8, "gas per blob byte (per 512-byte share)", asOf: "celestia-app v1–v4, 2023–2025",
                                              source: "celestia-app appconsts GasPerBlobByte")
    public var celestiaPFBFixedGas = Price(75_000, "gas per PayForBlobs tx", asOf: "celestia-app v3, 2024",
                                           source: "celestia-app x/blob/types/payforblob.go PFBGasFixedCost")
    public var celestiaGasPrice = Price(0.002, "utia per gas", asOf: "celestia-app v2–v3 default minimum, 2024",
                                        source: "celestia-app appconsts DefaultMinGasPrice")
    public var tiaUSD = Price(2.0, "USD per TIA", asOf: "assumption, 2025 range $1–$8", source: "market price; refresh before use")
    /// Bytes per PayForBlobs transaction (a rollup batches its blobs).
    public var bytesPerPFB = Price(1_000_000, "bytes per PFB", asOf: "assumption", source: "≈ a 1 MB batch per PFB")

    // Ethereum (alternative DA for the baseline)
    public var ethCalldataGasPerByte = Price(16, "gas per non-zero calldata byte", asOf: "EIP-2028, 2019", source: "EIP-2028")
    public var ethGasPrice = Price(5, "gwei per gas", asOf: "assumption, 2025 L1 base fee range 1–30 gwei", source: "etherscan gas tracker; refresh before use")
    public var ethBlobGasPerByte = Price(1, "blob gas per byte (131072 per 128 KiB blob)", asOf: "EIP-4844, 2024-03", source: "EIP-4844 GAS_PER_BLOB = 2^17")
    public var ethBlobGasPrice = Price(1, "gwei per blob gas", asOf: "assumption; 2024–2025 ranged 1 wei – 100+ gwei", source: "blobscan; refresh before use")
    public var ethUSD = Price(3000, "USD per ETH", asOf: "assumption, 2025 range $1.5k–$4.8k", source: "market price; refresh before use")

    // Hot storage on the rollup's own nodes
    public var ssdUSDPerGBMonth = Price(0.08, "USD per GB-month", asOf: "2024", source: "AWS EBS gp3, us-east-1 price list")
    public var hotReplicas = Price(3, "copies", asOf: "assumption", source: "sequencer + replica + archive node")

    // Permanent archive
    public var arweaveUSDPerGB = Price(5.0, "USD per GB, one-time (~200 years)", asOf: "2024–2025",
                                       source: "Arweave GET /price/{bytes}; write-ups quote $2–$7/GB (2022–2025), docs/data-layer.md")

    public init() {}

    /// The DA layer the rollup posts to (both designs post the same bytes to it).
    public enum DA: String, Sendable, CaseIterable { case celestia, ethereumBlobs, ethereumCalldata }

    /// One-time DA posting fee in USD for `bytes`.
    public func postingUSD(bytes: Double, da: DA) -> Double {
        switch da {
        case .celestia:
            let shares = (bytes / 478).rounded(.up) // worst case one blob: 478 bytes in the first share, 482 after
            let gas = shares * 512 * celestiaGasPerBlobByte.value + (bytes / bytesPerPFB.value).rounded(.up) * celestiaPFBFixedGas.value
            return gas * celestiaGasPrice.value * 1e-6 * tiaUSD.value
        case .ethereumBlobs:
            let blobs = (bytes / 131_072).rounded(.up)
            return blobs * 131_072 * ethBlobGasPerByte.value * ethBlobGasPrice.value * 1e-9 * ethUSD.value
        case .ethereumCalldata:
            return bytes * ethCalldataGasPerByte.value * ethGasPrice.value * 1e-9 * ethUSD.value
        }
    }

    /// Replicated SSD cost of keeping `bytes` hot for `days`.
    public func hotUSD(bytes: Double, days: Double) -> Double {
        bytes / 1e9 * ssdUSDPerGBMonth.value * hotReplicas.value * days / (365.25 / 12)
    }

    /// One-time Arweave fee for `bytes`.
    public func archiveUSD(bytes: Double) -> Double { bytes / 1e9 * arweaveUSDPerGB.value }

    /// Costs for `rawBytes` of rollup data kept for `retentionDays`.
    public struct Breakdown: Sendable, Equatable {
        public var retentionDays: Double
        public var posting: Double
        public var traditionalHot: Double
        public var calderaHot: Double
        public var calderaArchive: Double
        public var calderaFingerprints: Double
        /// Storage only (what tiering changes): hot retention vs hot window + archive + fingerprints.
        public var traditionalStorage: Double { traditionalHot }
        public var calderaStorage: Double { calderaHot + calderaArchive + calderaFingerprints }
        public var storageReduction: Double { traditionalStorage > 0 ? 1 - calderaStorage / traditionalStorage : 0 }
        /// Including the DA posting fee, which both designs pay alike.
        public var traditionalTotal: Double { posting + traditionalHot }
        public var calderaTotal: Double { posting + calderaStorage }
        public var totalReduction: Double { traditionalTotal > 0 ? 1 - calderaTotal / traditionalTotal : 0 }
    }

    /// - Parameters:
    ///   - compressionRatio: raw ÷ cold bytes, as measured on the corpus.
    ///   Caldera also commits the fingerprint log's root once per day (one extra share in the rollup's batch).
    public func compare(rawBytes: Double, compressionRatio: Double, retentionDays: Double, hotWindowDays: Double = 7,
                        da: DA = .celestia) -> Breakdown {
        let window = min(hotWindowDays, retentionDays)
        let migrations = max(1, retentionDays - window)  // one migration (and one root on chain) per day
        // The 32-byte log root rides in the rollup's daily batch PFB: one more 512-byte share, no extra tx.
        let rootFee = 512 * celestiaGasPerBlobByte.value * celestiaGasPrice.value * 1e-6 * tiaUSD.value
        return Breakdown(retentionDays: retentionDays,
                         posting: postingUSD(bytes: rawBytes, da: da),
                         traditionalHot: hotUSD(bytes: rawBytes, days: retentionDays),
                         calderaHot: hotUSD(bytes: rawBytes, days: window),
                         calderaArchive: retentionDays > window ? archiveUSD(bytes: rawBytes / max(compressionRatio, 1e-9)) : 0,
                         calderaFingerprints: retentionDays > window ? migrations * rootFee : 0)
    }

    /// Retention (days) from which Caldera's storage is cheaper, by bisection; nil if never within 100 years.
    public func breakEvenDays(rawBytes: Double, compressionRatio: Double, hotWindowDays: Double = 7) -> Double? {
        var lo = hotWindowDays, hi = 36_525.0
        guard compare(rawBytes: rawBytes, compressionRatio: compressionRatio, retentionDays: hi, hotWindowDays: hotWindowDays).storageReduction > 0 else { return nil }
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if compare(rawBytes: rawBytes, compressionRatio: compressionRatio, retentionDays: mid, hotWindowDays: hotWindowDays).storageReduction > 0 { hi = mid } else { lo = mid }
        }
        return hi
    }

    /// Every parameter, for printing with a claim.
    public var parameters: [(String, Price)] {
        [("celestia.gasPerBlobByte", celestiaGasPerBlobByte), ("celestia.pfbFixedGas", celestiaPFBFixedGas),
         ("celestia.gasPrice", celestiaGasPrice), ("celestia.tiaUSD", tiaUSD), ("celestia.bytesPerPFB", bytesPerPFB),
         ("eth.calldataGasPerByte", ethCalldataGasPerByte), ("eth.gasPrice", ethGasPrice), ("eth.blobGasPerByte", ethBlobGasPerByte),
         ("eth.blobGasPrice", ethBlobGasPrice), ("eth.ethUSD", ethUSD), ("hot.ssdUSDPerGBMonth", ssdUSDPerGBMonth),
         ("hot.replicas", hotReplicas), ("arweave.USDPerGB", arweaveUSDPerGB)]
    }
}
