import Locking

/// The outcomes of the requests sent together in one write: each request is completed once (by
/// its response, a timeout, cancellation or the connection closing), and the caller is woken
/// once, when the last one is complete — not once per response.
package final class ResponseBatch: Sendable {
    private struct State {
        var results: [Result<ClientMessage, any Error>?]
        var remaining: Int
        var waiter: CheckedContinuation<[Result<ClientMessage, any Error>], Never>?
    }

    private let state: Locked<State>
    private let onResponse: (@Sendable (ClientMessage) -> Void)?

    /// `onResponse` sees each successful response before its request counts as complete, so
    /// all its calls for responses that completed requests have returned when `results()` does.
    package init(count: Int, onResponse: (@Sendable (ClientMessage) -> Void)? = nil) {
        state = Locked(State(results: Array(repeating: nil, count: count), remaining: count))
        self.onResponse = onResponse
    }

    /// Completes request `index`; later completions of the same request are ignored.
    package func complete(_ index: Int, with result: Result<ClientMessage, any Error>) {
        if let onResponse, case .success(let message) = result, isOpen(index) {
            onResponse(message)
        }
        let wake = state.withLock { state -> (CheckedContinuation<[Result<ClientMessage, any Error>], Never>, [Result<ClientMessage, any Error>])? in
            guard state.results.indices.contains(index), case .none = state.results[index] else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, Self.finalResults(state.results))
        }
        if let (waiter, results) = wake { waiter.resume(returning: results) }
    }

    private func isOpen(_ index: Int) -> Bool {
        state.withLock { state in
            guard state.results.indices.contains(index), case .none = state.results[index] else { return false }
            return true
        }
    }

    /// Waits until every request is complete and returns the outcomes in request order.
    package func results() async -> [Result<ClientMessage, any Error>] {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> [Result<ClientMessage, any Error>]? in
                if state.remaining == 0 { return Self.finalResults(state.results) }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    private static func finalResults(_ results: [Result<ClientMessage, any Error>?]) -> [Result<ClientMessage, any Error>] {
        results.map { $0 ?? .failure(HazelcastError.protocol("request left without an outcome")) }
    }
}
