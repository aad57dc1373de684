/// Runs `operation` as a child task and returns its value, or `nil` once `deadline` passes
/// first; the operation is cancelled then. Structured: it returns only when the operation has
/// ended, so the operation must end promptly once cancelled (every `SnapshotSource` does).
public func withDeadline<T: Sendable>(_ deadline: ContinuousClock.Instant,
                                      _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: DeadlineOutcome<T>.self) { group in
        group.addTask { .finished(await operation()) }
        group.addTask {
            // Cancelled (the operation finished, or the caller was cancelled): the deadline stands.
            try? await Task.sleep(until: deadline, clock: .continuous)
            return .deadlinePassed
        }
        let first = await group.next()
        // The loser is cancelled; the group waits for it before returning.
        group.cancelAll()
        if case .finished(let value)? = first { return value }
        return nil
    }
}

/// Which child of `withDeadline` finished first.
private enum DeadlineOutcome<T: Sendable>: Sendable {
    case finished(T)
    case deadlinePassed
}
