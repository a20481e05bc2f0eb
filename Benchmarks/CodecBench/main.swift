// Prints the ratio table of docs/archive-codec.md: the chain codec vs zstd -19 --long=27, xz -9 and
// brotli 11 on every corpus file, same run. Build in release:
//   swift run -c release codec-bench [--shared DIR] [--only SUBSTRING] [--level N]
//   swift run -c release codec-bench --columns FILE     (stored bytes per column of FILE's archive)
import ChainCodec
import Foundation
import Measure

var shared: URL?
var only: String?
var level: Int32 = ChainCodec.defaultLevel
var args = CommandLine.arguments.dropFirst()
// `codec-bench --encode IN OUT [--max-bytes N]`: writes the archive of IN's first N bytes (fuzzing seeds).
if args.first == "--encode", args.count >= 3 {
    let a = Array(args)
    var input = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: a[1]))) ?? Data())
    if a.count >= 5, a[3] == "--max-bytes", let n = Int(a[4]) { input = Array(input.prefix(n)) }
    try! Data(ChainCodec.encode(input)).write(to: URL(fileURLWithPath: a[2]))
    exit(0)
}
// `codec-bench --columns FILE`: the archive's transform and stored bytes per non-empty column, largest first.
if args.first == "--columns", args.count >= 2 {
    let input = [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: Array(args)[1]))) ?? Data())
    let archive = ChainCodec.encode(input)
    let h = try! ChainCodec.header(archive)
    print("\(Array(args)[1]): \(input.count) B → \(archive.count) B, transform \(h.transform), \(ChainCodec.recomputableHashes(input)) recomputable transaction hashes")
    for c in try! ChainCodec.columns(archive).filter({ $0.bytes > 0 }).sorted(by: { $0.bytes > $1.bytes }) {
        print(String(format: "%8d B  %5.1f %%  ", c.bytes, 100 * Double(c.bytes) / Double(archive.count)) + c.name)
    }
    exit(0)
}
while let a = args.popFirst() {
    switch a {
    case "--shared": shared = args.popFirst().map { URL(fileURLWithPath: $0) }
    case "--only": only = args.popFirst()
    case "--level": level = args.popFirst().flatMap { Int32($0) } ?? level
    default:
        FileHandle.standardError.write("usage: codec-bench [--shared DIR] [--only SUBSTRING] [--level N]\n".data(using: .utf8)!)
        exit(2)
    }
}

let rows = (shared ?? SharedDirectory.resolve()).map { CodecMeasure.measure(shared: $0, only: only, level: level) } ?? []
if rows.isEmpty {
    FileHandle.standardError.write("error: no corpus files found (set --shared or $CALDERA_SHARED)\n".data(using: .utf8)!)
    exit(2)
}
func f(_ x: Double, _ d: Int = 2) -> String { String(format: "%.\(d)f", x) }
func r(_ raw: Int, _ n: Int?) -> String { n.map { f(Double(raw) / Double(max($0, 1))) + "×" } ?? "–" }

print("| file | kind | transform | raw B | codec B | codec | zstd -19 --long=27 | xz -9 | brotli 11 | codec / zstd | floor share | enc MB/s | dec MB/s |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for m in rows {
    let floor = m.floorBytes.map { f(100 * Double($0) / Double(m.codecBytes), 0) + " %" } ?? "–"
    print("| \(m.file) | \(m.kind) | \(m.transform) | \(m.rawBytes) | \(m.codecBytes) | \(r(m.rawBytes, m.codecBytes)) | \(r(m.rawBytes, m.zstd19Bytes)) | \(r(m.rawBytes, m.xzBytes)) | \(r(m.rawBytes, m.brotliBytes)) | \(f(m.gainOverZstd19)) | \(floor) | \(f(m.encodeMBps, 1)) | \(f(m.decodeMBps, 0)) |")
}
print("")
print("| kind | files | raw B | codec B | codec ratio | zstd -19 ratio | codec / zstd -19 |")
print("|---|---:|---:|---:|---:|---:|---:|")
for s in CodecMeasure.summary(rows) {
    print("| \(s.kind) | \(s.files) | \(s.rawBytes) | \(s.codecBytes) | \(f(s.ratio))× | \(f(Double(s.rawBytes) / Double(max(s.zstd19Bytes, 1))))× | \(f(s.gainOverZstd19)) |")
}
print("")
print("The claims row data.codec-ratio over these measurements: caldera claims --only codec")
