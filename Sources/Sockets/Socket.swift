import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

/// The socket system calls the modules share: creating, closing and shutting down a TCP socket.
/// Listening, accepting, connecting, options, addresses and non-blocking I/O are in the
/// `Socket+...` files beside this one.
package enum Socket {
    /// A new TCP socket of `family`, close-on-exec, and non-blocking when asked.
    static func create(family: Int32, protocol: Int32 = 0, nonBlocking: Bool) throws(SocketError) -> Int32 {
        let type = SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | (nonBlocking ? SOCK_NONBLOCK.rawValue : 0)
        let fd = socket(family, Int32(type), `protocol`)
        guard fd >= 0 else { throw .fromErrno("socket") }
        return fd
    }

    package static func close(_ fd: Int32) {
        // The descriptor is gone after close even on EINTR (Linux), so never retry.
        _ = Glibc.close(fd)
    }

    /// Sends a FIN: the peer reads EOF, and this side can still receive.
    package static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Ends both directions: wakes a thread blocked in `accept`, `recv` or `send` on `fd`.
    package static func shutdown(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Closes with an RST instead of a FIN (SO_LINGER 0).
    package static func reset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }
}
