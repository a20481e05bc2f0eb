import Foundation
import Testing
@testable import ChainCodec
import CCaldera

@Suite("Transaction hashes (transform 5)") struct TxHashTests {
    /// EIP-155's worked example: the signed transaction's bytes as the EIP publishes them.
    static let eip155Signed = "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a7640000"
        + "8025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"

    static func eip155JSON(hash: String) -> String {
        """
        {"blockHash":null,"from":"0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f","gas":"0x5208","gasPrice":"0x4a817c800",\
        "hash":"0x\(hash)","input":"0x","nonce":"0x9","to":"0x3535353535353535353535353535353535353535",\
        "value":"0xde0b6b3a7640000","type":"0x0","chainId":"0x1","v":"0x25",\
        "r":"0x28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276",\
        "s":"0x67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"}
        """
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.utf8.makeIterator()
        while let a = it.next(), let b = it.next() {
            out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16)!)
        }
        return out
    }

    @Test("EIP-155's published example: the rebuilt legacy encoding hashes like the published bytes")
    func eip155() throws {
        let expected = ChainCodec.keccak256(Self.bytes(Self.eip155Signed))
        let json = Array(Self.eip155JSON(hash: String(repeating: "0", count: 64)).utf8)
        #expect(ChainCodec.transactionHash(json: json, objectAt: 0) == expected)
        // with the right hash in place the codec recomputes it, and the archive round-trips
        let text = Array(Self.eip155JSON(hash: hex(expected)).utf8)
        #expect(ChainCodec.recomputableHashes(text) == 1)
        let p = ChainCodec.columnsEncode(.hexColumns2, text, level: 3).payload!
        #expect(try ChainCodec.decodePayload(.hexColumns2, p, originalLength: text.count) == text)
        // a wrong hash is not a recompute candidate (it stays a stored value)
        var wrong = expected
        wrong[0] ^= 1
        #expect(ChainCodec.recomputableHashes(Array(Self.eip155JSON(hash: hex(wrong)).utf8)) == 0)
    }

    @Test("typed transactions hash as type byte ‖ RLP of their fields (EIP-2930 built independently here)")
    func eip2930() throws {
        // rlp([chainId 1, nonce 0, gasPrice 1, gas 0x5208, to, value 0, data 0x, accessList [[addr, [key]]], yParity 1, r, s])
        let to = [UInt8](repeating: 0x11, count: 20), addr = [UInt8](repeating: 0x22, count: 20), key = [UInt8](repeating: 0x33, count: 32)
        let r = [UInt8](repeating: 0x44, count: 32), s = [UInt8](repeating: 0x55, count: 32)
        func str(_ b: [UInt8]) -> [UInt8] { b.count == 1 && b[0] < 0x80 ? b : [UInt8(0x80 + b.count)] + b }
        func list(_ items: [[UInt8]]) -> [UInt8] {
            let p = items.flatMap { $0 }
            return p.count < 56 ? [UInt8(0xC0 + p.count)] + p : [0xF8, UInt8(p.count)] + p
        }
        let access = list([list([str(addr), list([str(key)])])])
        let body = list([str([1]), str([]), str([1]), str([0x52, 0x08]), str(to), str([]), str([]), access, str([1]), str(r), str(s)])
        let expected = ChainCodec.keccak256([0x01] + body)
        let json = """
        {"type":"0x1","chainId":"0x1","nonce":"0x0","gasPrice":"0x1","gas":"0x5208","to":"0x\(hex(to))","value":"0x0","input":"0x",
         "accessList":[{"address":"0x\(hex(addr))","storageKeys":["0x\(hex(key))"]}],"v":"0x1","yParity":"0x1",
         "r":"0x\(hex(r))","s":"0x\(hex(s))","hash":"0x\(hex(expected))"}
        """
        #expect(ChainCodec.transactionHash(json: Array(json.utf8), objectAt: 0) == expected)
        #expect(ChainCodec.recomputableHashes(Array(json.utf8)) == 1)
        // v and yParity disagreeing, a duplicate key or an unknown access-list key: not recomputable
        for bad in [json.replacingOccurrences(of: "\"yParity\":\"0x1\"", with: "\"yParity\":\"0x0\""),
                    json.replacingOccurrences(of: "\"gas\":\"0x5208\"", with: "\"gas\":\"0x5208\",\"gas\":\"0x5208\""),
                    json.replacingOccurrences(of: "\"storageKeys\"", with: "\"x\":1,\"storageKeys\"")] {
            #expect(ChainCodec.transactionHash(json: Array(bad.utf8), objectAt: 0) == nil, "\(bad)")
        }
    }

    @Test("every transaction hash in the corpus' JSON-RPC blocks is recomputed from its fields",
          .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func corpusHashes() throws {
        var total = 0
        for f in ["ethereumjs/block24476000.json", "ethereumjs/block24476001.json", "ethereumjs/block24476003.json",
                  "ethereumjs/block24476004.json", "ethereumjs/block24476005.json", "ethereumjs/block24476009.json",
                  "optimism/blocks_pre-shanghai-success_data.json", "optimism/blocks_post-shanghai-success_data.json"] {
            let b = Shared.read(f)
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(b)) as? [String: Any], "\(f)")
            let txs = try #require(obj["transactions"] as? [[String: Any]], "\(f)")
            #expect(txs.count > 0)
            // node-reported hashes of legacy, 1559, 4844 and 7702 transactions: every one must match
            #expect(ChainCodec.recomputableHashes(b) == txs.count, "\(f)")
            total += txs.count
        }
        #expect(total >= 1600)
    }

    @Test("a changed field turns exactly that hash into a stored value; the archive still round-trips",
          .enabled(if: Shared.hasCorpus, "needs ../shared/corpus (or $CALDERA_SHARED)"))
    func changedField() throws {
        var b = Shared.read("ethereumjs/block24476005.json")
        let n = ChainCodec.recomputableHashes(b)
        let needle = Array("\"nonce\": \"0x".utf8)
        let at = try #require(b.indices.dropLast(needle.count).last { Array(b[$0 ..< $0 + needle.count]) == needle })
        b[at + needle.count] = b[at + needle.count] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        #expect(ChainCodec.recomputableHashes(b) == n - 1)
        let a = ChainCodec.encode(b, level: 3)
        #expect(try ChainCodec.header(a).transform == .hexColumns2)
        #expect(try ChainCodec.decode(a) == b)
    }

    /// A transform-5 payload with every column stored raw (mode 0).
    static func rawPayload(items: Int, columns: [Int: [UInt8]]) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.varint(UInt64(items))
        for c in 0..<Int(CAL_HEXCOL2_COLUMNS) { w.u8(0); w.varint(UInt64(columns[c]?.count ?? 0)) }
        for c in 0..<Int(CAL_HEXCOL2_COLUMNS) { w.raw(columns[c] ?? []) }
        return w.bytes
    }

    @Test("hand-made payloads: a marker must point back to a '{', objects must be disjoint and in order")
    func handMade() throws {
        let real = ChainCodec.keccak256(Self.bytes(Self.eip155Signed))
        let tx = Self.eip155JSON(hash: hex(real))
        let marker = "\"hash\":\""
        let cut = tx.range(of: marker)!.upperBound
        let before = Array(tx[..<cut].utf8), after = Array(tx[cut...].utf8.dropFirst(66))
        let rc = Int(CAL_HEXCOL_COLUMNS)
        // one object, one marker: decodes to the original text
        let one = Self.rawPayload(items: 1, columns: [0: before + [7] + after, rc: [UInt8(before.count)]])
        let text = Array(tx.utf8)
        #expect(try ChainCodec.decodePayload(.hexColumns2, one, originalLength: text.count) == text)
        // the same marker one byte off the '{', or past the start of the output: rejected
        for d in [0, before.count - 1, before.count + 1, 1 << 20] {
            var dw = ByteWriter(endianness: .big); dw.varint(UInt64(d))
            let p = Self.rawPayload(items: 1, columns: [0: before + [7] + after, rc: dw.bytes])
            #expect(throws: ChainCodecError.self) { try ChainCodec.decodePayload(.hexColumns2, p, originalLength: text.count) }
        }
        // two markers in the second copy, both pointing at the first object: rejected (work stays linear)
        let two = before + [7] + after + before + [7] + after
        let d2 = before.count + 66 + after.count + before.count
        var col: [UInt8] = [UInt8(before.count)]
        var w = ByteWriter(endianness: .big); w.varint(UInt64(d2)); col += w.bytes
        let p2 = Self.rawPayload(items: 2, columns: [0: two, rc: col])
        #expect(throws: ChainCodecError.self) { try ChainCodec.decodePayload(.hexColumns2, p2, originalLength: 2 * text.count) }
    }

    @Test("random and mutated transform-5 payloads never trap; literal bytes 1…7 round-trip")
    func mutated() throws {
        let real = ChainCodec.keccak256(Self.bytes(Self.eip155Signed))
        let text = Array((String(repeating: Self.eip155JSON(hash: hex(real)) + ",\u{07}\u{06}\u{01}\n", count: 12)).utf8)
        #expect(ChainCodec.recomputableHashes(text) == 12)
        let payload = ChainCodec.columnsEncode(.hexColumns2, text, level: 3).payload!
        #expect(try ChainCodec.decodePayload(.hexColumns2, payload, originalLength: text.count) == text)
        var rng = SeededRNG(seed: 51)
        for _ in 0..<2000 {
            var m = payload
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<m.count, using: &rng)
                m[i] = UInt8.random(in: 0...255, using: &rng)
            }
            if let out = try? ChainCodec.decodePayload(.hexColumns2, m, originalLength: text.count) { #expect(out.count == text.count) }
        }
    }
}

