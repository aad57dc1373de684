import COpenSSL
import OpenSSLSupport
#if canImport(Glibc)
import Glibc
#endif

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
            try checkReadable(caFile, what: "CA file")
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
        if let clientCAFile {
            try checkReadable(clientCAFile, what: "client CA file")
            ERR_clear_error()
            guard SSL_CTX_load_verify_locations(tls.context, clientCAFile, nil) == 1,
                  let names = SSL_load_client_CA_file(clientCAFile) else {
                throw .invalidArgument("TLS: cannot load client CA file '\(clientCAFile)': \(OpenSSLErrorQueue.drainText())")
            }
            SSL_CTX_set_client_CA_list(tls.context, names)
            SSL_CTX_set_verify(tls.context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        } else {
            SSL_CTX_set_verify(tls.context, SSL_VERIFY_NONE, nil)
        }
        return tls
    }

    private static func make(method: OpaquePointer?, peerCheck: PeerCheck?) throws(HazelcastError) -> TLSContext {
        ERR_clear_error()
        guard let context = SSL_CTX_new(method) else {
            throw .io("TLS: cannot create an OpenSSL context: \(OpenSSLErrorQueue.drainText())")
        }
        let tls = TLSContext(context: context, peerCheck: peerCheck)
        guard obf_ssl_ctx_set_min_proto_version(context, obf_tls1_2_version()) == 1 else {
            throw .io("TLS: cannot require TLS 1.2: \(OpenSSLErrorQueue.drainText())")
        }
        SSL_CTX_set_options(context, obf_ssl_default_options())
        _ = obf_ssl_ctx_set_mode(context, obf_ssl_default_mode())
        return tls
    }

    private func useIdentity(certificateFile: String, privateKeyFile: String) throws(HazelcastError) {
        try Self.checkReadable(certificateFile, what: "certificate file")
        try Self.checkReadable(privateKeyFile, what: "private key file")
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            throw .invalidArgument("TLS: cannot load certificate file '\(certificateFile)': \(OpenSSLErrorQueue.drainText())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKeyFile, obf_ssl_filetype_pem()) == 1 else {
            throw .invalidArgument("TLS: cannot load private key file '\(privateKeyFile)': \(OpenSSLErrorQueue.drainText())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw .invalidArgument(
                "TLS: private key '\(privateKeyFile)' does not match certificate '\(certificateFile)': \(OpenSSLErrorQueue.drainText())")
        }
    }

    private static func checkReadable(_ path: String, what: String) throws(HazelcastError) {
        guard access(path, R_OK) == 0 else {
            throw .invalidArgument("TLS: \(what) '\(path)' is not readable: \(String(cString: strerror(errno)))")
        }
    }
}
