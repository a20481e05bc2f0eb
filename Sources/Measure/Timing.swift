import Foundation

extension Duration {
    /// Seconds as a Double: measurements only, never money or consensus.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}

/// CPU time of the calling thread: rates per CPU-second stay comparable when other processes share the machine
/// (`openssl speed` counts CPU time too).
public enum ThreadCPUClock {
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// CPU time of the whole process (every thread): with work spread over cores, wall time shrinks but this
/// does not, so it shows what the work costs when other processes share the machine.
public enum ProcessCPUClock {
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// The 1-minute load average (`uptime`), to state with every throughput figure; nil when unreadable.
public enum MachineLoad {
    public static func oneMinute() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }
}
