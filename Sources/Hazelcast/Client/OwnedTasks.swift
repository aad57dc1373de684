import Locking

/// The background tasks of one owner (the client): each runs until it ends by itself or the owner
/// shuts down, and the owner's shutdown awaits every one of them.
///
/// How it guarantees that no task outlives `waitAll()`: a task starts only through `spawn`, which
/// creates it and records it under the same lock, so it is in the set before its last line (which
/// removes it, under that lock) can run. `cancelAll()` closes the set: `spawn` starts nothing
/// afterwards, so the set only shrinks. `waitAll()` then awaits the `value` of every task still
/// recorded, again and again, until the set is empty.
package final class OwnedTasks: Sendable {
    private struct State {
        var isClosed = false
        var nextId = 0
        var running: [Int: Task<Void, Never>] = [:]
    }

    private let state = Locked(State())

    package init() {}

    /// Starts `body` as a task of this set; nil (and nothing started) once `cancelAll()` ran.
    /// The handle may be used to cancel the task early; `waitAll()` still awaits it.
    @discardableResult
    package func spawn(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never>? {
        state.withLock { state in
            guard !state.isClosed else { return nil }
            let id = state.nextId
            state.nextId += 1
            let task = Task { [self] in
                await body()
                _ = self.state.withLock { $0.running.removeValue(forKey: id) }
            }
            state.running[id] = task
            return task
        }
    }

    /// Closes the set to new tasks and cancels those running.
    package func cancelAll() {
        let running = state.withLock { state in
            state.isClosed = true
            return Array(state.running.values)
        }
        for task in running { task.cancel() }
    }

    /// Returns once every task of the set has ended (after `cancelAll()`, none can start again).
    package func waitAll() async {
        while let task = state.withLock({ $0.running.values.first }) {
            await task.value   // its last line removed it from the set
        }
    }

    /// How many tasks are running (for tests).
    package var count: Int { state.withLock { $0.running.count } }
}
