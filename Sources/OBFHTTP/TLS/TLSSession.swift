import COpenSSL
import OpenSSLSupport
#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// The server side of one TLS connection over a non-blocking socket: every call returns at once,
/// saying whether the socket must become readable or writable before the call is tried again.
///
/// Owned by its `HTTPConnection` and used only on its event loop's thread (an `SSL` must never be used
/// by two threads at once; OpenSSL's error queue is per thread, and each call clears it first).
/// The socket is reached through the MSG_NOSIGNAL BIO, which never closes it: the loop does.
final class TLSSession {
    /// The most plaintext one TLS record carries: a read into at least this much room takes a
    /// whole record, so nothing is left decrypted inside OpenSSL where epoll cannot see it.
    static let maxRecordPayload = 16 * 1024

    enum Step {
        case done
        case wantRead
        case wantWrite
        /// The peer closed (close_notify or end of stream).
        case closed
        case failed(String)
    }

    enum ReadResult {
        case bytes(Int)
        case step(Step)
    }

    /// Holds its own reference on the `SSL_CTX` it was made from, so the certificate and
    /// configuration the connection started with outlive a reload.
    private let ssl: OpaquePointer
    private(set) var isEstablished = false
    /// After a fatal error the session must not send close_notify.
    private var hasFailed = false

    init?(context: TLSServerContext, fd: Int32) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else {
            ERR_clear_error()
            return nil
        }
        guard let bio = obf_nosignal_bio_new(NoSignalSocketMethod.shared.method, fd) else {
            SSL_free(ssl)
            ERR_clear_error()
            return nil
        }
        SSL_set_bio(ssl, bio, bio)
        SSL_set_accept_state(ssl)
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
    }

    /// Advances the handshake; `.done` once it is complete.
    func handshake() -> Step {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isEstablished = true
            return .done
        }
        return step(after: result)
    }

    /// Decrypted bytes into `buffer` (one record at most), or why there are none.
    func read(into buffer: UnsafeMutableBufferPointer<UInt8>) -> ReadResult {
        ERR_clear_error()
        let count = SSL_read(ssl, buffer.baseAddress, Int32(clamping: buffer.count))
        return count > 0 ? .bytes(Int(count)) : .step(step(after: count))
    }

    /// Encrypts and sends from `bytes` (one record at most); a retry after `.wouldBlock` passes
    /// the same bytes again, perhaps from another address and with more after them.
    func write(_ bytes: UnsafeRawBufferPointer) -> Socket.IOResult {
        guard !bytes.isEmpty else { return .bytes(0) }
        ERR_clear_error()
        let count = SSL_write(ssl, bytes.baseAddress, Int32(clamping: bytes.count))
        if count > 0 { return .bytes(Int(count)) }
        switch step(after: count) {
        case .done, .wantRead, .wantWrite: return .wouldBlock
        case .closed: return .closed
        case .failed: return .failed(0)
        }
    }

    /// Sends close_notify once, without waiting for the peer's; nothing after a failure.
    func close() {
        guard isEstablished, !hasFailed, SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN == 0 else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    /// The connection resumed an earlier session (no full handshake).
    var isResumed: Bool {
        SSL_session_reused(ssl) == 1
    }

    private func step(after result: Int32) -> Step {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            let number = errno
            hasFailed = true
            ERR_clear_error()
            return number == 0 ? .closed : .failed(errnoMessage(number))
        default:
            hasFailed = true
            return .failed(OpenSSLErrorQueue.drainText())
        }
    }
}
