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
