import CSystemShims
#if canImport(Glibc)
import Glibc
#endif

extension Socket {
    /// Sets an integer option; failures are ignored (every option here is an optimisation or a bound).
    package static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// TCP_NODELAY: small writes leave at once.
    package static func setNoDelay(_ fd: Int32) {
        setOption(fd, level: Int32(IPPROTO_TCP), name: Int32(TCP_NODELAY), value: 1)
    }

    /// SO_KEEPALIVE: the kernel probes an idle peer.
    package static func setKeepAlive(_ fd: Int32) {
        setOption(fd, level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)
    }

    /// SO_SNDTIMEO and SO_RCVTIMEO: a blocking send or receive fails after the given time (nil: unchanged).
    package static func setTimeouts(_ fd: Int32, send: Duration?, receive: Duration?) {
        for (name, limit) in [(SO_SNDTIMEO, send), (SO_RCVTIMEO, receive)] {
            guard let limit else { continue }
            let micros = Int(limit / .microseconds(1))
            var value = timeval(tv_sec: micros / 1_000_000, tv_usec: micros % 1_000_000)
            setsockopt(fd, SOL_SOCKET, name, &value, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// Sets or clears O_NONBLOCK; false when the flags cannot be read or written.
    @discardableResult
    package static func setNonBlocking(_ fd: Int32, _ nonBlocking: Bool) -> Bool {
        let flags = fcntl(fd, F_GETFL, 0)
        guard flags >= 0 else { return false }
        return fcntl(fd, F_SETFL, nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) == 0
    }
}
