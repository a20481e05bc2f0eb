import Consensus
import Wire

/// The TCP framing between guardians (docs/consensus.md, "Running guardians"): every frame is a u32
/// big-endian length (1 … `Codec.maxMessageBytes`) and that many bytes. A connection's first frame is the
/// handshake, naming the sender; every later frame is one encoded `ConsensusMessage`. The handshake only
/// routes and labels: what a peer says counts because of the signatures inside the messages.
public enum Frames {
    public static let maxPayload = Codec.maxMessageBytes
    static let handshakeTag = Array("caldera-guardian/1\0".utf8)

    /// The bytes of one frame around `payload`.
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.u32(UInt32(payload.count)); w.raw(payload)
        return w.bytes
    }

    /// The handshake's payload: tag ‖ u8 identity length ‖ identity (identities are public keys or addresses,
    /// well under 256 bytes; a longer one is cut, and then names nobody).
    public static func handshake(identity: [UInt8]) -> [UInt8] {
        let id = identity.prefix(255)
        return handshakeTag + [UInt8(id.count)] + id
    }

    /// The identity a handshake names, or nil when the payload is not a handshake.
    public static func identity(inHandshake payload: [UInt8]) -> [UInt8]? {
        let t = handshakeTag.count
        guard payload.count > t, Array(payload[..<t]) == handshakeTag, Int(payload[t]) == payload.count - t - 1, payload[t] > 0 else { return nil }
        return Array(payload[(t + 1)...])
    }

    /// A length prefix a peer may send (anything else closes the connection).
    public static func lengthAllowed(_ n: UInt32) -> Bool { n > 0 && Int(n) <= maxPayload }
}
