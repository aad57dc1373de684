#if canImport(Glibc)
import Glibc
#endif

extension Socket {
    /// Waits until `fd` is ready for `events` (`POLLIN`, `POLLOUT`) or `milliseconds` pass (-1: no
    /// limit), restarting after a signal: 1 when ready, 0 on timeout, -1 on failure (with `errno`).
    /// Blocks the calling thread: call it off the Swift concurrency pool.
    package static func poll(_ fd: Int32, events: Int32, milliseconds: Int32) -> Int32 {
        var poller = pollfd(fd: fd, events: Int16(events), revents: 0)
        var ready: Int32
        repeat { ready = Glibc.poll(&poller, 1, milliseconds) } while ready < 0 && errno == EINTR
        return ready
    }

    /// What one read or send on a non-blocking socket gave.
    package enum IOResult {
        case bytes(Int)
        case wouldBlock
        case closed
        case failed(Int32)
    }

    /// Reads once from a non-blocking socket, retrying after a signal.
    package static func read(_ fd: Int32, into buffer: UnsafeMutableBufferPointer<UInt8>) -> IOResult {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(errno)
            }
        }
    }

    /// Sends once on a non-blocking socket without raising SIGPIPE on a vanished peer.
    package static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> IOResult {
        while true {
            let count = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .bytes(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            default: return .failed(errno)
            }
        }
    }
}
