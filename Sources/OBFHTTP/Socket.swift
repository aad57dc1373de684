import CSystemShims
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
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let text = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw HTTPServerError(operation: "resolve \(host)", message: text)
        }
        defer { freeaddrinfo(list) }

        var lastError = HTTPServerError(operation: "bind \(host):\(port)", message: "no usable address")
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 {
                lastError = .fromErrno("socket")
                continue
            }
            setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                lastError = .fromErrno("bind \(host):\(port)")
                close(fd)
                continue
            }
            if Glibc.listen(fd, backlog) != 0 {
                lastError = .fromErrno("listen \(host):\(port)")
                close(fd)
                continue
            }
            guard let bound = localPort(fd) else {
                lastError = .fromErrno("getsockname")
                close(fd)
                continue
            }
            return (fd, bound)
        }
        throw lastError
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
