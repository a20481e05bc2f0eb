// libFuzzer target for the segment decoder: any bytes in, a typed error or a consistent index out;
// never a crash. Build and run (docs/fuzzing.md):
//   cd Fuzz && swift build -c release --sanitize=fuzzer --product FuzzSegment
//   SWIFT_BACKTRACE=enable=no .build/release/FuzzSegment -max_total_time=600 corpus/segment
import DataLayer

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSegment(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let index = try? Segment.decodeIndex(file: bytes) else { return 0 }
    // A decoded index must be internally consistent, and reading any entry must not trap.
    for e in index.entries.prefix(8) {
        precondition(Int(e.frame) < index.frames.count)
        _ = try? Segment.read(e.id, file: bytes, dictionary: nil)
    }
    return 0
}
