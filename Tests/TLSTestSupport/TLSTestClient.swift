import COpenSSL
import HTTPTestClient
import OpenSSLSupport
#if canImport(Glibc)
import Glibc
#endif

/// A protocol version a test's client can be held to.
public enum TLSTestVersion: Int32, Sendable {
    case tls11 = 0x0302
    case tls12 = 0x0303
    case tls13 = 0x0304
}

/// What a test's TLS client presents and trusts.
public struct TLSTestIdentity: Sendable {
    /// The authority the server's certificate must chain to; nil: the server is not verified.
    public var caFile: String?
    /// A client certificate and its key, for mutual TLS.
    public var certificateFile: String?
    public var keyFile: String?
    /// Offer these ALPN protocols (nil: offer none).
    public var alpn: [String]? = ["http/1.1"]
    /// Restrict the client to this protocol version; nil: any.
    public var onlyVersion: TLSTestVersion?

    public init(caFile: String?, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// Why a test's TLS client failed, with OpenSSL's reasons (e.g. "certificate verify failed").
public struct TLSTestError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// A blocking TLS client over one loopback connection (hostname "localhost" verified), for tests:
/// call it only on a thread of its own (`blocking { }`). Every send and receive fails after `timeout`.
///
/// `@unchecked Sendable` is sound only for handing it from one `blocking { }` closure to the next:
/// it is never used by two threads at once (each test owns its clients and awaits each call).
public final class TLSTestClient: @unchecked Sendable {
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects and completes the handshake, offering `session` for resumption; throws `TLSTestError`.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public init(port: Int, identity: TLSTestIdentity, session: TLSTestSession? = nil,
                timeout: Duration = .seconds(60)) throws {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw Self.failure("SSL_CTX_new") }
        self.context = context
        if let version = identity.onlyVersion?.rawValue {
            _ = obf_ssl_ctx_set_min_proto_version(context, version)
            _ = obf_ssl_ctx_set_max_proto_version(context, version)
            // OpenSSL's default security level does not let a client offer TLS 1.0 or 1.1 at all.
            if version < obf_tls1_2_version() { _ = SSL_CTX_set_cipher_list(context, "DEFAULT:@SECLEVEL=0") }
        }
        if let caFile = identity.caFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                SSL_CTX_free(context)
                throw Self.failure("load CA \(caFile)")
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        }
        if let certificate = identity.certificateFile, let key = identity.keyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1,
                  SSL_CTX_use_PrivateKey_file(context, key, obf_ssl_filetype_pem()) == 1 else {
                SSL_CTX_free(context)
                throw Self.failure("load client certificate \(certificate)")
            }
        }
        if let alpn = identity.alpn {
            var wire: [UInt8] = []
            for name in alpn { wire.append(UInt8(name.utf8.count)); wire.append(contentsOf: name.utf8) }
            _ = SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count))
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw Self.failure("SSL_new")
        }
        self.ssl = ssl
        do {
            fd = try LoopbackSocket.connect(port: port, timeout: timeout)
        } catch {
            SSL_free(ssl)
            SSL_CTX_free(context)
            throw error
        }
        _ = obf_ssl_set_tlsext_host_name(ssl, "localhost")
        _ = SSL_set1_host(ssl, "localhost")
        if let session { _ = SSL_set_session(ssl, session.session) }
        guard let bio = obf_nosignal_bio_new(NoSignalSocketMethod.shared.method, fd) else {
            throw Self.failure("BIO")
        }
        SSL_set_bio(ssl, bio, bio)
        guard SSL_connect(ssl) == 1 else { throw Self.failure("handshake") }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
        LoopbackSocket.close(fd)
    }

    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }
    public var isResumed: Bool { SSL_session_reused(ssl) == 1 }

    public var alpnProtocol: String {
        var buffer = [CChar](repeating: 0, count: 32)
        obf_ssl_alpn_selected(ssl, &buffer, UInt32(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The common name of the server's certificate.
    public var peerCommonName: String {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return "" }
        defer { X509_free(certificate) }
        var name = [CChar](repeating: 0, count: 256)
        _ = X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, &name, Int32(name.count))
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The session to resume on a later connection (TLS 1.3 sends it after the first response).
    public var session: TLSTestSession? {
        SSL_get1_session(ssl).map(TLSTestSession.init)
    }

    /// Sends one request and reads its response (framed by Content-Length).
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [],
                        body: [UInt8]? = nil) throws -> TestHTTPResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        try write(Array((head + "\r\n").utf8) + (body ?? []))
        return try readResponse()
    }

    /// Writes bytes through TLS.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            let count = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { throw Self.failure("write") }
            offset += Int(count)
        }
    }

    /// Writes bytes on the socket itself, around TLS (a forged record).
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func writeAroundTLS(_ bytes: [UInt8]) throws {
        try LoopbackSocket.send(fd, bytes)
    }

    /// True when the server ended the connection (close_notify, EOF or an error) before any byte.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func isClosedByServer() -> Bool {
        (try? fill()) != true
    }

    /// Reads the next response (framed by Content-Length).
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func readResponse() throws -> TestHTTPResponse {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headEnd == nil { guard try fill() else { throw TLSTestError(description: "closed before a response") } }
        }
        guard let headEnd else { throw TLSTestError(description: "no head") }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n").map(String.init)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw TLSTestError(description: "bad status line")
        }
        let fields = lines.compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = fields.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        let start = headEnd + 4
        while buffer.count - start < length {
            guard try fill() else { throw TLSTestError(description: "closed in the body") }
        }
        let body = Array(buffer[start..<(start + length)])
        buffer.removeFirst(start + length)
        return TestHTTPResponse(status: status, fields: fields, body: body)
    }

    /// Reads more decrypted bytes; false at the end of the stream.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        ERR_clear_error()
        let count = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        if count > 0 {
            buffer.append(contentsOf: chunk[0..<Int(count)])
            return true
        }
        let code = SSL_get_error(ssl, count)
        if code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && errno == 0) { return false }
        throw Self.failure("read")
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    private static func failure(_ what: String) -> TLSTestError {
        TLSTestError(description: "TLS \(what): \(OpenSSLErrorQueue.drainText())")
    }
}

/// A TLS session kept for resumption.
///
/// `@unchecked Sendable` is sound: an `SSL_SESSION` is reference counted with internal locking and
/// never modified after it is handed here.
public final class TLSTestSession: @unchecked Sendable {
    let session: OpaquePointer

    init(_ session: OpaquePointer) {
        self.session = session
    }

    deinit {
        SSL_SESSION_free(session)
    }
}
