import Dispatch
import Foundation
import Locking

/// The bytes a connection has yet to send, written by one dedicated writer thread.
///
/// Callers (request senders on the Swift concurrency pool, the heartbeat) only append under a
/// lock and wake the writer, so no caller ever blocks on the socket: a member that stops reading
/// fills the socket buffers and then this queue, while each request still ends at its own
/// timeout. The writer blocks in `write` at most for the stream's send timeout; a write that
/// fails (or times out) hands the error to `onFailure`, which closes the connection.
final class OutboundQueue: Sendable {
    /// More bytes than this waiting to be written: further requests fail at once.
    static let limit = 16 * 1024 * 1024

    private struct State {
        var chunks: [[UInt8]] = []
        var byteCount = 0
        var isClosed = false
    }

    private let state = Locked(State())
    private let wakeup = DispatchSemaphore(value: 0)

    /// Queues `bytes`; false when the queue is closed or already holds `limit` bytes.
    func enqueue(_ bytes: [UInt8]) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.isClosed, state.byteCount < Self.limit else { return false }
            state.chunks.append(bytes)
            state.byteCount += bytes.count
            return true
        }
        if accepted { wakeup.signal() }
        return accepted
    }

    /// Stops the writer after its current write; later `enqueue`s are refused.
    func close() {
        state.withLock { $0.isClosed = true }
        wakeup.signal()
    }

    /// Starts the writer thread: it writes queued bytes in order (chunks queued meanwhile are
    /// joined into one write), calls `onWritten` after each successful write and `onFailure` once
    /// when one fails, then ends; it also ends once `close()` was called.
    func startWriter(
        name: String, write: @escaping @Sendable ([UInt8]) throws -> Void,
        onWritten: @escaping @Sendable () -> Void, onFailure: @escaping @Sendable (any Error) -> Void
    ) {
        let thread = Thread { [self] in
            while true {
                wakeup.wait()
                guard let bytes = takeAll() else { return }
                guard !bytes.isEmpty else { continue }
                do {
                    try write(bytes)
                    onWritten()
                } catch {
                    close()
                    onFailure(error)
                    return
                }
            }
        }
        thread.name = name
        thread.start()
    }

    /// Everything queued, joined; nil once closed.
    private func takeAll() -> [UInt8]? {
        state.withLock { state -> [UInt8]? in
            guard !state.isClosed else { return nil }
            defer {
                state.chunks.removeAll(keepingCapacity: true)
                state.byteCount = 0
            }
            if state.chunks.count == 1 { return state.chunks[0] }
            var joined: [UInt8] = []
            joined.reserveCapacity(state.byteCount)
            for chunk in state.chunks { joined.append(contentsOf: chunk) }
            return joined
        }
    }
}
