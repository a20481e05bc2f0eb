// SyntheticExports: chain data in the formats people export, written from each format's published
// schema (not from the shared corpus), for measuring the cold archive on data its parameters were not
// chosen on. One seeded chain model feeds every format, so the files repeat each other's hashes and
// addresses as real exports of the same blocks do.
//
// Schemas: ethereum-etl's `export_blocks_and_transactions`, `export_receipts_and_logs`,
// `export_token_transfers` and `export_traces` column lists (CSV, and JSON lines with the same keys);
// the Ethereum JSON-RPC spec's `eth_getBlockByNumber` (full transactions) and `eth_getBlockReceipts`
// results; the yellow paper's header and legacy / EIP-1559 transaction RLP; era1 (e2store entries
// 0x3265 version, 0x03–0x07, 0x3266 block index; snappy-framed RLP) as go-ethereum writes it.
import ChainCodec
import Foundation
import Merkle

public enum SyntheticExports {
    public struct File: Sendable {
        public var name: String
        public var bytes: [UInt8]
        public init(name: String, bytes: [UInt8]) { self.name = name; self.bytes = bytes }
    }

    /// Every format, for `blocks` blocks of a seeded chain (about 40 transactions per block).
    public static func files(seed: UInt64, blocks: Int = 60) -> [File] {
        var model = ChainModel(seed: seed)
        let chain = (0..<blocks).map { _ in model.nextBlock() }
        var files = EthereumETL.files(chain)
        files.append(File(name: "rpc/eth_getBlockByNumber.json", bytes: Array(chain.map { JSONRPC.block($0) }.joined(separator: "\n").utf8)))
        files.append(File(name: "rpc/eth_getBlockReceipts.json", bytes: Array(chain.map { JSONRPC.receipts($0) }.joined(separator: "\n").utf8)))
        files.append(File(name: "rlp/headers.rlp", bytes: chain.flatMap(\.headerRLP)))
        files.append(File(name: "rlp/bodies.rlp", bytes: chain.flatMap(\.bodyRLP)))
        var preMerge = ChainModel(seed: seed ^ 0x5eed, preMerge: true)
        files.append(File(name: "era1/synthetic.era1", bytes: Era1.file((0..<blocks * 4).map { _ in preMerge.nextBlock() })))
        return files
    }

    // MARK: the chain model

    struct Transaction {
        var type: Int, nonce: UInt64, gas: UInt64, gasPrice: UInt64, maxPriority: UInt64, value: UInt64
        var from: [UInt8], to: [UInt8]?, input: [UInt8], y: UInt64, r: [UInt8], s: [UInt8], hash: [UInt8]
        var gasUsed: UInt64, status: UInt64, logs: [Log]
    }
    struct Log { var address: [UInt8], topics: [[UInt8]], data: [UInt8] }
    struct Block {
        var number: UInt64, timestamp: UInt64, miner: [UInt8], gasLimit: UInt64, baseFee: UInt64?, difficulty: UInt64
        var parentHash: [UInt8], hash: [UInt8], stateRoot: [UInt8], txRoot: [UInt8], receiptsRoot: [UInt8], mixHash: [UInt8], nonce: [UInt8]
        var bloom: [UInt8], extraData: [UInt8], transactions: [Transaction], headerRLP: [UInt8], bodyRLP: [UInt8]
        var gasUsed: UInt64 { transactions.reduce(0) { $0 + $1.gasUsed } }
    }

    static let transferTopic = ChainCodec.keccak256(Array("Transfer(address,address,uint256)".utf8))

    struct ChainModel {
        var rng: SplitMix64
        let preMerge: Bool
        var number: UInt64
        var timestamp: UInt64
        var parent = [UInt8](repeating: 0, count: 32)
        var difficulty: UInt64 = 17_179_869_184
        let accounts: [[UInt8]], tokens: [[UInt8]], miners: [[UInt8]]
        var nonces: [UInt64]

        init(seed: UInt64, preMerge: Bool = false) {
            rng = SplitMix64(seed: seed)
            self.preMerge = preMerge
            number = preMerge ? 1_000_000 : 19_000_000
            timestamp = preMerge ? 1_455_000_000 : 1_705_000_000
            var r = SplitMix64(seed: seed &+ 1)
            accounts = (0..<600).map { _ in Self.bytes(&r, 20) }
            tokens = (0..<25).map { _ in Self.bytes(&r, 20) }
            miners = (0..<6).map { _ in Self.bytes(&r, 20) }
            nonces = (0..<600).map { _ in r.next() % 5000 }
        }

