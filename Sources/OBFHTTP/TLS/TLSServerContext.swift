import COpenSSL
import OpenSSLSupport

/// One loaded certificate and key as an OpenSSL server `SSL_CTX`: TLS 1.2 or later (1.3
/// preferred), forward-secret AEAD ciphers only, ALPN `http/1.1`, no renegotiation, no
/// compression, no 0-RTT data, session resumption by ticket and by cached session id, and, with a
/// client CA file, a verified client certificate required.
///
/// `@unchecked Sendable` is sound: the context is fully configured in `load(_:)`, before the object
/// is visible to any other thread, and is never modified afterwards; OpenSSL documents `SSL_new`
/// on a shared, no longer modified `SSL_CTX` as safe from several threads (its reference count,
/// session cache and ticket keys are locked internally). `context` is freed only in `deinit`, and
/// every `SSL` made from it holds its own reference, so connections outlive a replaced context.
final class TLSServerContext: @unchecked Sendable {
    /// TLS 1.2 suites: ECDHE key exchange and AEAD only (TLS 1.3's defaults are all of that kind).
    static let tls12Ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        + "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        + "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    /// Distinguishes this server's sessions from any other's in a shared cache (required with client certificates).
    private static let sessionIDContext: [UInt8] = Array("obf-api".utf8)

    let context: OpaquePointer
    /// The certificate's end of validity, as OpenSSL prints it (e.g. "Jan  2 03:04:05 2027 GMT").
    let notAfter: String

    private init(context: OpaquePointer, notAfter: String) {
        self.context = context
        self.notAfter = notAfter
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// Reads the files and builds the context; an unreadable file, a key that does not match the
    /// certificate, an expired certificate or an unusable client CA file throw, naming the file.
    static func load(_ configuration: TLSServerConfiguration) throws(HTTPServerSetupError) -> TLSServerContext {
        let context = try setUp { () throws(TLSSetupFailure) in
            try TLSContextSetup.newContext(TLS_server_method(), options: obf_ssl_server_options())
        }
        var owned: OpaquePointer? = context
        defer { if let owned { SSL_CTX_free(owned) } }
        guard SSL_CTX_set_cipher_list(context, tls12Ciphers) == 1 else {
            throw failure("cannot restrict protocols and ciphers: \(OpenSSLErrorQueue.drainText())")
        }
        obf_ssl_ctx_select_http11(context)
        _ = SSL_CTX_set_max_early_data(context, 0)
        _ = obf_ssl_ctx_enable_server_session_cache(context, 20_000)
        _ = SSL_CTX_set_timeout(context, Int(max(1, configuration.sessionLifetime.components.seconds)))
        _ = sessionIDContext.withUnsafeBufferPointer {
            SSL_CTX_set_session_id_context(context, $0.baseAddress, UInt32($0.count))
        }
        let notAfter = try useIdentity(context, configuration)
        try setUp { () throws(TLSSetupFailure) in
            // Verified once, in the handshake: no post-handshake authentication, no renegotiation.
            try TLSContextSetup.verifyClients(context, caFile: configuration.clientCAFile,
                                              verifyFlags: SSL_VERIFY_CLIENT_ONCE)
        }
        if configuration.clientCAFile != nil {
            SSL_CTX_set_verify_depth(context, 8)
        }
        owned = nil
        return TLSServerContext(context: context, notAfter: notAfter)
    }

    private static func useIdentity(_ context: OpaquePointer,
                                    _ configuration: TLSServerConfiguration) throws(HTTPServerSetupError) -> String {
        let certificateFile = configuration.certificateFile
        try setUp { () throws(TLSSetupFailure) in
            try TLSContextSetup.useIdentity(context, certificateFile: certificateFile,
                                            privateKeyFile: configuration.privateKeyFile)
        }
        guard let certificate = SSL_CTX_get0_certificate(context), let end = X509_get0_notAfter(certificate) else {
            throw failure("certificate file '\(certificateFile)' holds no certificate")
        }
        // -1: the end of validity is before now; 0: it cannot be read.
        guard X509_cmp_current_time(end) > 0 else {
            throw failure("certificate '\(certificateFile)' has expired (not after \(text(of: end)))")
        }
        return text(of: end)
    }

    /// An ASN.1 time as OpenSSL prints it.
    private static func text(of time: UnsafePointer<ASN1_TIME>) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "?" }
        defer { BIO_free(bio) }
        guard ASN1_TIME_print(bio, time) == 1 else { return "?" }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        return count > 0 ? String(decoding: buffer[0..<Int(count)], as: UTF8.self) : "?"
    }

    /// Runs shared set-up steps, their failure as this server's.
    private static func setUp<T>(_ steps: () throws(TLSSetupFailure) -> T) throws(HTTPServerSetupError) -> T {
        do {
            return try steps()
        } catch {
            throw failure(error.message)
        }
    }

    private static func failure(_ message: String) -> HTTPServerSetupError {
        HTTPServerSetupError(operation: "TLS", message: message)
    }
}
