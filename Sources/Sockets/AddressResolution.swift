#if canImport(Glibc)
import Glibc
#endif

/// `getaddrinfo` for TCP sockets: the addresses of `host:port`, each offered in turn to a
/// caller that opens a socket on it.
package enum AddressResolution {
    /// Why no address was usable: resolution failed, or every attempt did (the last one's error).
    package enum Failure: Error {
        case unresolved(String)
        case everyAttempt(any Error)
    }

    /// Calls `attempt` with each address `host:port` resolves to (`passive`: for binding; an empty
    /// `host` then means every interface) until one returns a value.
    package static func first<T>(host: String, port: Int, passive: Bool = false,
                                 _ attempt: (UnsafePointer<addrinfo>) throws -> T) throws(Failure) -> T {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(passive && host.isEmpty ? nil : host, String(port), &hints, &list)
        guard status == 0, let head = list else {
            throw .unresolved(status == 0 ? "no address" : String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError: any Error = Failure.unresolved("no address")
        var cursor: UnsafeMutablePointer<addrinfo>? = head
        while let info = cursor {
            cursor = info.pointee.ai_next
            do {
                return try attempt(UnsafePointer(info))
            } catch {
                lastError = error
            }
        }
        throw .everyAttempt(lastError)
    }
}
