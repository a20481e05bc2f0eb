// The guardian processes of a devnet: `caldera guardian run` children, each logging to DIR/logs, stopped with
// SIGTERM (and SIGKILL after a grace period) when the devnet stops.
import Foundation

final class GuardianChildren {
    var processes: [Process] = []

    func start(executable: String, paths: DevnetPaths, count: Int, equivocating: Int) throws(DevnetError) {
        for i in 0..<count {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = ["guardian", "run", "--config", paths.guardianConfig(i), "--data-dir", paths.guardianData(i), "--exit-with-parent"] + (i < equivocating ? ["--equivocate"] : [])
            let logPath = "\(paths.logs)/guardian-\(i + 1).log"
            // Appended to across resumed runs: created only when missing (createFile would empty it).
            guard FileManager.default.fileExists(atPath: logPath) || FileManager.default.createFile(atPath: logPath, contents: nil),
                  let h = FileHandle(forWritingAtPath: logPath) else { throw .failed("cannot open \(logPath)") }
            h.seekToEndOfFile()
            p.standardError = h
            p.standardOutput = h
            p.standardInput = FileHandle.nullDevice
            do { try p.run() } catch { throw .failed("cannot start guardian \(i + 1) (\(executable)): \(error)") }
            processes.append(p)
        }
    }

    /// Guardians that have exited (a crash the devnet reports).
    var exited: [Int] { processes.indices.filter { !processes[$0].isRunning } }

    func stop(grace: TimeInterval = 5) {
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(grace)
        for p in processes {
            while p.isRunning && Date() < deadline { usleep(20_000) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        }
    }
}
