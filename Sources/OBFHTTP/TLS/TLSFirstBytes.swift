#if canImport(Glibc)
import Glibc
#endif

/// What the first bytes a client sent to the TLS port look like, read without consuming them.
enum TLSFirstBytes {
    /// A TLS record of the handshake type starts with this byte.
    private static let handshakeRecord: UInt8 = 0x16

    enum Kind {
        /// Nothing has arrived yet.
        case nothing
        /// The client closed (or reset) before sending anything.
        case closed
        /// A handshake record: OpenSSL takes over.
        case tls
        /// An HTTP request line ("GET / HTTP/1.1" ...): a client using http:// on the https port.
        case plainHTTP
        /// Anything else; OpenSSL refuses it.
        case other
    }

    static func peek(_ fd: Int32) -> Kind {
        var byte: UInt8 = 0
        while true {
            let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            if count == 1 { break }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .nothing
            default: return .closed
            }
        }
        if byte == handshakeRecord { return .tls }
        // Every method token of a request line starts with an upper-case letter.
        return (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? .plainHTTP : .other
    }
}
