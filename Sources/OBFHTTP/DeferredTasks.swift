import Locking

/// The deferred handler tasks of one server that have not yet returned.
///
/// The connection that started a task keeps it and cancels it when it closes; this only counts
/// them, so that `HTTPServer.shutdown()` can wait until the last one has returned.
final class DeferredTasks: Sendable {
    private struct State {
        var running = 0
        var onDrained: [@Sendable () -> Void] = []
    }

    private let state = Locked(State())

    /// Runs `work` in a new Task, counted here until it returns.
    func start(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        state.withLock { $0.running += 1 }
        return Task {
            await work()
            self.finished()
        }
    }

    /// Calls `body` once no task is running: at once if none is, otherwise when the last one returns.
    /// Meant for when no more tasks can start (the event loops have exited).
    func whenDrained(_ body: @escaping @Sendable () -> Void) {
        let drained = state.withLock { state in
            if state.running == 0 { return true }
            state.onDrained.append(body)
            return false
        }
        if drained { body() }
    }

    private func finished() {
        let callbacks: [@Sendable () -> Void] = state.withLock { state in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.onDrained = [] }
            return state.onDrained
        }
        for callback in callbacks { callback() }
    }
}
