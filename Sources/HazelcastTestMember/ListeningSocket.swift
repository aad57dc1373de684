import CSystemShims
import HazelcastClient
#if canImport(Glibc)
import Glibc
import Platform
#endif

/// A bound, listening TCP socket.
struct ListeningSocket: Sendable {
    let descriptor: Int32
    let port: Int

    /// Binds `host:port` (port 0 picks a free one) with SO_REUSEADDR so a restart can reuse the port.
    static func bind(host: String, port: Int) throws(HazelcastError) -> ListeningSocket {
        do throws(AddressResolution.Failure) {
            return try AddressResolution.first(host: host, port: port, passive: true) { info in
                try listen(on: info.pointee, host: host, port: port)
            }
        } catch {
            switch error {
            case .unresolved(let reason): throw .io("cannot resolve \(host): \(reason)")
            case .everyAttempt(let last): throw (last as? HazelcastError) ?? .io("bind \(host):\(port): \(last)")
            }
        }
    }

    private static func listen(on info: addrinfo, host: String, port: Int) throws(HazelcastError) -> ListeningSocket {
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .io("socket(): \(errnoText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard Glibc.bind(fd, info.ai_addr, info.ai_addrlen) == 0 else {
            let text = errnoText()
            Glibc.close(fd)
            throw .io("bind \(host):\(port): \(text)")
        }
        guard Glibc.listen(fd, 128) == 0 else {
            let text = errnoText()
            Glibc.close(fd)
            throw .io("listen: \(text)")
        }
        guard let bound = SocketAddress.local(of: fd) else {
            Glibc.close(fd)
            throw .io("getsockname: \(errnoText())")
        }
        return ListeningSocket(descriptor: fd, port: bound.port)
    }

    /// Blocks until a client connects; nil once the socket is shut down or fails.
    func accept() -> Int32? {
        while true {
            let fd = Glibc.accept(descriptor, nil, nil)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                return fd
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return nil
        }
    }

    /// Wakes a blocked `accept`.
    func shutdown() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    func close() {
        Glibc.close(descriptor)
    }
}

/// Reads socket addresses as host and port.
enum SocketAddress {
    /// The local address of a connected or bound socket.
    static func local(of fd: Int32) -> HazelcastAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { return nil }
        var hostBuffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var portBuffer = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &hostBuffer, socklen_t(hostBuffer.count), &portBuffer, socklen_t(portBuffer.count),
                            NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard result == 0 else { return nil }
        let host = String(decoding: hostBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let port = String(decoding: portBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return HazelcastAddress(host: host, port: Int(port) ?? 0)
    }
}
