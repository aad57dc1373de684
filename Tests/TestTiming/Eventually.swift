#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Polls `condition` until it holds and returns true, or returns false once `timeout` has
/// passed. It returns as soon as the condition holds, so the timeout (a hang guard, see
/// `TestBounds.event`) costs nothing on any machine. A cancelled caller gets false at once.
public func eventually(timeout: Duration = TestBounds.event, every interval: Duration = .milliseconds(10),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if try await condition() { return true }
        if Task.isCancelled { return false }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}

/// `eventually` for code on a thread of its own (inside `blocking { }`): sleeps its thread
/// between polls, so it must never run on the concurrency pool.
@available(*, noasync, message: "blocks its thread: call it in blocking { }")
public func eventuallyBlocking(timeout: Duration = TestBounds.event, every interval: Duration = .milliseconds(10),
                               _ condition: () throws -> Bool) rethrows -> Bool {
    let end = ContinuousClock.now + timeout
    while ContinuousClock.now < end {
        if try condition() { return true }
        usleep(useconds_t(interval / .microseconds(1)))
    }
    return try condition()
}
