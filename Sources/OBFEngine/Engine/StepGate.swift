import Locking

/// A first-in, first-out lock for async code: one holder at a time, the rest wait in order.
/// Used by the engine actor so that a step awaiting its source read cannot interleave with
/// another. A waiter whose task is cancelled leaves the queue without the gate.
final class StepGate: Sendable {
    private struct State {
        var busy = false
        var nextTicket: UInt64 = 0
        /// Waiters in arrival order.
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Bool, Never>)] = []
    }

    private let state = Locked(State())

    /// Waits for the gate: true once held, false when the caller was cancelled first.
    func enter() async -> Bool {
        let ticket: UInt64? = state.withLock { state in
            guard state.busy else {
                state.busy = true
                return nil
            }
            state.nextTicket &+= 1
            return state.nextTicket
        }
        guard let ticket else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                // Cancellation sets the flag before it runs the handler below, so a handler that
                // ran before this lock found nothing to remove, and this check sees the flag.
                let outcome = state.withLock { state -> Bool? in
                    if !state.busy {
                        state.busy = true
                        return true
                    }
                    if Task.isCancelled { return false }
                    state.waiters.append((ticket, continuation))
                    return nil
                }
                if let outcome { continuation.resume(returning: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: false)
        }
    }

    /// Steps waiting for their turn.
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    /// Hands the gate to the next waiter, or frees it.
    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard !state.waiters.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: true)
    }
}
