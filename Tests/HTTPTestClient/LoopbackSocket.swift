#if canImport(Glibc)
import Glibc
#endif

/// The system calls of the test client: one blocking TCP connection to 127.0.0.1.
package enum LoopbackSocket {
    /// Connects to 127.0.0.1:`port`; every send and receive then fails after `timeout`.
    package static func connect(port: Int, timeout: Duration) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestHTTPClientError.system("socket") }
        var limit = timeval()
        let (seconds, attoseconds) = timeout.components
        limit.tv_sec = Int(seconds)
        limit.tv_usec = Int(attoseconds / 1_000_000_000_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = TestHTTPClientError.system("connect to port \(port)")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    package static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }   // a signal (a child process ending), not an error
            guard count > 0 else { throw TestHTTPClientError.system("send") }
            offset += count
        }
    }

    /// Appends what one receive returns to `buffer`; false on EOF. Throws on timeout or error.
    static func receive(_ fd: Int32, into buffer: inout [UInt8]) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var count: Int
        repeat {
            count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        } while count < 0 && errno == EINTR
        guard count >= 0 else { throw TestHTTPClientError.system("recv") }
        buffer.append(contentsOf: chunk[0..<count])
        return count > 0
    }

    /// Closes with an RST instead of a FIN (SO_LINGER 0).
    static func reset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        Glibc.close(fd)
    }

    /// Sends a FIN: the peer reads EOF, and this side can still receive.
    static func shutdownWrite(_ fd: Int32) {
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    package static func close(_ fd: Int32) {
        Glibc.close(fd)
    }
}
