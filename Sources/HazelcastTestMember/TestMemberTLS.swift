/// TLS configuration of a `HazelcastTestMember` (server side, OpenSSL, TLS 1.2 or later).
public struct TestMemberTLS: Sendable, Equatable {
    /// PEM file of the member certificate, optionally followed by its intermediates.
    public var certificateFile: String
    /// PEM file of the member certificate's private key (unencrypted).
    public var privateKeyFile: String
    /// PEM file of the authorities client certificates must be issued by; when set, every client
    /// must present such a certificate (mutual TLS).
    public var clientCAFile: String?
    /// Time a client has to complete the handshake after connecting.
    public var handshakeTimeout: Duration

    public init(
        certificateFile: String, privateKeyFile: String, clientCAFile: String? = nil,
        handshakeTimeout: Duration = .seconds(5)
    ) {
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
        self.handshakeTimeout = handshakeTimeout
    }
}