@Suite("Decoder memory budget") struct DecodeBudgetTests {
    /// A column table declaring `raw` bytes in column 0 and nothing else (all columns stored raw).
    static func table(columns: Int, raw: Int) -> [UInt8] {
        var w = ByteWriter(endianness: .big)
        w.varint(0)
        for c in 0..<columns { w.u8(0); w.varint(UInt64(c == 0 ? raw : 0)) }
        return w.bytes
    }

    @Test("column tables may declare at most 3n (RLP), 2n (hex) or 4n (era1) + 4096 raw bytes for an original of n")
    func budgets() throws {
        let n = 1000
        for (t, cols, mult) in [(Transform.rlpColumns, Int(CAL_RLPCOL_COLUMNS), 3), (.hexColumns, Int(CAL_HEXCOL_COLUMNS), 2),
                                (.hexColumns2, Int(CAL_HEXCOL2_COLUMNS), 2), (.era1Columns, Int(CAL_ERA1_COLUMNS), 4)] {
            let limit = n * mult + 4096
            // one byte over the budget: refused from the table alone, before anything is allocated
            do {
                _ = try ChainCodec.decodePayload(t, Self.table(columns: cols, raw: limit + 1), originalLength: n)
                Issue.record("\(t): over-budget table accepted")
            } catch let e {
                #expect(e == .payload(transform: t.description, reason: "a declared size exceeds what the original length allows"), "\(t)")
            }
            // at the budget the table itself is accepted (the payload then ends early)
            do {
                _ = try ChainCodec.decodePayload(t, Self.table(columns: cols, raw: limit), originalLength: n)
                Issue.record("\(t): truncated payload accepted")
            } catch let e {
                #expect(e != .payload(transform: t.description, reason: "a declared size exceeds what the original length allows"), "\(t)")
            }
        }
    }
}

