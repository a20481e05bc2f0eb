// Delivery on a real EVM, when the Python environment is there (`.build/contracts-venv`, made by `.ci/run`):
// Contracts/verify.py deploys the Vyper verifier for the guardian set on py-evm and submits the meta-proof.
// One check at a time, beside the loop; while one runs, newer batches replace the one waiting (a check takes
// seconds, a batch comes every 3 s), so the report says for which batches gas was measured.
import Foundation
import Metalayer

final class EVMChecker: @unchecked Sendable {   // guarded by `lock`
    struct Result { var batch: Int64; var gas: Int64; var separateGas: Int64? }
    let python: String, script: String, directory: String, guardiansFile: String
    let log: @Sendable (String) -> Void
    let lock = NSLock()
    var waiting: (batch: Int64, meta: [UInt8], single: [UInt8]?, messages: Int)?
    var busy = false
    var done: [Result] = []
    let group = DispatchGroup()

    /// Nil (and a line saying so) without the environment.
    init?(packageRoot: String, directory: String, guardians: GuardianSet, log: @escaping @Sendable (String) -> Void) {
        python = packageRoot + "/.build/contracts-venv/bin/python"; script = packageRoot + "/Contracts/verify.py"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: script),
              let json = try? guardians.jsonData() else {
            log("no Python environment at .build/contracts-venv: meta-proofs are verified in Swift only, gas not measured (bash .ci/run creates it)")
            return nil
        }
        self.directory = directory; self.log = log
        guardiansFile = directory + "/guardians.json"
        guard FileManager.default.createFile(atPath: guardiansFile, contents: json) else {
            log("EVM check off: cannot write \(guardiansFile)")
            return nil
        }
    }

    func offer(batch: Int64, meta: [UInt8], single: [UInt8]?, messages: Int) {
        lock.lock()
        waiting = (batch, meta, single, messages)
        let start = !busy
        if start { busy = true }
        lock.unlock()
        if start { group.enter(); DispatchQueue.global().async { self.work() } }
    }

    func work() {
        while true {
            lock.lock()
            guard let job = waiting else { busy = false; lock.unlock(); group.leave(); return }
            waiting = nil
            lock.unlock()
            let metaGas = gas(job.meta, name: "batch-\(job.batch).meta")
            let singleGas = job.single.flatMap { gas($0, name: "batch-\(job.batch).single") }
            lock.lock()
            if let metaGas { done.append(Result(batch: job.batch, gas: metaGas, separateGas: singleGas.map { $0 * Int64(job.messages) })) }
            lock.unlock()
        }
    }

    func gas(_ proof: [UInt8], name: String) -> Int64? {
        let path = "\(directory)/\(name).bin"
        guard FileManager.default.createFile(atPath: path, contents: Data(proof)) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [script, path, "--guardians", guardiansFile, "--json"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let g = obj["gasUsed"] as? Int else {
            log("py-evm rejected \(name) (exit \(p.terminationStatus)): \(errText.suffix(300))")
            return nil
        }
        return Int64(g)
    }

    /// Waits for the check in progress (the one waiting is dropped).
    func finish() {
        lock.lock(); waiting = nil; lock.unlock()
        _ = group.wait(timeout: .now() + 60)
    }

    func results() -> [Result] { lock.lock(); defer { lock.unlock() }; return done }
}
