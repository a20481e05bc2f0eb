import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory `flock` on a file, shared or exclusive, that can be tried without waiting or waited
/// for with a deadline. The kernel releases it when the process dies, even by SIGKILL. Each instance
/// opens its own file description, so two instances conflict even inside one process (as two
/// processes would), which is what lets tests run a reader and a writer side by side.
final class StoreLock {
    enum Mode { case shared, exclusive }

    let path: String
    let fd: Int32
    private(set) var held: Mode?

    init(path: String) throws(StorageError) {
        self.path = path
        var fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        // A reader of a store it may not write still locks: flock works on a read-only descriptor.
        if fd < 0 && (errno == EACCES || errno == EROFS) { fd = open(path, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw .errno(path, "cannot open lock file") }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw StorageError(path: path, reason: "is not a regular file; cannot use it as a lock")
        }
        self.fd = fd
    }

    deinit { close(fd) } // closing the last descriptor releases the lock

    /// Takes the lock if nobody holds it in a conflicting mode; never waits.
    func tryLock(_ mode: Mode) throws(StorageError) -> Bool {
        precondition(held == nil, "StoreLock is not re-entrant")
        while true {
            if flock(fd, (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0 { held = mode; return true }
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw .errno(path, "cannot lock")
        }
    }

    /// Waits up to `timeout` for the lock. Polls (flock has no timed wait) with a short, growing,
    /// jittered sleep so that a brief holder is not waited on for long and waiters do not march in step.
    func lock(_ mode: Mode, timeout: Duration) throws(StorageError) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause = 1_000 // µs
        while true {
            if try tryLock(mode) { return true }
            if clock.now >= deadline { return false }
            usleep(UInt32(pause / 2 + Int.random(in: 0 ... pause)))
            pause = min(pause * 2, 20_000)
        }
    }

    func unlock() {
        guard held != nil else { return }
        flock(fd, LOCK_UN)
        held = nil
    }
}

/// A store directory's two locks (docs/data-layer.md, "Locking"):
/// `lock` — exclusive, held by the writer (put, migrate) for its whole run;
/// `commit.lock` — exclusive around each group of commits that spans both databases (and while a
/// process opens and repairs the store), shared while a reader opens its read transactions.
final class StoreLocks {
    let writer: StoreLock
    let commit: StoreLock

    init(directory: String) throws(StorageError) {
        writer = try StoreLock(path: directory + "/lock")
        commit = try StoreLock(path: directory + "/commit.lock")
    }

    /// Takes the writer lock, returning with the commit lock also held exclusively (the caller
    /// repairs the store, then releases it). The writer lock is only tried while the commit lock is
    /// held, so a reader holding the commit lock never sees a writer that has not yet repaired.
    func acquireWriter(timeout: Duration, directory: String) throws(DataStoreError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let got: Bool
            do { got = try commit.lock(.exclusive, timeout: max(.zero, deadline - clock.now)) } catch { throw .storage(error) }
            guard got else { throw .busy(directory) }
            let mine: Bool
            do { mine = try writer.tryLock(.exclusive) } catch { commit.unlock(); throw .storage(error) }
            if mine { return }
            commit.unlock()
            if clock.now >= deadline { throw .busy(directory) }
            usleep(UInt32.random(in: 5_000 ... 25_000))
        }
    }
}
