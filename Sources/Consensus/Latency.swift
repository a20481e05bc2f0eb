/// One-way message delays between guardians, in microseconds.
public struct LatencyModel: Equatable, Sendable {
    /// Round-trip times in milliseconds, row = from, column = to (the diagonal is within a region).
    public let rttMillis: [[Double]]
    public let regions: [String]
    /// Added uniformly at random to every delay (models queueing and reordering), microseconds.
    public var jitterMicros: UInt64

    public init(rttMillis: [[Double]], regions: [String], jitterMicros: UInt64) {
        self.rttMillis = rttMillis; self.regions = regions; self.jitterMicros = jitterMicros
    }

    /// One data centre: 0.2 ms round trips.
    public static let lan = LatencyModel(rttMillis: [[0.2]], regions: ["lan"], jitterMicros: 100)

    /// The same one-way delay between every pair: for counting message delays.
    public static func uniform(oneWayMillis: Double) -> LatencyModel {
        LatencyModel(rttMillis: [[2 * oneWayMillis]], regions: ["uniform"], jitterMicros: 0)
    }

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(line: Int, reason: String)
        public var description: String {
            switch self { case let .malformed(l, r): "latency matrix, line \(l): \(r)" }
        }
    }

    /// Parses a square matrix as `../shared/traces/wan-latency/*.csv` holds it: a header `From,<region>,…`,
    /// then one row per region, `<region>,<rtt ms>,…`, in the header's order.
    public init(csv: String, jitterMicros: UInt64 = 2000) throws(ParseError) {
        let lines = csv.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        guard let header = lines.first else { throw .malformed(line: 1, reason: "empty") }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).dropFirst().map { String($0).trimmingCharacters() }
        guard !names.isEmpty, names.count <= 256, lines.count == names.count + 1 else {
            throw .malformed(line: 1, reason: "expected a header and one row per region (\(names.count) regions, \(lines.count - 1) rows)")
        }
        var m = [[Double]]()
        for (i, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters() }
            guard cells.count == names.count + 1, cells[0] == names[i] else {
                throw .malformed(line: i + 2, reason: "expected \(names.count + 1) cells starting with \(names[i])")
            }
            var row = [Double]()
            for c in cells.dropFirst() {
                guard let v = Double(c), v.isFinite, v >= 0, v < 10_000 else { throw .malformed(line: i + 2, reason: "\"\(c)\" is not a round-trip time in ms") }
                row.append(v)
            }
            m.append(row)
        }
        self.init(rttMillis: m, regions: names, jitterMicros: jitterMicros)
    }

    /// Region of the i-th guardian: round-robin over the regions, as a spread-out deployment would place them.
    public func region(of i: Int) -> Int { i % regions.count }

    func oneWayMicros(from a: Int, to b: Int) -> UInt64 {
        UInt64((rttMillis[region(of: a)][region(of: b)] * 1000 / 2).rounded())
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
