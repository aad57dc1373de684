#if canImport(Glibc)
import Glibc
#endif

/// A numeric host and a port, as a socket's local or peer address reads.
package struct SocketAddress: Sendable, Equatable, CustomStringConvertible {
    package let host: String
    package let port: Int

    /// "host:port", for log lines.
    package var description: String { "\(host):\(port)" }

    /// The local address of a bound or connected socket; nil when it cannot be read.
    package static func local(of fd: Int32) -> SocketAddress? {
        read(fd) { getsockname($0, $1, $2) }
    }

    /// The address of a connected socket's peer; nil when it cannot be read.
    package static func peer(of fd: Int32) -> SocketAddress? {
        read(fd) { getpeername($0, $1, $2) }
    }

    private static func read(
        _ fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> Int32 in
                guard call(fd, address, &length) == 0 else { return -1 }
                return getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count),
                                   NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard result == 0, let port = Int(text(service)) else { return nil }
        return SocketAddress(host: text(host), port: port)
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