@Suite("Hostile inputs found in review") struct CodecReviewRegressionTests {
    @Test("text where a bare value swallows a quote is scanned in linear time (was quadratic)", .timeLimit(.minutes(1)))
    func quoteSwallowingJSON() {
        let unit = Array(#"{"a":1","b":["}"#.utf8)
        var text = [UInt8]()
        text.reserveCapacity(4 << 20)
        while text.count < 4 << 20 { text += unit }
        // ~4 MiB took hours before each candidate object was bounded by its own closing bracket
        #expect(ChainCodec.recomputableHashes(text) == 0)
    }

    @Test("a column table whose sizes would wrap around 2^64 is refused by the size query too")
    func columnSizesWrap() {
        var w = ByteWriter(endianness: .big)
        w.varint(0)
        for c in 0..<Int(CAL_HEXCOL2_COLUMNS) { w.u8(0); w.varint(c == 0 ? 1 : c == 1 ? UInt64.max : 0) }
        let archive = Container.write(transform: .hexColumns2, original: [], digest: [UInt8](repeating: 0, count: 32), payload: w.bytes)
        #expect(throws: ChainCodecError.self) { try ChainCodec.columns(archive) }
        #expect(throws: ChainCodecError.self) { try ChainCodec.decode(archive) }
    }
}
