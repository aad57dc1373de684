import Locking
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 client over one loopback connection, for tests.
///
/// The async calls (`request`, `raw`) do their socket work on a thread of their own, so awaiting
/// them never blocks the concurrency pool. The byte-level calls (`send`, `readResponse`, …) block
/// their caller; they are unavailable in async code and meant for a `blocking { }` closure.
public final class TestHTTPClient: Sendable {
    private let connection: Locked<ClientConnection>

    /// Connects to 127.0.0.1:`port`. Each send and receive fails after `timeout`: a long one, since
    /// the tests also run under sanitizers on a loaded machine.
    public init(port: Int, timeout: Duration = .seconds(60)) throws {
        connection = Locked(ClientConnection(fd: try LoopbackSocket.connect(port: port, timeout: timeout)))
    }

    deinit {
        connection.withLock { $0.close() }
    }

    // MARK: - Requests

    /// Sends one request (with `Host` and, for a body, `Content-Length`) and reads its final response.
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [],
                        body: [UInt8]? = nil) async throws -> TestHTTPResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return try await exchange(Array(head.utf8) + (body ?? []), headOnly: method == "HEAD")
    }

    /// Sends raw bytes and reads one final response (for malformed-request tests).
    public func raw(_ bytes: [UInt8]) async throws -> TestHTTPResponse {
        try await exchange(bytes, headOnly: false)
    }

    private func exchange(_ bytes: [UInt8], headOnly: Bool) async throws -> TestHTTPResponse {
        try await blocking { [connection] in
            try connection.withLock { connection in
                try connection.send(bytes)
                return try connection.readFinalResponse(headOnly: headOnly)
            }
        }
    }

    // MARK: - Bytes

    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func send(_ bytes: [UInt8]) throws {
        try connection.withLock { try $0.send(bytes) }
    }

    /// One byte per write, with a short pause so the server sees separate reads.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func sendDribbled(_ text: String) throws {
        for byte in text.utf8 {
            try send([byte])
            usleep(300)
        }
    }

    /// Closes at once with an RST instead of a FIN; later calls fail.
    public func reset() {
        connection.withLock { $0.reset() }
    }

    /// Ends the sending side with a FIN (a half-close); responses can still be read.
    public func shutdownWrite() {
        connection.withLock { $0.shutdownWrite() }
    }

    /// Reads the next response, an interim one (100 Continue) included. Throws on timeout or error.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func readResponse(headOnly: Bool = false) throws -> TestHTTPResponse {
        try connection.withLock { try $0.readResponse(headOnly: headOnly) }
    }

    /// Reads until the server closes; returns whatever came first. Throws on timeout.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func readToEOF() throws -> [UInt8] {
        try connection.withLock { try $0.readToEOF() }
    }

    /// True when the server closed (EOF or reset) with nothing left unread.
    @available(*, noasync, message: "blocks its thread: call it in blocking { }")
    public func isClosedByServer() -> Bool {
        do {
            return try readToEOF().isEmpty
        } catch let error as TestHTTPClientError {
            return error.code == ECONNRESET
        } catch {
            return false
        }
    }
}
