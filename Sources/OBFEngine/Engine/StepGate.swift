/// A first-in, first-out lock for async code: one holder at a time, the rest wait in order.
/// Used by the engine actor so that a step awaiting its source read cannot interleave with another.
struct StepGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Whether the caller must wait; if not, the gate is now held.
    mutating func tryEnter() -> Bool {
        if busy { return false }
        busy = true
        return true
    }

    mutating func enqueue(_ waiter: CheckedContinuation<Void, Never>) {
        waiters.append(waiter)
    }

    /// Hands the gate to the next waiter, or frees it.
    mutating func leave() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
