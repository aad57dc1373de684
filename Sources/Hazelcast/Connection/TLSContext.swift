import COpenSSL
import OpenSSLSupport

/// An OpenSSL `SSL_CTX` for one side of TLS connections, with the certificates and trust it was
/// configured with: TLS 1.2 or later, peer certificates verified, no renegotiation.
///
/// `@unchecked Sendable` is sound: the context is fully configured inside the factory methods,
/// before the object is visible to any other thread, and is never modified afterwards; OpenSSL
/// documents `SSL_new` on a shared, no longer modified `SSL_CTX` as safe from several threads
/// (its reference count and caches are locked internally). `context` is freed only in
/// `deinit`, and every `SSL` made from it holds its own reference.
package final class TLSContext: @unchecked Sendable {
    /// What a client checks on the member's certificate, beyond the chain.
    package struct PeerCheck: Sendable {
        /// Check that the certificate is issued for the host (DNS name or IP address).
        var verifyHostname: Bool
        /// The host to send as SNI and to verify; nil: the host of the address connected to.
        var serverName: String?
    }

    let context: OpaquePointer
    /// Set for a client context; nil for a server one.
    let peerCheck: PeerCheck?

    private init(context: OpaquePointer, peerCheck: PeerCheck?) {
        self.context = context
        self.peerCheck = peerCheck
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// A client context from the client configuration; unreadable or invalid files throw
    /// `.invalidArgument` naming the file and OpenSSL's reason.
    package static func client(_ configuration: HazelcastTLSConfiguration) throws(HazelcastError) -> TLSContext {
        try configuration.validate()
        let tls = try make(method: TLS_client_method(), peerCheck: PeerCheck(
            verifyHostname: configuration.verifyHostname, serverName: configuration.serverName))
        if let caFile = configuration.caFile {
            try invalidArgument { () throws(TLSSetupFailure) in try TLSContextSetup.checkReadable(caFile, what: "CA file") }
            ERR_clear_error()
            guard SSL_CTX_load_verify_locations(tls.context, caFile, nil) == 1 else {
                throw .invalidArgument("TLS: cannot load CA file '\(caFile)': \(OpenSSLErrorQueue.drainText())")
            }
        } else {
            ERR_clear_error()
            guard SSL_CTX_set_default_verify_paths(tls.context) == 1 else {
                throw .invalidArgument("TLS: cannot load the system trust store: \(OpenSSLErrorQueue.drainText())")
            }
        }
        SSL_CTX_set_verify(tls.context, SSL_VERIFY_PEER, nil)
        if let certificateFile = configuration.certificateFile, let privateKeyFile = configuration.privateKeyFile {
            try tls.useIdentity(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        }
        return tls
    }

    /// A server context presenting `certificateFile`; with `clientCAFile`, clients must present a
    /// certificate issued by one of its authorities.
    package static func server(
        certificateFile: String, privateKeyFile: String, clientCAFile: String?
    ) throws(HazelcastError) -> TLSContext {
        let tls = try make(method: TLS_server_method(), peerCheck: nil)
        try tls.useIdentity(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        // No resumption tickets: nothing resumes a connection, and a client then reads no post-handshake message.
        SSL_CTX_set_num_tickets(tls.context, 0)
        try invalidArgument { () throws(TLSSetupFailure) in
            try TLSContextSetup.verifyClients(tls.context, caFile: clientCAFile)
        }
        return tls
    }

    private static func make(method: OpaquePointer?, peerCheck: PeerCheck?) throws(HazelcastError) -> TLSContext {
        do {
            return TLSContext(context: try TLSContextSetup.newContext(method), peerCheck: peerCheck)
        } catch {
            throw .io("TLS: \(error.message)")
        }
    }

    private func useIdentity(certificateFile: String, privateKeyFile: String) throws(HazelcastError) {
        try Self.invalidArgument { () throws(TLSSetupFailure) in
            try TLSContextSetup.useIdentity(context, certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        }
    }

    /// Runs shared set-up steps, their failure as an invalid configuration.
    private static func invalidArgument(_ steps: () throws(TLSSetupFailure) -> Void) throws(HazelcastError) {
        do {
            try steps()
        } catch {
            throw .invalidArgument("TLS: \(error.message)")
        }
    }
}
