import Dispatch
import Foundation
import Locking

/// Waits for SIGTERM or SIGINT with Dispatch signal sources (the default action is
/// ignored first, so the signal only wakes the waiter). SIGPIPE is ignored for good.
enum ShutdownSignal {
    static func wait() async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "obf.signals")
        let latch = SignalLatch()
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { latch.fire(number) }
            source.resume()
            sources.append(source)
        }
        let number = await latch.wait()
        for source in sources { source.cancel() }
        return number
    }
}

/// Hands the first signal to the one waiter, whether it arrives before or after the wait starts.
private final class SignalLatch: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Int32, Never>?
        var fired: Int32?
    }
    private let state = Locked(State())

    func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                if let fired = state.fired { continuation.resume(returning: fired) } else { state.continuation = continuation }
            }
        }
    }

    func fire(_ number: Int32) {
        state.withLock { state in
            if let continuation = state.continuation {
                continuation.resume(returning: number)
                state.continuation = nil
            } else if state.fired == nil {
                state.fired = number
            }
        }
    }
}
