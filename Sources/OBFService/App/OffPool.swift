import Dispatch

/// Runs blocking work (file reads and writes, fsyncs, `/proc`) on a Dispatch queue, never on the
/// Swift concurrency pool nor on an HTTP event-loop thread, and returns its result or its error.
/// `queue` is a serial queue of the caller's when its calls must not overlap.
func offPool<T: Sendable, Failure: Error>(on queue: DispatchQueue = .global(qos: .userInitiated),
                                          _ work: @escaping @Sendable () throws(Failure) -> T) async throws(Failure) -> T {
    let result: Result<T, Failure> = await withCheckedContinuation { continuation in
        queue.async {
            do throws(Failure) { continuation.resume(returning: .success(try work())) } catch {
                continuation.resume(returning: .failure(error))
            }
        }
    }
    return try result.get()
}
