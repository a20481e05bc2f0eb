import CCaldera
import Foundation

/// Keccak-256 as Ethereum uses it (the original 0x01 padding, not SHA3-256), in the C core: the hash
/// behind Ethereum addresses and the digests guardians sign (docs/proof-format.md).
public enum Keccak256 {
    public static func hash<Bytes: ContiguousBytes>(_ data: Bytes) -> Digest {
        data.withUnsafeBytes { buf in Digest.written { cal_keccak256(buf.baseAddress, buf.count, $0) } }
    }
}
