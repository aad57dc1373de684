/// Fans events out to any number of `AsyncStream` subscribers and one callback.
import Locking
final class EventBroadcaster: Sendable {
    private struct State {
        var subscribers: [UInt64: AsyncStream<HazelcastClientEvent>.Continuation] = [:]
        var nextId: UInt64 = 0
        var finished = false
    }

    private let state = Locked(State())
    private let callback: (@Sendable (HazelcastClientEvent) -> Void)?

    init(callback: (@Sendable (HazelcastClientEvent) -> Void)?) {
        self.callback = callback
    }

    func subscribe() -> AsyncStream<HazelcastClientEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: HazelcastClientEvent.self, bufferingPolicy: .bufferingNewest(256))
        let id: UInt64? = state.withLock { state in
            guard !state.finished else { return nil }
            state.nextId += 1
            state.subscribers[state.nextId] = continuation
            return state.nextId
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func emit(_ event: HazelcastClientEvent) {
        let subscribers = state.withLock { $0.finished ? [] : Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(event) }
        callback?(event)
    }

    func finish() {
        let subscribers = state.withLock { state -> [AsyncStream<HazelcastClientEvent>.Continuation] in
            state.finished = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
