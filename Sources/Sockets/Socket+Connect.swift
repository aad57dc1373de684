#if canImport(Glibc)
import Glibc
#endif

extension Socket {
    /// Resolves `host:port` and connects, trying every resolved address within `timeout` each;
    /// returns the connected blocking socket (close-on-exec, no options set), which the caller owns.
    /// Blocks the calling thread: call it off the Swift concurrency pool.
    package static func connect(host: String, port: Int, timeout: Duration) throws(SocketError) -> Int32 {
        do throws(AddressResolution.Failure) {
            return try AddressResolution.first(host: host, port: port) { info in
                try connect(info.pointee, timeout: timeout, target: "\(host):\(port)")
            }
        } catch {
            throw SocketError(resolving: host, port: port, operation: "connect to", error)
        }
    }

    /// Connects a new socket to one resolved address: a non-blocking connect, a poll for at most
    /// `timeout`, then back to blocking.
    private static func connect(_ info: addrinfo, timeout: Duration, target: String) throws(SocketError) -> Int32 {
        let fd = try create(family: info.ai_family, protocol: info.ai_protocol, nonBlocking: true)
        var success = false
        defer { if !success { close(fd) } }
        if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) != 0 {
            guard errno == EINPROGRESS else { throw .fromErrno("connect to \(target)") }
            let millis = Int32(clamping: max(1, Int(timeout / .milliseconds(1))))
            let ready = poll(fd, events: POLLOUT, milliseconds: millis)
            guard ready > 0 else {
                throw ready == 0 ? SocketError(operation: "connect to \(target)", reason: .timedOut(timeout)) : .fromErrno("poll")
            }
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else {
                throw SocketError(operation: "connect to \(target)", reason: .system(socketError))
            }
        }
        setNonBlocking(fd, false)
        success = true
        return fd
    }
}
