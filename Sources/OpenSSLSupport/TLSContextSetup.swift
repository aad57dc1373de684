import COpenSSL
#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// A step of setting up an `SSL_CTX` that failed, e.g. "cannot load certificate file '/etc/cert.pem':
/// no start line"; each TLS side wraps it in its own error.
package struct TLSSetupFailure: Error, Sendable {
    package let message: String

    package init(_ message: String) {
        self.message = message
    }
}

/// The steps of setting up an `SSL_CTX` that both TLS sides take: a context requiring TLS 1.2 or
/// later, the certificate chain and private key it presents, and the client certificates it requires.
package enum TLSContextSetup {
    /// A new context for `method`: TLS 1.2 or later, the default options (with `options` added)
    /// and mode. The caller owns it.
    package static func newContext(_ method: OpaquePointer?, options: UInt64 = 0) throws(TLSSetupFailure) -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(method) else {
            throw TLSSetupFailure("cannot create an OpenSSL context: \(OpenSSLErrorQueue.drainText())")
        }
        guard obf_ssl_ctx_set_min_proto_version(context, obf_tls1_2_version()) == 1 else {
            let failure = TLSSetupFailure("cannot require TLS 1.2: \(OpenSSLErrorQueue.drainText())")
            SSL_CTX_free(context)
            throw failure
        }
        SSL_CTX_set_options(context, obf_ssl_default_options() | options)
        _ = obf_ssl_ctx_set_mode(context, obf_ssl_default_mode())
        return context
    }

    /// Presents the PEM certificate chain of `certificateFile` with the key of `privateKeyFile`,
    /// which must match.
    package static func useIdentity(_ context: OpaquePointer, certificateFile: String,
                                    privateKeyFile: String) throws(TLSSetupFailure) {
        try checkReadable(certificateFile, what: "certificate file")
        try checkReadable(privateKeyFile, what: "private key file")
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            throw TLSSetupFailure("cannot load certificate file '\(certificateFile)': \(OpenSSLErrorQueue.drainText())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKeyFile, obf_ssl_filetype_pem()) == 1 else {
            throw TLSSetupFailure("cannot load private key file '\(privateKeyFile)': \(OpenSSLErrorQueue.drainText())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSSetupFailure("private key '\(privateKeyFile)' does not match certificate '\(certificateFile)': "
                + OpenSSLErrorQueue.drainText())
        }
    }

    /// With `caFile`, a server requires a client certificate issued by one of its authorities
    /// (verified with `SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT` and `verifyFlags`);
    /// without, it asks for none.
    package static func verifyClients(_ context: OpaquePointer, caFile: String?,
                                      verifyFlags: Int32 = 0) throws(TLSSetupFailure) {
        guard let caFile else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
            return
        }
        try checkReadable(caFile, what: "client CA file")
        ERR_clear_error()
        guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1,
              let names = SSL_load_client_CA_file(caFile) else {
            throw TLSSetupFailure("cannot load client CA file '\(caFile)': \(OpenSSLErrorQueue.drainText())")
        }
        SSL_CTX_set_client_CA_list(context, names)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | verifyFlags, nil)
    }

    /// Fails, naming `what` and `path`, unless the file can be read.
    package static func checkReadable(_ path: String, what: String) throws(TLSSetupFailure) {
        guard access(path, R_OK) == 0 else {
            throw TLSSetupFailure("\(what) '\(path)' is not readable: \(errnoMessage(errno))")
        }
    }
}
