/// Which blobs stay hot and which migrate: pure and deterministic (the time is an input, nothing is
/// read from a clock or a disk), like a raft state machine step.
public struct TieringPolicy: Equatable, Sendable, Codable {
    /// Blobs younger than this stay in the hot tier (seconds; default 7 days). 0 migrates everything.
    public var hotWindow: Int64
    /// Cold segments group one namespace's blobs posted within one window of this length (seconds).
    public var segmentWindow: Int64
    /// A segment holds at most about this many raw bytes (a window with more is split, in order).
    public var segmentTargetBytes: Int

    public static let defaultHotWindow: Int64 = 7 * 86_400
    public init(hotWindow: Int64 = defaultHotWindow, segmentWindow: Int64 = 86_400, segmentTargetBytes: Int = 64 << 20) {
        self.hotWindow = hotWindow; self.segmentWindow = max(1, segmentWindow); self.segmentTargetBytes = max(1, segmentTargetBytes)
    }

    /// True when the blob should still be hot at `now` (seconds since 1970).
    public func staysHot(_ blob: BlobMeta, now: Int64) -> Bool {
        // Checked: blob times come from the hot store, which a backfill or a damaged file can make extreme.
        let (age, overflow) = now.subtractingReportingOverflow(blob.time)
        return hotWindow > 0 && !overflow && age < hotWindow
    }

    /// Splits blobs into those that stay hot and those due to migrate.
    public func decide(_ blobs: [BlobMeta], now: Int64) -> (stay: [BlobMeta], migrate: [BlobMeta]) {
        var stay = [BlobMeta](), migrate = [BlobMeta]()
        for b in blobs { if staysHot(b, now: now) { stay.append(b) } else { migrate.append(b) } }
        return (stay, migrate)
    }

    /// Floor division, so negative times fall into the right window too.
    public func windowStart(_ time: Int64) -> Int64 {
        let q = time / segmentWindow, r = time % segmentWindow
        // Saturating: a window at the edge of Int64 is clamped rather than trapping.
        let (start, o) = (r < 0 ? q - 1 : q).multipliedReportingOverflow(by: segmentWindow)
        return o ? (time < 0 ? Int64.min : Int64.max - segmentWindow) : start
    }
}

/// What one migration run will do, computed purely from the hot tier's metadata, the set of blobs
/// the log already records as archived, the policy and the time.
public struct MigrationPlan: Equatable, Sendable {
    /// One cold segment to write: one namespace, one time window, blobs in arrival (height, sequence) order.
    public struct SegmentPlan: Equatable, Sendable {
        public var namespace: Namespace
        public var windowStart: Int64
        public var windowEnd: Int64
        public var blobs: [BlobMeta]
        public var rawBytes: UInt64 { blobs.reduce(0) { $0 + $1.size } }
    }
    /// New segments, ordered by namespace then window.
    public var segments: [SegmentPlan]
    /// Hot copies whose cold copy is already fingerprinted (an earlier run stopped before releasing
    /// them): verify the cold copy, then release.
    public var release: [BlobID]
    /// Blobs that stay hot.
    public var stay: [BlobID]

    public static func make(hot: [BlobMeta], archived: Set<BlobID>, policy: TieringPolicy, now: Int64) -> MigrationPlan {
        let (stay, due) = policy.decide(hot, now: now)
        var release = [BlobID]()
        var groups = [GroupKey: [BlobMeta]]()
        for b in due {
            if archived.contains(b.id) { release.append(b.id); continue }
            groups[GroupKey(namespace: b.namespace, window: policy.windowStart(b.time)), default: []].append(b)
        }
        var segments = [SegmentPlan]()
        for key in groups.keys.sorted() {
            let blobs = groups[key]!.sorted { ($0.height, $0.sequence, $0.id) < ($1.height, $1.sequence, $1.id) }
            var chunk = [BlobMeta](), bytes = 0
            for b in blobs {
                if !chunk.isEmpty && bytes + Int(b.size) > policy.segmentTargetBytes {
                    segments.append(SegmentPlan(namespace: key.namespace, windowStart: key.window, windowEnd: key.window.addingReportingOverflow(policy.segmentWindow).overflow ? Int64.max : key.window + policy.segmentWindow, blobs: chunk))
                    chunk = []; bytes = 0
                }
                chunk.append(b); bytes += Int(b.size)
            }
            if !chunk.isEmpty {
                segments.append(SegmentPlan(namespace: key.namespace, windowStart: key.window,
                                            windowEnd: key.window.addingReportingOverflow(policy.segmentWindow).overflow ? Int64.max : key.window + policy.segmentWindow, blobs: chunk))
            }
        }
        return MigrationPlan(segments: segments, release: release.sorted(), stay: stay.map(\.id).sorted())
    }

    struct GroupKey: Hashable, Comparable {
        var namespace: Namespace
        var window: Int64
        static func < (a: GroupKey, b: GroupKey) -> Bool { (a.namespace, a.window) < (b.namespace, b.window) }
    }
}

extension TieringPolicy {
    /// Parses durations such as `0s`, `90s`, `30m`, `12h`, `7d`, `2w`, or `1d12h`; nil if malformed.
    public static func parseDuration(_ text: String) -> Int64? {
        var total: Int64 = 0, number: Int64? = nil, sawUnit = false
        for c in text {
            if let d = c.wholeNumberValue, c.isASCII {
                let (m, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { return nil }
                number = s
                continue
            }
            let unit: Int64
            switch c {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 604_800
            default: return nil
            }
            guard let n = number else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: unit)
            if o { return nil }
            let (sum, o2) = total.addingReportingOverflow(p) // "…807s1s" overflowed here (review finding)
            if o2 { return nil }
            total = sum
            number = nil
            sawUnit = true
        }
        return number == nil && sawUnit ? total : nil
    }
}
