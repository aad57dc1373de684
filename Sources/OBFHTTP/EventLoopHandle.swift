import CSystemShims
import Locking
#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// Something for an event loop to do on its own thread.
enum LoopMessage: Sendable {
    /// Take over an accepted connection; `rejected` ones are answered 503 and closed.
    case adopt(fd: Int32, rejected: Bool)
    /// A deferred handler of connection `connectionId` (on descriptor `fd`) finished.
    case deferredResult(fd: Int32, connectionId: UInt64, response: HTTPResponse)
    /// Stop accepting, close idle connections, force-close the rest at `deadline` (monotonic ns).
    case shutdown(deadline: UInt64)
}

/// The thread-safe side of an event loop: its epoll and wake descriptors and its inbox.
final class EventLoopHandle: Sendable {
    private struct Inbox {
        var messages: [LoopMessage] = []
        var closed = false
    }

    let epoll: Epoll
    let wakeFD: Int32
    private let inbox = Locked(Inbox())

    init() throws {
        epoll = try Epoll.make()
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = HTTPServerSetupError.fromErrno("eventfd")
            Socket.close(epoll.fd)
            throw error
        }
        epoll.add(wakeFD, events: Epoll.readable)
    }

    /// Queues `message` and wakes the loop; false once the loop has exited.
    @discardableResult
    func post(_ message: LoopMessage) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.closed else { return false }
            inbox.messages.append(message)
            if inbox.messages.count == 1 {
                // Written under the lock so the descriptor cannot be closed meanwhile.
                var one: UInt64 = 1
                _ = write(wakeFD, &one, 8)
            }
            return true
        }
    }

    /// Clears the wake-up and takes the queued messages (loop thread only).
    func drain() -> [LoopMessage] {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
        return inbox.withLock { inbox in
            let messages = inbox.messages
            inbox.messages = []
            return messages
        }
    }

    /// Refuses further messages, returns those left, and closes the descriptors (loop thread, on exit).
    func close() -> [LoopMessage] {
        let left = inbox.withLock { inbox in
            inbox.closed = true
            let messages = inbox.messages
            inbox.messages = []
            return messages
        }
        Socket.close(wakeFD)
        Socket.close(epoll.fd)
        return left
    }
}
