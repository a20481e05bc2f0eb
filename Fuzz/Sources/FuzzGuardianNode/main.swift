// A guardian's untrusted-or-damaged inputs: any bytes must decode or throw, as a stored record
// (RecordCodec), a configuration file (GuardianConfig, then GuardianSetup's checks), a handshake frame, or a
// client frame (a sequencer's report, a subscription, a committed snapshot, double-vote evidence).
import Consensus
import GuardianNode

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // What decodes re-encodes to the same bytes: one encoding per record.
    if let r = try? RecordCodec.decode(bytes) { precondition(RecordCodec.encode(r) == bytes, "record encoding is not canonical") }
    _ = Frames.identity(inHandshake: bytes)
    if let f = try? ClientFrame.decode(bytes) { precondition(f.encoded == bytes, "client frame encoding is not canonical") }
    if let c = try? GuardianConfig.decode(bytes) { _ = try? GuardianSetup(c) }
    return 0
}
