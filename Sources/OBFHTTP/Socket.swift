import CSystemShims
import Platform
#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the socket system calls the server uses.
enum Socket {
    /// Creates a non-blocking listening socket; returns it and the bound port.
    static func listen(host: String, port: Int, backlog: Int32 = 1024) throws -> (fd: Int32, port: Int) {
        guard (0...65535).contains(port) else {
            throw HTTPServerError(operation: "listen \(host):\(port)", message: "port out of range")
        }
        do throws(AddressResolution.Failure) {
            return try AddressResolution.first(host: host, port: port, passive: true) { info in
                try listenOn(info.pointee, host: host, port: port, backlog: backlog)
            }
        } catch {
            switch error {
            case .unresolved(let reason): throw HTTPServerError(operation: "resolve \(host)", message: reason)
            case .everyAttempt(let last):
                throw (last as? HTTPServerError) ?? HTTPServerError(operation: "bind \(host):\(port)", message: "\(last)")
            }
        }
    }

    /// A non-blocking socket listening on one resolved address, and its bound port.
    private static func listenOn(_ info: addrinfo, host: String, port: Int, backlog: Int32) throws -> (fd: Int32, port: Int) {
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError.fromErrno("socket") }
        setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        var failure: HTTPServerError?
        if bind(fd, info.ai_addr, info.ai_addrlen) != 0 {
            failure = .fromErrno("bind \(host):\(port)")
        } else if Glibc.listen(fd, backlog) != 0 {
            failure = .fromErrno("listen \(host):\(port)")
        } else if let bound = localPort(fd) {
            return (fd, bound)
        } else {
            failure = .fromErrno("getsockname")
        }
        close(fd)
        throw failure ?? HTTPServerError(operation: "bind \(host):\(port)", message: "no usable address")
    }

    static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }

    /// The peer's address as "host:port" (numeric), for log lines; nil when it cannot be read.
    static func peerAddress(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> Int32 in
                guard getpeername(fd, address, &length) == 0 else { return -1 }
                return getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                                   NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard result == 0 else { return nil }
        return "\(ASCII.text(ofCString: host)):\(ASCII.text(ofCString: service))"
    }

    enum AcceptResult {
        case accepted(Int32)
        case wouldBlock
        /// Out of descriptors or memory: stop accepting for a moment.
        case exhausted(Int32)
        case failed(Int32)
    }

    static func accept(_ listener: Int32) -> AcceptResult {
        while true {
            let fd = accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            if fd >= 0 {
                setOption(fd, level: Int32(IPPROTO_TCP), name: Int32(TCP_NODELAY), value: 1)
                return .accepted(fd)
            }
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

    enum IOResult {
        case bytes(Int)
        case wouldBlock
        case closed
        case failed(Int32)
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableBufferPointer<UInt8>) -> IOResult {
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

    /// Sends without raising SIGPIPE on a vanished peer.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> IOResult {
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

    static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    static func close(_ fd: Int32) {
        // The descriptor is gone after close even on EINTR (Linux), so never retry.
        _ = Glibc.close(fd)
    }

    static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) {
        var value = value
        _ = setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}
