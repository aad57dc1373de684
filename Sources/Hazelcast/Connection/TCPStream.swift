import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Locking
import Sockets

/// A blocking TCP socket: connects with a timeout, sets TCP_NODELAY, writes with MSG_NOSIGNAL
/// (serialized, with a send timeout), and reads from one dedicated thread.
///
/// Descriptor lifetime: `close()` runs only on the reader thread after its last `read`, and takes
/// the write lock first, so neither a read nor a write can use a closed (possibly reused)
/// descriptor. `shutdown()` needs only the descriptor lock, so it never waits behind a blocked write.
package final class TCPStream: ByteStream {
    /// The descriptor, or -1 once closed.
    private let descriptor: Locked<Int32>
    /// Serializes writes and counts the bytes written; held by `close()` so a write in progress
    /// keeps the descriptor valid.
    private let writeLock = Locked<UInt64>(0)
    private let isShutDown = Atomic<Bool>(false)

    /// Wraps an already connected socket.
    package init(descriptor fd: Int32, sendTimeout: Duration? = nil) {
        descriptor = Locked(fd)
        TCPStream.configure(fd, sendTimeout: sendTimeout)
    }

    /// Resolves and connects to `host:port`, trying every resolved address, within `timeout` each.
    package static func connect(host: String, port: Int, timeout: Duration, sendTimeout: Duration) throws(HazelcastError) -> TCPStream {
        TCPStream(descriptor: try connectSocket(host: host, port: port, timeout: timeout), sendTimeout: sendTimeout)
    }

    /// Resolves and connects to `host:port` like `connect`, and returns the connected blocking
    /// socket (close-on-exec, not yet configured); the caller owns it.
    package static func connectSocket(host: String, port: Int, timeout: Duration) throws(HazelcastError) -> Int32 {
        do throws(SocketError) {
            return try Socket.connect(host: host, port: port, timeout: timeout)
        } catch {
            throw HazelcastError(error)
        }
    }

    /// Sets TCP_NODELAY and SO_KEEPALIVE, and SO_SNDTIMEO when `sendTimeout` is given.
    package static func configure(_ fd: Int32, sendTimeout: Duration?) {
        Socket.setNoDelay(fd)
        Socket.setKeepAlive(fd)
        Socket.setTimeouts(fd, send: sendTimeout, receive: nil)
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(HazelcastError) -> Int {
        let fd = descriptor.withLock { $0 }
        guard fd >= 0, !isShutDown.load(ordering: .acquiring) else { return 0 }
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if isShutDown.load(ordering: .acquiring) { return 0 }
            throw .io("read: \(errnoText())")
        }
    }

    package func write(_ bytes: [UInt8]) throws(HazelcastError) {
        let failure: HazelcastError? = writeLock.withLock { written in
            let fd = descriptor.withLock { $0 }
            guard fd >= 0, !isShutDown.load(ordering: .acquiring) else { return .io("write: the socket is closed") }
            return bytes.withUnsafeBytes { raw -> HazelcastError? in
                guard let base = raw.baseAddress else { return nil }
                var offset = 0
                while offset < raw.count {
                    let sent = send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    if sent > 0 {
                        offset += sent
                        written &+= UInt64(sent)
                    } else if sent < 0 && errno == EINTR {
                        continue
                    } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                        return .timeout("write: the member does not read")
                    } else {
                        return .io("write: \(errnoText())")
                    }
                }
                return nil
            }
        }
        if let failure { throw failure }
    }

    package func shutdown() {
        descriptor.withLock { fd in
            guard fd >= 0, !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
            Socket.shutdown(fd)
        }
    }

    package func close() {
        writeLock.withLock { _ in
            descriptor.withLock { fd in
                guard fd >= 0 else { return }
                isShutDown.store(true, ordering: .releasing)
                Socket.close(fd)
                fd = -1
            }
        }
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { Socket.close(fd) }
        }
    }
}
