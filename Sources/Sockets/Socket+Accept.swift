import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

extension Socket {
    /// What one `accept` gave.
    package enum AcceptResult: Sendable {
        case accepted(Int32)
        /// A non-blocking listener has no client waiting.
        case wouldBlock
        /// Out of descriptors or memory: stop accepting for a moment.
        case exhausted(Int32)
        /// Any other errno, e.g. EINVAL once the listener is shut down.
        case failed(Int32)
    }

    /// Accepts a client of `listener` (close-on-exec; non-blocking when asked), retrying after a
    /// signal or a client that left before it was accepted.
    package static func accept(_ listener: Int32, nonBlocking: Bool) -> AcceptResult {
        let flags = SOCK_CLOEXEC.rawValue | (nonBlocking ? SOCK_NONBLOCK.rawValue : 0)
        while true {
            let fd = accept4(listener, nil, nil, Int32(flags))
            if fd >= 0 { return .accepted(fd) }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EAGAIN, EWOULDBLOCK:
                return .wouldBlock
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                return .exhausted(errno)
            default:
                return .failed(errno)
            }
        }
    }
}
