#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening TCP socket and the port it is bound to (the system's choice for port 0).
package struct ListeningSocket: Sendable {
    package let descriptor: Int32
    package let port: Int
    /// Whether `accept` returns at once (`.wouldBlock`) instead of waiting for a client.
    package let nonBlocking: Bool

    /// Binds `host:port` (an empty host: every interface; port 0: a free one) with SO_REUSEADDR,
    /// so a restart can reuse the port, and listens; tries each address the host resolves to.
    package static func bind(host: String, port: Int, backlog: Int32, nonBlocking: Bool) throws(SocketError) -> ListeningSocket {
        guard (0...65535).contains(port) else {
            throw SocketError(operation: "listen \(host):\(port)", reason: .message("port out of range"))
        }
        do throws(AddressResolution.Failure) {
            return try AddressResolution.first(host: host, port: port, passive: true) { info in
                try listen(on: info.pointee, host: host, port: port, backlog: backlog, nonBlocking: nonBlocking)
            }
        } catch {
            throw SocketError(resolving: host, port: port, operation: "bind", error)
        }
    }

    private static func listen(on info: addrinfo, host: String, port: Int, backlog: Int32,
                               nonBlocking: Bool) throws(SocketError) -> ListeningSocket {
        let fd = try Socket.create(family: info.ai_family, nonBlocking: nonBlocking)
        Socket.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        var failure: SocketError
        if Glibc.bind(fd, info.ai_addr, info.ai_addrlen) != 0 {
            failure = .fromErrno("bind \(host):\(port)")
        } else if Glibc.listen(fd, backlog) != 0 {
            failure = .fromErrno("listen \(host):\(port)")
        } else if let bound = SocketAddress.local(of: fd) {
            return ListeningSocket(descriptor: fd, port: bound.port, nonBlocking: nonBlocking)
        } else {
            failure = .fromErrno("getsockname")
        }
        Socket.close(fd)
        throw failure
    }

    /// The next client's socket (close-on-exec; non-blocking when the listener is).
    package func accept() -> Socket.AcceptResult {
        Socket.accept(descriptor, nonBlocking: nonBlocking)
    }

    /// Wakes a thread blocked in `accept`.
    package func shutdown() {
        Socket.shutdown(descriptor)
    }

    package func close() {
        Socket.close(descriptor)
    }
}

extension SocketError {
    /// The error of a step tried on every address of `host:port`: the failed resolution, or
    /// the last attempt's error.
    init(resolving host: String, port: Int, operation: String, _ failure: AddressResolution.Failure) {
        switch failure {
        case .unresolved(let reason):
            self.init(operation: "resolve \(host)", reason: .message(reason))
        case .everyAttempt(let last as SocketError):
            self = last
        case .everyAttempt(let last):
            self.init(operation: "\(operation) \(host):\(port)", reason: .message("\(last)"))
        }
    }
}
