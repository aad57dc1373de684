import Locking

/// Runs `operation` in its own task and returns its value, or `nil` once `deadline`
/// passes first. The operation is cancelled then, but never awaited past the deadline,
/// so a source that ignores cancellation cannot hold up the caller.
public func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant,
                                      _ operation: @escaping @Sendable () async -> T) async -> T? {
    let gate = Locked<CheckedContinuation<T?, Never>?>(nil)
    let resumeOnce: @Sendable (T?) -> Void = { value in
        gate.withLock { continuation in
            continuation?.resume(returning: value)
            continuation = nil
        }
    }
    var work: Task<Void, Never>?
    var timer: Task<Void, Never>?
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        gate.withLock { $0 = continuation }
        work = Task { resumeOnce(await operation()) }
        timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            resumeOnce(nil)
        }
    }
    timer?.cancel()
    if result == nil { work?.cancel() }
    return result
}
