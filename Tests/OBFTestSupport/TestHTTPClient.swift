import Foundation
import JSON
import OBFEngine
#if canImport(Glibc)
import Glibc
#endif

/// A response as the test client read it.
public struct TestHTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]   // lower-cased names
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as JSON, or `.null` when it is not JSON.
    public var json: JSONValue { (try? JSONValue.parse(body).get()) ?? .null }
}

/// A failure of the test client itself (connect, timeout, malformed response).
public struct TestHTTPClientError: Error, CustomStringConvertible {
    public var description: String
}

/// A small blocking HTTP/1.1 client over one keep-alive connection. Its socket work
/// runs on a thread of its own, so awaiting it never blocks the concurrency pool.
public final class TestHTTPClient: Sendable {
    private let socket: Int32

    public init(port: Int, timeoutSeconds: Int = 60) throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestHTTPClientError(description: "socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw TestHTTPClientError(description: "connect to port \(port) failed: errno \(errno)")
        }
        socket = fd
    }

    deinit { close(socket) }

    /// Sends one request and reads its response.
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [],
                        body: [UInt8]? = nil) async throws -> TestHTTPResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + (body ?? [])
        return try await offPool { [socket] in
            try Self.sendAll(socket, bytes)
            return try Self.readResponse(socket, isHead: method == "HEAD")
        }
    }

    /// Sends raw bytes and reads one response (for malformed-request tests).
    public func raw(_ bytes: [UInt8]) async throws -> TestHTTPResponse {
        try await offPool { [socket] in
            try Self.sendAll(socket, bytes)
            return try Self.readResponse(socket, isHead: false)
        }
    }

    /// Runs blocking work on a dedicated thread.
    private func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.start()
        }
    }

    private static func sendAll(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestHTTPClientError(description: "send failed: errno \(errno)") }
            offset += written
        }
    }

    private static func readResponse(_ socket: Int32, isHead: Bool) throws -> TestHTTPResponse {
        var buffer: [UInt8] = []
        func fill() throws { try receive(socket, into: &buffer) }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            try fill()
            if buffer.count >= 4 {
                headEnd = (0...(buffer.count - 4)).first { Array(buffer[$0..<$0 + 4]) == separator }
            }
        }
        guard let end = headEnd else { throw TestHTTPClientError(description: "no head") }
        let lines = String(decoding: buffer[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw TestHTTPClientError(description: "bad status line '\(lines[0])'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if status == 100 {
            // An interim response: drop it and read the final one.
            buffer.removeFirst(end + 4)
            return try readResponse(socket, isHead: isHead)
        }
        if !isHead, headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            buffer.removeFirst(end + 4)
            return TestHTTPResponse(status: status, headers: headers, body: try readChunkedBody(socket, &buffer))
        }
        let length = isHead ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < end + 4 + length { try fill() }
        return TestHTTPResponse(status: status, headers: headers, body: Array(buffer[(end + 4)..<(end + 4 + length)]))
    }

    /// Appends what one `recv` returns to `buffer`.
    private static func receive(_ socket: Int32, into buffer: inout [UInt8]) throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            throw TestHTTPClientError(description: count == 0 ? "connection closed" : "recv failed: errno \(errno)")
        }
        buffer.append(contentsOf: chunk[0..<count])
    }

    /// A chunked body (as servers such as Prometheus send larger responses), starting at the
    /// front of `buffer`; trailer fields are read and dropped.
    private static func readChunkedBody(_ socket: Int32, _ buffer: inout [UInt8]) throws -> [UInt8] {
        func fill() throws { try receive(socket, into: &buffer) }
        func line() throws -> String {
            while true {
                if let lf = buffer.firstIndex(of: 10) {
                    let text = String(decoding: buffer[0..<lf], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeFirst(lf + 1)
                    return text
                }
                try fill()
            }
        }
        var body: [UInt8] = []
        while true {
            let sizeText = try line().split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText, radix: 16) else {
                throw TestHTTPClientError(description: "bad chunk size line '\(sizeText)'")
            }
            if size == 0 {
                while try !line().isEmpty {}
                return body
            }
            while buffer.count < size + 2 { try fill() }
            body.append(contentsOf: buffer[0..<size])
            buffer.removeFirst(size + 2)
        }
    }
}
