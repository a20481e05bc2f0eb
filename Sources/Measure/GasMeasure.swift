import Foundation

/// Gas measured on a real EVM: `Contracts/gas.py` deploys the Vyper verifiers on py-evm (Prague rules) and
/// reads receipts. This runs it in the virtual environment `.ci/run` creates (`.build/contracts-venv`) and
/// reads its JSON; when that environment or the contracts are absent it says so instead of guessing.
public enum GasMeasure {
    public struct Row: Sendable {
        public var guardians: Int, messages: Int, locality: String
        public var individualGas: UInt64, metaGas: UInt64, hyperlaneGas: UInt64
        public var metaOverheadPerMessage: UInt64
        public var metaSavingVsHyperlanePercent: Double
    }

    public enum Unavailable: Error, CustomStringConvertible {
        case noEnvironment(String), failed(String)
        public var description: String {
            switch self {
            case let .noEnvironment(m): "not measured: \(m)"
            case let .failed(m): "not measured: Contracts/gas.py failed: \(m)"
            }
        }
    }

    /// Runs gas.py for the given batch sizes at `guardians`, contiguous and random, from the package root
    /// `root`, with `caldera` (the binary that writes the proofs).
    public static func measure(root: String = FileManager.default.currentDirectoryPath, ns: [Int], guardians: Int,
                               caldera: String) throws(Unavailable) -> [Row] {
        let python = root + "/.build/contracts-venv/bin/python", script = root + "/Contracts/gas.py"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script) else {
            throw .noEnvironment("no Python environment at .build/contracts-venv (created by `bash .ci/run` from Contracts/requirements.txt)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, "--json", "--ns", ns.map(String.init).joined(separator: ","), "--guardians", String(guardians),
                       "--localities", "contiguous,random"]
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        var env = ProcessInfo.processInfo.environment
        env["CALDERA_BIN"] = caldera
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { throw .failed("\(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile().suffix(400), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw .failed("exit \(p.terminationStatus): \(errText)") }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let rows = obj["rows"] as? [[String: Any]] else {
            throw .failed("its output is not the expected JSON")
        }
        func gas(_ r: [String: Any], _ k: String, _ f: String = "gas") -> UInt64? { (r[k] as? [String: Any])?[f] as? UInt64 ?? ((r[k] as? [String: Any])?[f] as? Int).map(UInt64.init) }
        return rows.compactMap { r in
            guard let g = r["guardians"] as? Int, let n = r["messages"] as? Int, let l = r["locality"] as? String,
                  let i = gas(r, "individual"), let m = gas(r, "meta"), let h = gas(r, "hyperlane"),
                  let o = gas(r, "meta", "overheadPerMessage"), let s = r["metaSavingVsHyperlanePercent"] as? Double else { return nil }
            return Row(guardians: g, messages: n, locality: l, individualGas: i, metaGas: m, hyperlaneGas: h,
                       metaOverheadPerMessage: o, metaSavingVsHyperlanePercent: s)
        }
    }
}
