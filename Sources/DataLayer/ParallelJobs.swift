import Foundation

/// Runs independent jobs on a fixed number of threads and returns their results in job order. Jobs are
/// taken largest first (by the caller's cost estimate), so a long job does not start last and leave the
/// other threads idle at the end. With one worker, or one job, everything runs on the calling thread.
enum ParallelJobs {
    static func map<T, E: Error>(_ count: Int, workers: Int, cost: (Int) -> Int,
                                 _ job: (Int) throws(E) -> T) throws(E) -> [T] {
        if count == 0 { return [] }
        if workers <= 1 || count == 1 {
            var out = [T]()
            out.reserveCapacity(count)
            for i in 0..<count { out.append(try job(i)) }
            return out
        }
        let order = (0..<count).sorted { (cost($0), $1) > (cost($1), $0) }
        let state = Results<T, E>(count: count)
        // The closure runs on the pool's threads while this frame waits for them, so capturing the
        // non-Sendable job here is safe; `withoutActuallyEscaping` would not help concurrentPerform.
        nonisolated(unsafe) let run = job
        DispatchQueue.concurrentPerform(iterations: min(workers, count)) { _ in
            while let k = state.next() {
                let i = order[k]
                do throws(E) { state.set(i, .success(try run(i))) } catch { state.set(i, .failure(error)) }
            }
        }
        return try state.values()
    }

    private final class Results<T, E: Error>: @unchecked Sendable {
        private let lock = NSLock()
        private var taken = 0
        private var slots: [Result<T, E>?]
        init(count: Int) { slots = Array(repeating: nil, count: count) }
        func next() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard taken < slots.count else { return nil }
            taken += 1
            return taken - 1
        }
        func set(_ i: Int, _ r: Result<T, E>) { lock.lock(); slots[i] = r; lock.unlock() }
        func values() throws(E) -> [T] {
            lock.lock(); defer { lock.unlock() }
            return try slots.map { (r) throws(E) -> T in try r!.get() }
        }
    }
}
