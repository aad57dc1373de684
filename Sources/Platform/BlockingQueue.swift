import Dispatch

/// A Dispatch queue for blocking system calls (file reads, writes, fsync), so that they never run
/// on the Swift concurrency pool: `run` suspends its caller until the work is done there.
public struct BlockingQueue: Sendable {
    private let queue: DispatchQueue

    /// A serial queue of its own (work on it runs one at a time, in order).
    public init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// A queue shared by work that needs no order (Dispatch's global queue).
    public static let shared = BlockingQueue(queue: DispatchQueue.global(qos: .userInitiated))

    private init(queue: DispatchQueue) {
        self.queue = queue
    }

    /// Runs `work` on the queue and returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }

    /// Runs `work` on the queue and returns its result or throws its error.
    public func run<T: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> T)
        async throws(Failure) -> T {
        let result: Result<T, Failure> = await run { () -> Result<T, Failure> in
            do throws(Failure) { return .success(try work()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
