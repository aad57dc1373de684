/// Holds the outcome of one request: completed once (by the response, a timeout, cancellation or
import Locking
/// the connection closing) and awaited by the caller.
package final class ResponseSlot: Sendable {
    private struct State {
        var result: Result<ClientMessage, any Error>?
        var waiter: CheckedContinuation<ClientMessage, any Error>?
    }

    private let state = Locked(State())

    package init() {}

    /// Completes the slot; later completions are ignored. Returns whether this call completed it.
    @discardableResult
    package func complete(_ result: Result<ClientMessage, any Error>) -> Bool {
        let (completed, waiter) = state.withLock { state -> (Bool, CheckedContinuation<ClientMessage, any Error>?) in
            guard state.result == nil else { return (false, nil) }
            state.result = result
            let waiter = state.waiter
            state.waiter = nil
            return (true, waiter)
        }
        waiter?.resume(with: result)
        return completed
    }

    /// Waits for the outcome.
    package func value() async throws -> ClientMessage {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<ClientMessage, any Error>? = state.withLock { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
