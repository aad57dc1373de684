#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// The system calls of the test client: one blocking TCP connection to 127.0.0.1 (made by `Sockets`),
/// and its blocking sends and receives.
package enum LoopbackSocket {
    /// Connects to 127.0.0.1:`port`; every send and receive then fails after `timeout`.
    package static func connect(port: Int, timeout: Duration) throws -> Int32 {
        let fd: Int32
        do throws(SocketError) {
            fd = try Socket.connect(host: "127.0.0.1", port: port, timeout: timeout)
        } catch {
            throw TestHTTPClientError(description: error.description, code: error.errno)
        }
        Socket.setTimeouts(fd, send: timeout, receive: timeout)
        Socket.setNoDelay(fd)
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
        Socket.reset(fd)
    }

    /// Sends a FIN: the peer reads EOF, and this side can still receive.
    static func shutdownWrite(_ fd: Int32) {
        Socket.shutdownWrite(fd)
    }

    package static func close(_ fd: Int32) {
        Socket.close(fd)
    }
}
