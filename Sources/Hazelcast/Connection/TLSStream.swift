import COpenSSL
import OpenSSLSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Locking
import Platform
import Sockets

/// A TLS connection over a connected TCP socket, through the system OpenSSL, with the same
/// model as `TCPStream`: `read` blocks on the connection's one reader thread, writes are
/// serialized under a write lock, and `shutdown()` wakes both from any thread.
///
/// One `SSL` object must never be used by two threads at once, yet the reader has to wait for
/// bytes while writers keep writing. So the socket is non-blocking: every OpenSSL call runs
/// under `io` (never blocking while it holds it), and a call that needs the socket readable or
/// writable releases the lock and waits in `poll(2)` before trying again. Renegotiation is off,
/// so a write never has to read.
///
/// SIGPIPE: OpenSSL's socket BIO writes with write(2), which raises SIGPIPE on a connection the
/// peer has closed. This stream uses its own BIO (COpenSSL.h) that sends with MSG_NOSIGNAL, so a
/// closed peer becomes an EPIPE error and the process' signal dispositions are left alone.
///
/// Descriptor lifetime: as in `TCPStream`, `close()` runs on the reader thread after its last
/// `read` and takes the write lock first, so no read, write or `poll` can use a closed
/// descriptor; `shutdown()` and every OpenSSL call check `IOState.isOpen` under `io`.
///
/// `@unchecked Sendable` is sound: `ssl` is only used under `io` (and freed in `deinit`, when
/// no other reference exists); `fd`, `sendTimeout` and `context` are immutable; the rest are
/// `Locked` or `Atomic`.
package final class TLSStream: ByteStream, @unchecked Sendable {
    private let ssl: OpaquePointer
    private let fd: Int32
    private let sendTimeout: Duration?
    /// Keeps the configuration alive with the connection (the `SSL` holds its own reference too).
    private let context: TLSContext
    /// Guards every OpenSSL call on `ssl`.
    private let io = Locked(IOState())
    /// Serializes writes and counts the bytes written; held by `close()`.
    private let writeLock = Locked<UInt64>(0)
    private let isShutDown = Atomic<Bool>(false)

    private struct IOState: Sendable {
        /// False once the descriptor is closed.
        var isOpen = true
        /// Why the connection failed: set after a fatal OpenSSL error, after which the `SSL`
        /// must not send close_notify. The reader and the writer share it, so the one that finds
        /// the connection already failed reports the cause (a peer's alert read by the other,
        /// such as `certificate required`), not a bare closed socket.
        var failure: String?
        var hasFailed: Bool { failure != nil }
    }

    /// What one OpenSSL call under `io` came to.
    private enum Step {
        case done(Int)
        case wantRead
        case wantWrite
        case endOfStream
        case closed
        case failed(String)
    }

    private init(ssl: OpaquePointer, fd: Int32, context: TLSContext, sendTimeout: Duration?) {
        self.ssl = ssl
        self.fd = fd
        self.context = context
        self.sendTimeout = sendTimeout
    }

    deinit {
        if io.withLock({ $0.isOpen }) { Socket.close(fd) }
        SSL_free(ssl)
    }

    // MARK: Opening

    /// Connects to `host:port` (like `TCPStream.connect`) and runs the client handshake with a
    /// `context` made by `TLSContext.client`. The TCP connect and the handshake each get `timeout`.
    /// Verification failures throw `.io` with OpenSSL's reason and the verify result, e.g.
    /// "TLS handshake with 127.0.0.1:5701 failed: certificate verify failed: hostname mismatch".
    package static func connect(
        host: String, port: Int, context: TLSContext, timeout: Duration, sendTimeout: Duration
    ) throws(HazelcastError) -> TLSStream {
        let fd = try TCPStream.connectSocket(host: host, port: port, timeout: timeout)
        do {
            TCPStream.configure(fd, sendTimeout: nil)
            return try handshake(
                descriptor: fd, context: context, host: host, target: "\(host):\(port)",
                timeout: timeout, sendTimeout: sendTimeout)
        } catch {
            Socket.close(fd)
            throw error
        }
    }

    /// Runs the server handshake on an accepted socket with a `context` made by
    /// `TLSContext.server`. On success the stream owns `descriptor`; on failure the caller still
    /// does and must close it.
    package static func accept(
        descriptor: Int32, context: TLSContext, timeout: Duration, sendTimeout: Duration?, peer: String
    ) throws(HazelcastError) -> TLSStream {
        TCPStream.configure(descriptor, sendTimeout: nil)
        return try handshake(
            descriptor: descriptor, context: context, host: nil, target: peer, timeout: timeout, sendTimeout: sendTimeout)
    }

    private static func handshake(
        descriptor fd: Int32, context: TLSContext, host: String?, target: String,
        timeout: Duration, sendTimeout: Duration?
    ) throws(HazelcastError) -> TLSStream {
        guard Socket.setNonBlocking(fd, true) else {
            throw .io("TLS with \(target): fcntl: \(errnoText())")
        }
        ERR_clear_error()
        guard let method = NoSignalSocketMethod.shared.method, let ssl = SSL_new(context.context) else {
            throw .io("TLS with \(target): cannot create an SSL object: \(OpenSSLErrorQueue.drainText())")
        }
        guard let bio = obf_nosignal_bio_new(method, fd) else {
            SSL_free(ssl)
            throw .io("TLS with \(target): cannot create a BIO: \(OpenSSLErrorQueue.drainText())")
        }
        SSL_set_bio(ssl, bio, bio)
        do {
            if let peerCheck = context.peerCheck {
                try configureClient(ssl, peerCheck: peerCheck, host: host ?? "", target: target)
                SSL_set_connect_state(ssl)
            } else {
                SSL_set_accept_state(ssl)
            }
            try runHandshake(ssl, fd: fd, target: target, timeout: timeout)
        } catch {
            SSL_free(ssl)
            throw error
        }
        return TLSStream(ssl: ssl, fd: fd, context: context, sendTimeout: sendTimeout)
    }

    /// SNI for a DNS name, and the name or IP address the certificate must match.
    private static func configureClient(
        _ ssl: OpaquePointer, peerCheck: TLSContext.PeerCheck, host: String, target: String
    ) throws(HazelcastError) {
        let name = peerCheck.serverName ?? host
        let isIPAddress = Self.isIPAddress(name)
        ERR_clear_error()
        if !isIPAddress && !name.isEmpty {
            guard obf_ssl_set_tlsext_host_name(ssl, name) == 1 else {
                throw .invalidArgument("TLS with \(target): invalid server name '\(name)': \(OpenSSLErrorQueue.drainText())")
            }
        }
        guard peerCheck.verifyHostname else { return }
        let accepted = isIPAddress
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name) == 1
            : SSL_set1_host(ssl, name) == 1
        guard accepted, !name.isEmpty else {
            throw .invalidArgument("TLS with \(target): cannot verify against host '\(name)': \(OpenSSLErrorQueue.drainText())")
        }
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var storage = in6_addr()
        return inet_pton(AF_INET, text, &storage) == 1 || inet_pton(AF_INET6, text, &storage) == 1
    }

    private static func runHandshake(_ ssl: OpaquePointer, fd: Int32, target: String, timeout: Duration) throws(HazelcastError) {
        let deadline = MonotonicTime.nanoseconds() &+ timeout.nanoseconds
        while true {
            ERR_clear_error()
            let result = SSL_do_handshake(ssl)
            if result == 1 { return }
            let savedErrno = errno
            let code = SSL_get_error(ssl, result)
            let events: Int32
            switch code {
            case SSL_ERROR_WANT_READ: events = POLLIN
            case SSL_ERROR_WANT_WRITE: events = POLLOUT
            default:
                throw .io("TLS handshake with \(target) failed: \(failureText(ssl, code: code, errno: savedErrno))")
            }
            let now = MonotonicTime.nanoseconds()
            guard now < deadline,
                  Socket.poll(fd, events: events,
                              milliseconds: Int32(clamping: (deadline - now + 999_999) / 1_000_000)) != 0 else {
                throw .timeout("TLS handshake with \(target) after \(timeout)")
            }
        }
    }

    /// OpenSSL's reasons for a failed call, with the certificate verify result when there is one.
    private static func failureText(_ ssl: OpaquePointer, code: Int32, errno savedErrno: Int32) -> String {
        var reasons = OpenSSLErrorQueue.drain()
        let verifyResult = SSL_get_verify_result(ssl)
        if verifyResult != Int(X509_V_OK), let text = X509_verify_cert_error_string(verifyResult) {
            let detail = String(cString: text)
            if let index = reasons.firstIndex(of: "certificate verify failed") {
                reasons[index] += ": \(detail)"
            } else {
                reasons.append("certificate verify failed: \(detail)")
            }
        }
        if reasons.isEmpty {
            switch code {
            case SSL_ERROR_ZERO_RETURN:
                reasons.append("the peer closed the connection")
            case SSL_ERROR_SYSCALL:
                reasons.append(savedErrno == 0 ? "the peer closed the connection"
                                               : errnoText(savedErrno))
            default:
                reasons.append("OpenSSL error \(code)")
            }
        }
        return reasons.joined(separator: "; ")
    }

    // MARK: I/O

    /// Runs one OpenSSL call under `io` and classifies its outcome.
    private func step(_ call: (OpaquePointer, inout Int) -> Int32) -> Step {
        io.withLock { state -> Step in
            guard state.isOpen else { return .closed }
            if let failure = state.failure { return .failed(failure) }
            ERR_clear_error()
            var count = 0
            let result = call(ssl, &count)
            if result == 1 { return .done(count) }
            let savedErrno = errno
            let code = SSL_get_error(ssl, result)
            switch code {
            case SSL_ERROR_WANT_READ: return .wantRead
            case SSL_ERROR_WANT_WRITE: return .wantWrite
            case SSL_ERROR_ZERO_RETURN: return .endOfStream
            default:
                let failure = Self.failureText(ssl, code: code, errno: savedErrno)
                state.failure = failure
                return .failed(failure)
            }
        }
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(HazelcastError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            guard !isShutDown.load(ordering: .acquiring) else { return 0 }
            switch step({ ssl, count in SSL_read_ex(ssl, base, buffer.count, &count) }) {
            case .done(let count):
                return count
            case .endOfStream, .closed:
                return 0
            case .wantRead:
                // A second's limit only as a safety net: the loop then simply asks OpenSSL again.
                _ = Socket.poll(fd, events: POLLIN, milliseconds: 1000)
            case .wantWrite:
                _ = Socket.poll(fd, events: POLLOUT, milliseconds: 1000)
            case .failed(let reason):
                if isShutDown.load(ordering: .acquiring) { return 0 }
                throw .io("TLS read: \(reason)")
            }
        }
    }

    package func write(_ bytes: [UInt8]) throws(HazelcastError) {
        let failure: HazelcastError? = writeLock.withLock { written in
            bytes.withUnsafeBytes { raw -> HazelcastError? in
                guard let base = raw.baseAddress else { return nil }
                var offset = 0
                // Like SO_SNDTIMEO on the plain socket: the limit applies while no byte goes out.
                var deadline = sendTimeout.map { MonotonicTime.nanoseconds() &+ $0.nanoseconds }
                while offset < raw.count {
                    guard !isShutDown.load(ordering: .acquiring) else { return .io("write: the socket is closed") }
                    let remaining = raw.count - offset
                    let events: Int32
                    switch step({ ssl, count in SSL_write_ex(ssl, base + offset, remaining, &count) }) {
                    case .done(let count):
                        offset += count
                        written &+= UInt64(count)
                        deadline = sendTimeout.map { MonotonicTime.nanoseconds() &+ $0.nanoseconds }
                        continue
                    case .wantWrite:
                        events = POLLOUT
                    case .wantRead:
                        events = POLLIN
                    case .endOfStream, .closed:
                        return .io("write: the socket is closed")
                    case .failed(let reason):
                        return .io("TLS write: \(reason)")
                    }
                    var milliseconds: Int32 = -1
                    if let deadline {
                        let now = MonotonicTime.nanoseconds()
                        guard now < deadline else { return .timeout("write: the member does not read") }
                        milliseconds = Int32(clamping: (deadline - now + 999_999) / 1_000_000)
                    }
                    if events == POLLIN { milliseconds = milliseconds < 0 ? 10 : min(milliseconds, 10) }
                    _ = Socket.poll(fd, events: events, milliseconds: milliseconds)
                }
                return nil
            }
        }
        if let failure { throw failure }
    }

    /// Sends close_notify when the connection is still healthy (best effort, never blocking), then
    /// shuts the socket down, which wakes a reader or writer waiting in `poll`.
    package func shutdown() {
        io.withLock { state in
            guard state.isOpen, !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
            if !state.hasFailed {
                ERR_clear_error()
                _ = SSL_shutdown(ssl)
                ERR_clear_error()
            }
            Socket.shutdown(fd)
        }
    }

    package func close() {
        writeLock.withLock { _ in
            io.withLock { state in
                guard state.isOpen else { return }
                isShutDown.store(true, ordering: .releasing)
                state.isOpen = false
                Socket.close(fd)
            }
        }
    }
}