        static func bytes(_ r: inout SplitMix64, _ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: r.next()) } }
        mutating func bytes(_ n: Int) -> [UInt8] { Self.bytes(&rng, n) }
        /// Skewed choice: a few accounts send and receive most transactions, as on mainnet.
        mutating func pick(_ n: Int) -> Int { let u = Double(rng.next() % 1_000_000) / 1_000_000; return min(n - 1, Int(Double(n) * u * u * u)) }
        func word(_ x: [UInt8]) -> [UInt8] { [UInt8](repeating: 0, count: 32 - x.count) + x }
        func be(_ v: UInt64) -> [UInt8] { RLP.minimal(v) }

        mutating func nextTransaction(baseFee: UInt64, chainID: UInt64) -> Transaction {
            let sender = pick(accounts.count)
            let nonce = nonces[sender]; nonces[sender] += 1
            let kind = rng.next() % 10
            var to: [UInt8]? = accounts[pick(accounts.count)]
            var input = [UInt8](), logs = [Log](), value = (rng.next() % 4 == 0) ? (rng.next() % 5_000_000_000_000_000_000) : 0
            var gas: UInt64 = 21_000, used: UInt64 = 21_000
            if kind < 5 { // ERC-20 transfer(address,uint256)
                let token = tokens[pick(tokens.count)], dest = accounts[pick(accounts.count)]
                let amount = be(rng.next() % 1_000_000_000_000)
                input = [0xa9, 0x05, 0x9c, 0xbb] + word(dest) + word(amount)
                to = token; value = 0; gas = 65_000 + rng.next() % 20_000; used = 34_000 + rng.next() % 20_000
                logs.append(Log(address: token, topics: [transferTopic, word(accounts[sender]), word(dest)], data: word(amount)))
            } else if kind < 8 { // a contract call with a few words of arguments
                input = bytes(4) + (0..<Int(rng.next() % 8)).flatMap { _ in rng.next() % 2 == 0 ? word(accounts[pick(accounts.count)]) : word(be(rng.next() % 1_000_000)) }
                gas = 150_000 + rng.next() % 300_000; used = gas / 2 + rng.next() % (gas / 3)
                if rng.next() % 3 == 0 { logs.append(Log(address: to!, topics: [bytes(32)], data: bytes(64))) }
            } else if kind == 9 && !preMerge { // contract creation
                to = nil; input = bytes(200 + Int(rng.next() % 800)); gas = 900_000; used = 600_000 + rng.next() % 200_000
            }
            let type = preMerge || rng.next() % 5 == 0 ? 0 : 2
            let tip = 1_000_000_000 * (1 + rng.next() % 3)
            var t = Transaction(type: type, nonce: nonce, gas: gas, gasPrice: type == 0 ? baseFee + tip : baseFee + tip / 2, maxPriority: tip,
                                value: value, from: accounts[sender], to: to, input: input, y: rng.next() % 2, r: bytes(32), s: bytes(32), hash: [],
                                gasUsed: used, status: rng.next() % 50 == 0 ? 0 : 1, logs: logs)
            if t.type == 0 && !preMerge { t.y = 37 + t.y } else if t.type == 0 { t.y = 27 + t.y }
            t.hash = ChainCodec.keccak256(RLP.signedTransaction(t, chainID: chainID))
            return t
        }

        mutating func nextBlock() -> Block {
            number += 1
            timestamp += preMerge ? 10 + rng.next() % 20 : 12
            let baseFee: UInt64? = preMerge ? nil : 8_000_000_000 + rng.next() % 30_000_000_000
            let count = preMerge ? Int(rng.next() % 8) : 25 + Int(rng.next() % 30)
            let txs = (0..<count).map { _ in nextTransaction(baseFee: baseFee ?? 20_000_000_000, chainID: 1) }
            if preMerge { difficulty = difficulty + difficulty / 2048 - (rng.next() % 2) * (difficulty / 1024) }
            var b = Block(number: number, timestamp: timestamp, miner: miners[pick(miners.count)], gasLimit: preMerge ? 3_141_592 : 30_000_000,
                          baseFee: baseFee, difficulty: preMerge ? difficulty : 0, parentHash: parent, hash: [], stateRoot: bytes(32),
                          txRoot: count == 0 ? RLP.emptyTrie : bytes(32), receiptsRoot: count == 0 ? RLP.emptyTrie : bytes(32),
                          mixHash: bytes(32), nonce: preMerge ? bytes(8) : [UInt8](repeating: 0, count: 8),
                          bloom: [UInt8](repeating: 0, count: 256), extraData: Array((preMerge ? "Geth/v1.3.3/linux" : "beaverbuild.org").utf8),
                          transactions: txs, headerRLP: [], bodyRLP: [])
            for t in txs { for l in t.logs { RLP.addToBloom(&b.bloom, l) } }
            b.headerRLP = RLP.header(b)
            b.hash = ChainCodec.keccak256(b.headerRLP)
            b.bodyRLP = RLP.list([RLP.list(txs.map { RLP.transactionInBody($0, chainID: 1) }), RLP.list([])] + (preMerge ? [] : [RLP.list([])]))
            parent = b.hash
            return b
        }
    }

    // MARK: RLP

    enum RLP {
        static let emptyTrie: [UInt8] = ChainCodec.keccak256([0x80])
        static let emptyOmmers: [UInt8] = ChainCodec.keccak256([0xc0])
        static func minimal(_ v: UInt64) -> [UInt8] { var b = withUnsafeBytes(of: v.bigEndian, Array.init); while b.first == 0 { b.removeFirst() }; return b }
        static func length(_ n: Int, _ short: UInt8) -> [UInt8] { n < 56 ? [short + UInt8(n)] : [short + 55 + UInt8(minimal(UInt64(n)).count)] + minimal(UInt64(n)) }
        static func string(_ b: [UInt8]) -> [UInt8] { b.count == 1 && b[0] < 0x80 ? b : length(b.count, 0x80) + b }
        static func uint(_ v: UInt64) -> [UInt8] { string(minimal(v)) }
        static func list(_ items: [[UInt8]]) -> [UInt8] { let body = items.flatMap { $0 }; return length(body.count, 0xc0) + body }

        static func header(_ b: Block) -> [UInt8] {
            var f = [string(b.parentHash), string(emptyOmmers), string(b.miner), string(b.stateRoot), string(b.txRoot), string(b.receiptsRoot),
                     string(b.bloom), uint(b.difficulty), uint(b.number), uint(b.gasLimit), uint(b.gasUsed), uint(b.timestamp),
                     string(b.extraData), string(b.mixHash), string(b.nonce)]
            if let fee = b.baseFee { f.append(uint(fee)) }
            return list(f)
        }

        static func fields(_ t: Transaction, chainID: UInt64) -> [[UInt8]] {
            let to = string(t.to ?? []), sig = [uint(t.y), string(minimal32(t.r)), string(minimal32(t.s))]
            if t.type == 0 { return [uint(t.nonce), uint(t.gasPrice), uint(t.gas), to, uint(t.value), string(t.input)] + sig }
            return [uint(chainID), uint(t.nonce), uint(t.maxPriority), uint(t.gasPrice), uint(t.gas), to, uint(t.value), string(t.input), list([])] + sig
        }
        static func minimal32(_ b: [UInt8]) -> [UInt8] { Array(b.drop(while: { $0 == 0 })) }
        static func signedTransaction(_ t: Transaction, chainID: UInt64) -> [UInt8] {
            t.type == 0 ? list(fields(t, chainID: chainID)) : [UInt8(t.type)] + list(fields(t, chainID: chainID))
        }
        /// In a block body a typed transaction is an RLP string holding its envelope.
        static func transactionInBody(_ t: Transaction, chainID: UInt64) -> [UInt8] {
            t.type == 0 ? signedTransaction(t, chainID: chainID) : string(signedTransaction(t, chainID: chainID))
        }
        static func receipts(_ b: Block) -> [UInt8] {
            var cumulative: UInt64 = 0
            return list(b.transactions.map { t in
                cumulative += t.gasUsed
                var bloom = [UInt8](repeating: 0, count: 256)
                for l in t.logs { addToBloom(&bloom, l) }
                return list([uint(t.status), uint(cumulative), string(bloom),
                             list(t.logs.map { l in list([string(l.address), list(l.topics.map(string)), string(l.data)]) })])
            })
        }
        /// The yellow paper's 2048-bit bloom: three bits per address and topic, from its Keccak-256.
        static func addToBloom(_ bloom: inout [UInt8], _ l: Log) {
            for item in [l.address] + l.topics {
                let h = ChainCodec.keccak256(item)
                for k in 0..<3 {
                    let bit = (Int(h[2 * k]) << 8 | Int(h[2 * k + 1])) & 2047
                    bloom[255 - bit / 8] |= UInt8(1 << (bit % 8))
                }
            }
        }
    }

    // MARK: text formats

    static func hex(_ b: [UInt8]) -> String { "0x" + b.map { String(format: "%02x", $0) }.joined() }
    static func qty(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

    enum EthereumETL {
        static func files(_ chain: [Block]) -> [File] {
            let blockCols = ["number", "hash", "parent_hash", "nonce", "sha3_uncles", "logs_bloom", "transactions_root", "state_root", "receipts_root",
                             "miner", "difficulty", "total_difficulty", "size", "extra_data", "gas_limit", "gas_used", "timestamp", "transaction_count",
                             "base_fee_per_gas"]
            let txCols = ["hash", "nonce", "block_hash", "block_number", "transaction_index", "from_address", "to_address", "value", "gas", "gas_price",
                          "input", "block_timestamp", "max_fee_per_gas", "max_priority_fee_per_gas", "transaction_type"]
            let receiptCols = ["transaction_hash", "transaction_index", "block_hash", "block_number", "cumulative_gas_used", "gas_used",
                               "contract_address", "root", "status", "effective_gas_price"]
            let logCols = ["log_index", "transaction_hash", "transaction_index", "block_hash", "block_number", "address", "data", "topics"]
            let transferCols = ["token_address", "from_address", "to_address", "value", "transaction_hash", "log_index", "block_number"]
            let traceCols = ["block_number", "transaction_hash", "transaction_index", "from_address", "to_address", "value", "input", "output",
                             "trace_type", "call_type", "reward_type", "gas", "gas_used", "subtraces", "trace_address", "error", "status", "trace_id"]
            var blocks = [[String]](), txs = [[String]](), receipts = [[String]](), logs = [[String]](), transfers = [[String]](), traces = [[String]]()
            var td: UInt64 = 58_750_003_716_598_352
            for b in chain {
                td &+= b.difficulty
                blocks.append([String(b.number), hex(b.hash), hex(b.parentHash), hex(b.nonce), hex(RLP.emptyOmmers), hex(b.bloom), hex(b.txRoot),
                               hex(b.stateRoot), hex(b.receiptsRoot), hex(b.miner), String(b.difficulty), String(td), String(b.headerRLP.count + b.bodyRLP.count),
                               hex(b.extraData), String(b.gasLimit), String(b.gasUsed), String(b.timestamp), String(b.transactions.count),
                               b.baseFee.map { String($0) } ?? ""])
                var cumulative: UInt64 = 0, logIndex = 0
                for (i, t) in b.transactions.enumerated() {
                    cumulative += t.gasUsed
                    let to = t.to.map(hex) ?? ""
                    txs.append([hex(t.hash), String(t.nonce), hex(b.hash), String(b.number), String(i), hex(t.from), to, String(t.value), String(t.gas),
                                String(t.gasPrice), hex(t.input), String(b.timestamp), t.type == 2 ? String(t.gasPrice) : "",
                                t.type == 2 ? String(t.maxPriority) : "", String(t.type)])
                    let created = t.to == nil ? hex(Array(ChainCodec.keccak256(t.from + RLP.minimal(t.nonce)).suffix(20))) : ""
                    receipts.append([hex(t.hash), String(i), hex(b.hash), String(b.number), String(cumulative), String(t.gasUsed), created, "",
                                     String(t.status), String(t.gasPrice)])
                    for l in t.logs {
                        logs.append([String(logIndex), hex(t.hash), String(i), hex(b.hash), String(b.number), hex(l.address), hex(l.data),
                                     l.topics.map(hex).joined(separator: ",")])
                        if l.topics.first == transferTopic, l.topics.count == 3 {
                            transfers.append([hex(l.address), hex(Array(l.topics[1].suffix(20))), hex(Array(l.topics[2].suffix(20))),
                                              String(l.data.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }), hex(t.hash), String(logIndex), String(b.number)])
                        }
                        logIndex += 1
                    }
                    traces.append([String(b.number), hex(t.hash), String(i), hex(t.from), to.isEmpty ? created : to, String(t.value), hex(t.input), "0x",
                                   t.to == nil ? "create" : "call", t.to == nil ? "" : "call", "", String(t.gas), String(t.gasUsed), String(t.logs.count),
                                   "", t.status == 1 ? "" : "Reverted", String(t.status), "call_\(hex(t.hash))_"])
                }
                traces.append([String(b.number), "", "", "", hex(b.miner), "2000000000000000000", "", "", "reward", "", "block", "", "", "0", "", "", "1",
                               "reward_\(b.number)_\(hex(b.miner))"])
            }
            let integerColumns: Set<String> = ["number", "nonce", "block_number", "transaction_index", "value", "gas", "gas_price", "block_timestamp",
                                               "max_fee_per_gas", "max_priority_fee_per_gas", "transaction_type", "cumulative_gas_used", "gas_used",
                                               "status", "effective_gas_price", "log_index", "difficulty", "total_difficulty", "size", "gas_limit",
                                               "timestamp", "transaction_count", "base_fee_per_gas", "subtraces"]
            var out = [File]()
            for (name, cols, rows) in [("blocks", blockCols, blocks), ("transactions", txCols, txs), ("receipts", receiptCols, receipts),
                                       ("logs", logCols, logs), ("token_transfers", transferCols, transfers), ("traces", traceCols, traces)] {
                let csv = ([cols.joined(separator: ",")] + rows.map { $0.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",") })
                out.append(File(name: "etl/\(name).csv", bytes: Array((csv.joined(separator: "\n") + "\n").utf8)))
                let type = String(name.dropLast())
                let lines = rows.map { row in
                    "{\"type\": \"\(type)\", " + zip(cols, row).map { c, v in
                        let value: String
                        if c == "topics" { value = "[" + v.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
                        else if v.isEmpty { value = "null" }
                        else if integerColumns.contains(c) && c != "nonce" || (c == "nonce" && !v.hasPrefix("0x")) { value = v }
                        else { value = "\"\(v)\"" }
                        return "\"\(c)\": \(value)"
                    }.joined(separator: ", ") + "}"
                }
                out.append(File(name: "etl/\(name).json", bytes: Array((lines.joined(separator: "\n") + "\n").utf8)))
            }
            return out
        }
    }

    enum JSONRPC {
        static func transaction(_ t: Transaction, _ b: Block, _ i: Int) -> String {
            var f = ["\"blockHash\":\"\(hex(b.hash))\"", "\"blockNumber\":\"\(qty(b.number))\"", "\"from\":\"\(hex(t.from))\"", "\"gas\":\"\(qty(t.gas))\"",
                     "\"gasPrice\":\"\(qty(t.gasPrice))\""]
            if t.type == 2 { f += ["\"maxFeePerGas\":\"\(qty(t.gasPrice))\"", "\"maxPriorityFeePerGas\":\"\(qty(t.maxPriority))\""] }
            f += ["\"hash\":\"\(hex(t.hash))\"", "\"input\":\"\(hex(t.input))\"", "\"nonce\":\"\(qty(t.nonce))\"",
                  "\"to\":\(t.to.map { "\"\(hex($0))\"" } ?? "null")", "\"transactionIndex\":\"\(qty(UInt64(i)))\"", "\"value\":\"\(qty(t.value))\"",
                  "\"type\":\"\(qty(UInt64(t.type)))\""]
            if t.type == 2 { f += ["\"accessList\":[]", "\"chainId\":\"0x1\"", "\"v\":\"\(qty(t.y))\"", "\"yParity\":\"\(qty(t.y))\""] }
            else { f += ["\"chainId\":\"0x1\"", "\"v\":\"\(qty(t.y))\""] }
            f += ["\"r\":\"\(qty32(t.r))\"", "\"s\":\"\(qty32(t.s))\""]
            return "{" + f.joined(separator: ",") + "}"
        }
        static func qty32(_ b: [UInt8]) -> String {
            let h = b.map { String(format: "%02x", $0) }.joined().drop(while: { $0 == "0" })
            return "0x" + (h.isEmpty ? "0" : h)
        }
        static func block(_ b: Block) -> String {
            var f = ["\"baseFeePerGas\":\(b.baseFee.map { "\"\(qty($0))\"" } ?? "null")", "\"difficulty\":\"\(qty(b.difficulty))\"",
                     "\"extraData\":\"\(hex(b.extraData))\"", "\"gasLimit\":\"\(qty(b.gasLimit))\"", "\"gasUsed\":\"\(qty(b.gasUsed))\"",
                     "\"hash\":\"\(hex(b.hash))\"", "\"logsBloom\":\"\(hex(b.bloom))\"", "\"miner\":\"\(hex(b.miner))\"", "\"mixHash\":\"\(hex(b.mixHash))\"",
                     "\"nonce\":\"\(hex(b.nonce))\"", "\"number\":\"\(qty(b.number))\"", "\"parentHash\":\"\(hex(b.parentHash))\"",
                     "\"receiptsRoot\":\"\(hex(b.receiptsRoot))\"", "\"sha3Uncles\":\"\(hex(RLP.emptyOmmers))\"",
                     "\"size\":\"\(qty(UInt64(b.headerRLP.count + b.bodyRLP.count)))\"", "\"stateRoot\":\"\(hex(b.stateRoot))\"",
                     "\"timestamp\":\"\(qty(b.timestamp))\""]
            f.append("\"transactions\":[" + b.transactions.enumerated().map { transaction($1, b, $0) }.joined(separator: ",") + "]")
            f += ["\"transactionsRoot\":\"\(hex(b.txRoot))\"", "\"uncles\":[]"]
            return "{\"jsonrpc\":\"2.0\",\"id\":\(b.number),\"result\":{" + f.joined(separator: ",") + "}}"
        }
        static func receipts(_ b: Block) -> String {
            var cumulative: UInt64 = 0, logIndex: UInt64 = 0
            let items = b.transactions.enumerated().map { (i, t) -> String in
                cumulative += t.gasUsed
                let logs = t.logs.map { l -> String in
                    defer { logIndex += 1 }
                    return "{\"address\":\"\(hex(l.address))\",\"topics\":[" + l.topics.map { "\"\(hex($0))\"" }.joined(separator: ",")
                        + "],\"data\":\"\(hex(l.data))\",\"blockNumber\":\"\(qty(b.number))\",\"transactionHash\":\"\(hex(t.hash))\","
                        + "\"transactionIndex\":\"\(qty(UInt64(i)))\",\"blockHash\":\"\(hex(b.hash))\",\"logIndex\":\"\(qty(logIndex))\",\"removed\":false}"
                }
                var bloom = [UInt8](repeating: 0, count: 256)
                for l in t.logs { RLP.addToBloom(&bloom, l) }
                return "{\"blockHash\":\"\(hex(b.hash))\",\"blockNumber\":\"\(qty(b.number))\",\"contractAddress\":null,"
                    + "\"cumulativeGasUsed\":\"\(qty(cumulative))\",\"effectiveGasPrice\":\"\(qty(t.gasPrice))\",\"from\":\"\(hex(t.from))\","
                    + "\"gasUsed\":\"\(qty(t.gasUsed))\",\"logs\":[" + logs.joined(separator: ",") + "],\"logsBloom\":\"\(hex(bloom))\","
                    + "\"status\":\"\(qty(t.status))\",\"to\":\(t.to.map { "\"\(hex($0))\"" } ?? "null"),\"transactionHash\":\"\(hex(t.hash))\","
                    + "\"transactionIndex\":\"\(qty(UInt64(i)))\",\"type\":\"\(qty(UInt64(t.type)))\"}"
            }
            return "{\"jsonrpc\":\"2.0\",\"id\":\(b.number),\"result\":[" + items.joined(separator: ",") + "]}"
        }
    }

    enum Era1 {
        static func entry(_ type: UInt16, _ data: [UInt8]) -> [UInt8] {
            withUnsafeBytes(of: type.littleEndian, Array.init) + withUnsafeBytes(of: UInt32(data.count).littleEndian, Array.init) + [0, 0] + data
        }
        /// version, then per block header / body / receipts (snappy-framed RLP) and total difficulty,
        /// then the accumulator root and the block index (offsets relative to the index entry).
        static func file(_ chain: [Block]) -> [UInt8] {
            var out = entry(0x3265, [])
            var td: UInt64 = 1_000_000_000_000, offsets = [Int]()
            for b in chain {
                offsets.append(out.count)
                td &+= b.difficulty
                out += entry(0x03, ChainCodec.snappyFramed(b.headerRLP))
                out += entry(0x04, ChainCodec.snappyFramed(b.bodyRLP))
                out += entry(0x05, ChainCodec.snappyFramed(RLP.receipts(b)))
                out += entry(0x06, withUnsafeBytes(of: td.littleEndian, Array.init) + [UInt8](repeating: 0, count: 24))
            }
            out += entry(0x07, ChainCodec.keccak256(out))
            let indexAt = out.count
            var index = withUnsafeBytes(of: chain[0].number.littleEndian, Array.init)
            for o in offsets { index += withUnsafeBytes(of: Int64(o - indexAt).littleEndian, Array.init) }
            index += withUnsafeBytes(of: Int64(chain.count).littleEndian, Array.init)
            return out + entry(0x3266, index)
        }
    }
}
