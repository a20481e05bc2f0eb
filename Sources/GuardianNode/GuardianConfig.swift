import Consensus
import DurableIO
import Economics
import Foundation
import Merkle
import Metalayer
import Wire

/// One guardian's configuration file, as `caldera guardian testnet` writes it (docs/consensus.md, "Running
/// guardians"). Read strictly: unknown or duplicate keys, numbers where strings are expected, are errors.
public struct GuardianConfig: Codable, Equatable, Sendable {
    public struct Member: Codable, Equatable, Sendable {
        /// The guardian's Ethereum address ("0x" and 40 hex digits): its identity, what its secp256k1 key signs as.
        public var signer: String
        /// Base units of ERA, as a decimal string (at least the guardian minimum).
        public var stake: String
        /// Where peers connect to it: "127.0.0.1:PORT".
        public var address: String
        /// Where it listens, when not at `address` (a relay in between): "127.0.0.1:PORT".
        public var listen: String?
        public init(signer: String, stake: String, address: String, listen: String? = nil) {
            self.signer = signer; self.stake = stake; self.address = address; self.listen = listen
        }
    }
    public struct Sequencer: Codable, Equatable, Sendable {
        public var rollupId: UInt64
        /// The Ethereum address ("0x" and 40 hex digits) of the key that signs the rollup's reports.
        public var signer: String
        /// Only in testnet files: the sequencer's private key, so that each guardian runs the same demo sequencer.
        public var demoPrivateKey: String?
        public init(rollupId: UInt64, signer: String, demoPrivateKey: String? = nil) {
            self.rollupId = rollupId; self.signer = signer; self.demoPrivateKey = demoPrivateKey
        }
    }

    public static let currentVersion = 2
    public var version: Int
    public var guardianSetId: UInt64
    /// This guardian's secp256k1 private key (64 hex digits); its address must be one of `guardians`.
    public var privateKey: String
    /// The whole set, in certificate (bitmap) order.
    public var guardians: [Member]
    public var slotMillis: UInt64
    /// Start of height 1's slot, milliseconds since the Unix epoch.
    public var genesisMillis: UInt64
    public var sequencers: [Sequencer]

    public init(version: Int = GuardianConfig.currentVersion, guardianSetId: UInt64, privateKey: String, guardians: [Member],
                slotMillis: UInt64, genesisMillis: UInt64, sequencers: [Sequencer]) {
        self.version = version; self.guardianSetId = guardianSetId; self.privateKey = privateKey; self.guardians = guardians
        self.slotMillis = slotMillis; self.genesisMillis = genesisMillis; self.sequencers = sequencers
    }

    public static let maxBytes = 4 << 20

    public static func decode(_ bytes: [UInt8]) throws(GuardianConfigError) -> GuardianConfig {
        do { return try StrictJSONDecoder(maxBytes: maxBytes).decode(GuardianConfig.self, from: bytes) } catch {
            throw .malformed("\(error)")
        }
    }

    public func encoded() -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try! e.encode(self)) + [0x0a]   // strings and integers only: cannot fail
    }
}

public enum GuardianConfigError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case invalid(String)
    public var description: String {
        switch self {
        case let .malformed(m), let .invalid(m): "guardian config: \(m)"
        }
    }
}

/// An IPv4 loopback-or-any address with a port, as configs write it.
public struct PeerAddress: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }
    public var description: String { "\(host):\(port)" }

    public init(parsing s: String) throws(GuardianConfigError) {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = Int(parts[1]), port > 0, port < 65536 else {
            throw .invalid("address \"\(s)\" is not HOST:PORT (an IPv4 address and a port 1-65535)")
        }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ o in o.count <= 3 && UInt8(o) != nil }) else {
            throw .invalid("address \"\(s)\": \"\(parts[0])\" is not an IPv4 address")
        }
        host = String(parts[0]); self.port = port
    }
}

/// A configuration checked and turned into what the process runs: the committee, keys, peers, schedule.
public struct GuardianSetup: Sendable {
    public let config: GuardianConfig
    public let key: MetalayerKey
    public let position: Int
    public let committee: Committee
    /// The Metalayer's view of the same set: what a certificate is verified against.
    public let guardianSet: GuardianSet
    public let consensus: ConsensusConfig
    public let verifier: MetalayerVerifier
    public let listen: PeerAddress
    /// Every other guardian: identity and where to connect.
    public let peers: [(identity: [UInt8], address: PeerAddress)]
    /// Demo sequencers this process runs (testnet files carry their private keys), by rollup id.
    public let demoSequencers: [(rollupId: UInt64, key: MetalayerKey)]

