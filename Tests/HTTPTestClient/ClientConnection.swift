import Foundation

/// The client's connection: its descriptor and the bytes received but not read yet, with the
/// framing of HTTP/1.1 responses (Content-Length, chunked, or up to EOF).
struct ClientConnection: Sendable {
    private static let headEnd: [UInt8] = [13, 10, 13, 10]

    /// -1 once closed.
    private var fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    func send(_ bytes: [UInt8]) throws {
        try LoopbackSocket.send(try openDescriptor(), bytes)
    }

    func shutdownWrite() {
        if fd >= 0 { LoopbackSocket.shutdownWrite(fd) }
    }

    mutating func reset() {
        if fd >= 0 { LoopbackSocket.reset(fd) }
        fd = -1
    }

    mutating func close() {
        if fd >= 0 { LoopbackSocket.close(fd) }
        fd = -1
    }

    /// The next response, an interim (1xx) one included. `headOnly`: it answers a HEAD request.
    mutating func readResponse(headOnly: Bool) throws -> TestHTTPResponse {
        let length = try headLength()
        var response = try TestHTTPResponse(head: String(decoding: buffer[0..<length], as: UTF8.self))
        buffer.removeFirst(length + Self.headEnd.count)
        guard !headOnly, response.hasBody else { return response }
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try readChunkedBody()
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText) else { throw TestHTTPClientError(description: "bad Content-Length: \(lengthText)") }
            response.body = try take(length)
        } else {
            response.body = try readToEOF()
        }
        return response
    }

    /// The next final response: interim ones (100 Continue) are read and dropped.
    mutating func readFinalResponse(headOnly: Bool) throws -> TestHTTPResponse {
        while true {
            let response = try readResponse(headOnly: headOnly)
            if response.status != 100 { return response }
        }
    }

    /// Reads until the server closes; returns what was not read yet. Throws on timeout or error.
    mutating func readToEOF() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    // MARK: - Framing

    /// Receives more bytes; false on EOF.
    private mutating func fill() throws -> Bool {
        try LoopbackSocket.receive(try openDescriptor(), into: &buffer)
    }

    private func openDescriptor() throws -> Int32 {
        guard fd >= 0 else { throw TestHTTPClientError(description: "the client's connection is closed") }
        return fd
    }

    /// The length of the head at the front of the buffer, without its blank line.
    private mutating func headLength() throws -> Int {
        var searched = 0
        while true {
            let last = buffer.count - Self.headEnd.count
            if searched <= last {
                for start in searched...last where buffer[start..<(start + Self.headEnd.count)].elementsEqual(Self.headEnd) {
                    return start
                }
                searched = last + 1
            }
            guard try fill() else { throw TestHTTPClientError(description: "EOF before a response head (\(buffer.count) bytes)") }
        }
    }

    /// Takes `count` bytes off the front of the buffer, receiving more as needed.
    private mutating func take(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw TestHTTPClientError(description: "EOF inside a body") }
        }
        defer { buffer.removeFirst(count) }
        return Array(buffer[0..<count])
    }

    /// One line without its line end (CRLF or a bare LF), trimmed.
    private mutating func readLine() throws -> String {
        while true {
            if let lf = buffer.firstIndex(of: 10) {
                defer { buffer.removeFirst(lf + 1) }
                return String(decoding: buffer[0..<lf], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard try fill() else { throw TestHTTPClientError(description: "EOF inside a chunked body") }
        }
    }

    /// A chunked body (as Prometheus sends larger responses); chunk extensions and trailer fields are dropped.
    private mutating func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeText = try readLine().split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                throw TestHTTPClientError(description: "bad chunk size line '\(sizeText)'")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            body += try take(size)
            _ = try take(2)
        }
    }
}
