import Foundation

/// Runs `body` on a thread of its own and returns its result, so that blocking socket calls in it
/// hold up neither the concurrency pool (deferred handlers, the other tests) nor Dispatch's global
/// queues (which fire `Task.sleep` timers).
public func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