    public init(_ c: GuardianConfig) throws(GuardianConfigError) {
        config = c
        guard c.version == GuardianConfig.currentVersion else { throw .invalid("version \(c.version) is not \(GuardianConfig.currentVersion)") }
        guard c.slotMillis >= ConsensusConfig.minimumSlotMillis, c.slotMillis <= 3_600_000 else {
            throw .invalid("slotMillis \(c.slotMillis) is outside \(ConsensusConfig.minimumSlotMillis)…3600000")
        }
        guard !c.guardians.isEmpty, UInt64(c.guardians.count) <= Codec.maxGuardians else {
            throw .invalid("guardians: 1 to \(Codec.maxGuardians), not \(c.guardians.count)")
        }
        guard let seed = Hex.decode(c.privateKey), let key = MetalayerKey(privateKey: seed) else {
            throw .invalid("privateKey is not 64 hex digits of a secp256k1 private key")
        }
        self.key = key
        var members = [Guardian](), addresses = [PeerAddress](), listens = [PeerAddress]()
        for (i, m) in c.guardians.enumerated() {
            guard let addr = EthereumAddress(hex: m.signer) else { throw .invalid("guardians[\(i)].signer is not an Ethereum address (0x and 40 hex digits)") }
            guard m.stake.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), !m.stake.isEmpty, m.stake.count <= 39,
                  m.stake == "0" || !m.stake.hasPrefix("0"), let stake = UInt128(m.stake) else {
                throw .invalid("guardians[\(i)].stake \"\(m.stake)\" is not a whole number of base units")
            }
            do { members.append(try Guardian(address: addr, stake: stake)) } catch { throw .invalid("guardians[\(i)]: \(error)") }
            let a = try PeerAddress(parsing: m.address)
            addresses.append(a)
            listens.append(try m.listen.map { s throws(GuardianConfigError) in try PeerAddress(parsing: s) } ?? a)
        }
        do { guardianSet = try GuardianSet(id: c.guardianSetId, guardians: members) } catch { throw .invalid("\(error)") }
        do {
            committee = try Committee(setId: c.guardianSetId, members: members.map(\.address.bytes), stakes: members.map(\.stake))
        } catch { throw .invalid("\(error)") }
        guard let me = committee.position(of: key.identity) else {
            throw .invalid("the private key's address \(key.address) is not among guardians")
        }
        position = me
        listen = listens[me]
        peers = (0..<members.count).filter { $0 != me }.map { (members[$0].address.bytes, addresses[$0]) }
        guard Set(listens).count == listens.count else { throw .invalid("two guardians listen on one address") }

        guard !c.sequencers.isEmpty, UInt64(c.sequencers.count) <= Codec.maxRollups else {
            throw .invalid("sequencers: 1 to \(Codec.maxRollups), not \(c.sequencers.count)")
        }
        var seqKeys = [UInt64: [UInt8]](), demo = [(UInt64, MetalayerKey)]()
        for (i, s) in c.sequencers.enumerated() {
            guard seqKeys[s.rollupId] == nil else { throw .invalid("sequencers[\(i)]: rollup \(s.rollupId) appears twice") }
            guard let pk = EthereumAddress(hex: s.signer)?.bytes else { throw .invalid("sequencers[\(i)].signer is not an Ethereum address (0x and 40 hex digits)") }
            seqKeys[s.rollupId] = pk
            if let d = s.demoPrivateKey {
                guard let sk = Hex.decode(d).flatMap(MetalayerKey.init(privateKey:)), sk.identity == pk else {
                    throw .invalid("sequencers[\(i)].demoPrivateKey is not the private key of its signer")
                }
                demo.append((s.rollupId, sk))
            }
        }
        demoSequencers = demo
        verifier = MetalayerVerifier(guardians: committee.members, sequencers: seqKeys)
        consensus = ConsensusConfig(schedule: CommitteeSchedule(committee), genesisMillis: c.genesisMillis, slotMillis: c.slotMillis)
    }

    /// Reads and checks a configuration file (at most `GuardianConfig.maxBytes`).
    public static func load(path: String) throws(GuardianConfigError) -> GuardianSetup {
        let bytes: [UInt8]
        do { bytes = try InputFile.read(path, limit: GuardianConfig.maxBytes) } catch { throw .malformed("\(path): \(error)") }
        return try GuardianSetup(GuardianConfig.decode(bytes))
    }
}
