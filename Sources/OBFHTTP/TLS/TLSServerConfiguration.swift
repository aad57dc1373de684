/// What an `HTTPServer` serving HTTPS presents and requires: a PEM certificate chain and its key,
/// and optionally the authorities whose client certificates it accepts (mutual TLS).
public struct TLSServerConfiguration: Sendable, Equatable {
    /// The server's certificate first, then its intermediates (PEM).
    public var certificateFile: String
    /// The private key of the certificate (PEM, unencrypted).
    public var privateKeyFile: String
    /// When set, every client must present a certificate issued by one of these authorities (PEM).
    public var clientCAFile: String?
    /// How long a session may be resumed (tickets and the session cache).
    public var sessionLifetime: Duration

    public init(certificateFile: String, privateKeyFile: String, clientCAFile: String? = nil,
                sessionLifetime: Duration = .seconds(3600)) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
        self.sessionLifetime = sessionLifetime
    }
}

/// Why the server closed a TLS connection before reading any request from it.
public enum TLSRefusal: String, Sendable, CaseIterable {
    /// The first bytes were a plain HTTP request, not a TLS record.
    case plainHTTP = "plain_http"
    /// The handshake failed: not TLS, an old protocol version, no client certificate or one of an
    /// unknown authority, no common ALPN protocol, or a peer gone half-way.
    case handshakeFailed = "handshake_failed"
    /// The handshake was not complete within the request timeout.
    case handshakeTimeout = "handshake_timeout"
}
