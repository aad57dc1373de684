#if canImport(Glibc)
import Glibc
#endif

/// An incremental HTTP/1.x request parser.
///
/// Each call resumes where the last one stopped: every byte is looked at once, complete lines
/// are consumed at once (so `start` advances past them), and every limit is checked before the
/// bytes that would break it are buffered in full.
package struct HTTPRequestParser {
    package struct Limits {
        package var maxHeaderBytes: Int
        package var maxHeaderCount: Int
        package var maxBodyBytes: Int

        package init(maxHeaderBytes: Int, maxHeaderCount: Int, maxBodyBytes: Int) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderCount = maxHeaderCount
            self.maxBodyBytes = maxBodyBytes
        }
    }

    package enum Event {
        /// The buffer holds no further complete step.
        case needMore
        /// The head asked for `100-continue` and the declared body is acceptable.
        case continueExpected
        case request(HTTPRequest, keepAlive: Bool)
        case failure(HTTPRequestRefusal)
    }

    private enum State {
        case requestLine
        case headerLines
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed(HTTPRequestRefusal)
    }

    private enum Line {
        case line(start: Int, end: Int)
        case needMore
        case tooLong
    }

    private static let maxChunkSizeLine = 1024
    private static let maxMethodLength = 64

    let limits: Limits
    private var state: State = .requestLine
    /// Bytes after the current line start already searched for LF.
    private var scanned = 0
    private var headBytes = 0
    private var trailerBytes = 0
    /// Bytes of a partial request line already checked to look like a method (see `checkPartialRequestLine`).
    private var methodChecked = 0

    private var method = ""
    private var target = ""
    private var path = ""
    private var query: String?
    private var version: HTTPVersion = .http11
    private var fields: [(name: String, value: String)] = []
    private var body: [UInt8] = []

    private var contentLength: Int?
    private var contentLengthTooLarge = false
    private var transferEncodingSeen = false
    private var chunked = false
    private var unsupportedCoding = false
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectContinue = false
    private var hostFields = 0

    package init(limits: Limits) {
        self.limits = limits
    }

    /// True when no byte of a request has been taken yet.
    package var isAtRequestBoundary: Bool {
        if case .requestLine = state, headBytes == 0, scanned == 0 { return true }
        return false
    }

    /// Parses from `start`, advancing it past every byte consumed.
    package mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>, from start: inout Int) -> Event {
        while true {
            switch state {
            case .failed(let failure):
                return .failure(failure)

            case .requestLine:
                switch nextLine(buffer, start: &start, limit: limits.maxHeaderBytes - headBytes) {
                case .needMore:
                    if let failure = checkPartialRequestLine(buffer, start) { return fail(failure) }
                    return .needMore
                case .tooLong:
                    if let failure = checkPartialRequestLine(buffer, start) { return fail(failure) }
                    return fail(.uriTooLong(limit: limits.maxHeaderBytes))
                case .line(let lineStart, let lineEnd):
                    methodChecked = 0
                    headBytes += start - lineStart
                    if lineStart == lineEnd { continue }  // tolerated empty line before a request
                    if let failure = parseRequestLine(buffer, lineStart, lineEnd) { return fail(failure) }
                    state = .headerLines
                }

            case .headerLines:
                switch nextLine(buffer, start: &start, limit: limits.maxHeaderBytes - headBytes) {
                case .needMore:
                    return .needMore
                case .tooLong:
                    return fail(.headersTooLarge("request line and headers exceed \(limits.maxHeaderBytes) bytes"))
                case .line(let lineStart, let lineEnd):
                    headBytes += start - lineStart
                    if lineStart == lineEnd {
                        if let event = finishHead() { return event }
                        continue
                    }
                    if let failure = parseHeaderLine(buffer, lineStart, lineEnd) { return fail(failure) }
                }

            case .fixedBody(let remaining):
                let take = min(remaining, buffer.count - start)
                if take > 0 {
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<(start + take)]))
                    start += take
                }
                if take == remaining { return complete() }
                state = .fixedBody(remaining: remaining - take)
                return .needMore

            case .chunkSize:
                switch nextLine(buffer, start: &start, limit: Self.maxChunkSizeLine) {
                case .needMore:
                    return .needMore
                case .tooLong:
                    return fail(.badRequest("chunk size line too long"))
                case .line(let lineStart, let lineEnd):
                    switch parseChunkSize(buffer, lineStart, lineEnd) {
                    case .failure(let failure):
                        return fail(failure)
                    case .success(0):
                        state = .trailers
                    case .success(let size):
                        state = .chunkData(remaining: size)
                    }
                }

            case .chunkData(let remaining):
                let take = min(remaining, buffer.count - start)
                if take > 0 {
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<(start + take)]))
                    start += take
                }
                if take < remaining {
                    state = .chunkData(remaining: remaining - take)
                    return .needMore
                }
                state = .chunkDataEnd

            case .chunkDataEnd:
                switch nextLine(buffer, start: &start, limit: 2) {
                case .needMore:
                    return .needMore
                case .tooLong:
                    return fail(.badRequest("chunk data not followed by CRLF"))
                case .line(let lineStart, let lineEnd):
                    if lineStart != lineEnd { return fail(.badRequest("chunk data not followed by CRLF")) }
                    state = .chunkSize
                }

            case .trailers:
                switch nextLine(buffer, start: &start, limit: limits.maxHeaderBytes - trailerBytes) {
                case .needMore:
                    return .needMore
                case .tooLong:
                    return fail(.headersTooLarge("trailer fields exceed \(limits.maxHeaderBytes) bytes"))
                case .line(let lineStart, let lineEnd):
                    trailerBytes += start - lineStart
                    if lineStart == lineEnd { return complete() }
                    // Trailer fields are read and dropped.
                }
            }
        }
    }

    // MARK: - Lines

    /// Finds the next LF within `limit` bytes of `start`; on success `start` moves past it and
    /// the returned range excludes the line ending (CRLF or a bare LF).
    private mutating func nextLine(_ buffer: UnsafeBufferPointer<UInt8>, start: inout Int, limit: Int) -> Line {
        guard let base = buffer.baseAddress else { return limit > 0 ? .needMore : .tooLong }
        let windowEnd = min(buffer.count, start + max(limit, 0))
        let from = start + scanned
        if from < windowEnd, let hit = memchr(base + from, Int32(ASCII.lf), windowEnd - from) {
            let lf = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            let lineStart = start
            var lineEnd = lf
            if lineEnd > lineStart && buffer[lineEnd - 1] == ASCII.cr { lineEnd -= 1 }
            start = lf + 1
            scanned = 0
            return .line(start: lineStart, end: lineEnd)
        }
        scanned = max(0, windowEnd - start)
        return scanned >= limit ? .tooLong : .needMore
    }

    // MARK: - Head

    private mutating func parseRequestLine(_ buffer: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int) -> HTTPRequestRefusal? {
        var index = lineStart
        while index < lineEnd, ASCII.isTokenChar(buffer[index]) { index += 1 }
        guard index > lineStart, index < lineEnd, buffer[index] == ASCII.space else {
            return .badRequest("malformed request line")
        }
        let methodEnd = index
        let targetStart = index + 1
        index = targetStart
        var questionMark: Int?
        while index < lineEnd {
            let byte = buffer[index]
            if byte == ASCII.space { break }
            if byte < 0x21 || byte == 0x7F { return .badRequest("malformed request target") }
            if byte == ASCII.question && questionMark == nil { questionMark = index }
            index += 1
        }
        guard index > targetStart, index < lineEnd else { return .badRequest("malformed request line") }
        let targetEnd = index
        guard let parsedVersion = Self.parseVersion(buffer, targetEnd + 1, lineEnd) else {
            return .badRequest("unsupported HTTP version")
        }
        method = Self.methodString(buffer, lineStart, methodEnd)
        target = Self.string(buffer, targetStart, targetEnd)
        if let mark = questionMark {
            path = Self.string(buffer, targetStart, mark)
            query = Self.string(buffer, mark + 1, targetEnd)
        } else {
            path = target
            query = nil
        }
        version = parsedVersion
        return nil
    }

    /// Rejects an incomplete request line at once when it cannot start with a method
    /// (binary garbage, a TLS hello), instead of waiting for a line end or the timeout.
    private mutating func checkPartialRequestLine(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int) -> HTTPRequestRefusal? {
        guard methodChecked >= 0 else { return nil }  // the method is already complete
        let end = start + scanned
        var index = start + methodChecked
        while index < end {
            let byte = buffer[index]
            if byte == ASCII.space {
                if index == start { return .badRequest("malformed request line") }
                methodChecked = -1
                return nil
            }
            if !ASCII.isTokenChar(byte) {
                // A CR may still turn out to be the start of an empty line's CRLF.
                if byte == ASCII.cr && index == start && index + 1 == end { break }
                return .badRequest("malformed request line")
            }
            if index - start >= Self.maxMethodLength { return .badRequest("malformed request line") }
            index += 1
        }
        methodChecked = index - start
        return nil
    }

    private static func parseVersion(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> HTTPVersion? {
        guard end - start == 8,
              buffer[start] == 0x48, buffer[start + 1] == 0x54, buffer[start + 2] == 0x54,
              buffer[start + 3] == 0x50, buffer[start + 4] == 0x2F,
              buffer[start + 5] == 0x31, buffer[start + 6] == 0x2E
        else { return nil }
        switch buffer[start + 7] {
        case 0x30: return .http10
        case 0x31...0x39: return .http11
        default: return nil
        }
    }

    private mutating func parseHeaderLine(_ buffer: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int) -> HTTPRequestRefusal? {
        guard fields.count < limits.maxHeaderCount else {
            return .headersTooLarge("more than \(limits.maxHeaderCount) header fields")
        }
        var index = lineStart
        while index < lineEnd, ASCII.isTokenChar(buffer[index]) { index += 1 }
        guard index > lineStart, index < lineEnd, buffer[index] == ASCII.colon else {
            return .badRequest("malformed header field")
        }
        let nameEnd = index
        var valueStart = index + 1
        var valueEnd = lineEnd
        while valueStart < valueEnd, buffer[valueStart] == ASCII.space || buffer[valueStart] == ASCII.tab { valueStart += 1 }
        while valueEnd > valueStart, buffer[valueEnd - 1] == ASCII.space || buffer[valueEnd - 1] == ASCII.tab { valueEnd -= 1 }
        for position in valueStart..<valueEnd where !ASCII.isFieldValueChar(buffer[position]) {
            return .badRequest("invalid character in header field value")
        }
        let name = UnsafeBufferPointer(rebasing: buffer[lineStart..<nameEnd])
        let value = UnsafeBufferPointer(rebasing: buffer[valueStart..<valueEnd])
        if let failure = noteFraming(name: name, value: value) { return failure }
        fields.append((name: Self.string(buffer, lineStart, nameEnd), value: Self.string(buffer, valueStart, valueEnd)))
        return nil
    }

    /// Records the fields that decide framing and persistence.
    private mutating func noteFraming(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> HTTPRequestRefusal? {
        switch name.count {
        case 14 where ASCII.equalsIgnoringCase(name, "content-length"):
            guard contentLength == nil, !contentLengthTooLarge else {
                return .badRequest("duplicate Content-Length")
            }
            guard !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return .badRequest("invalid Content-Length")
            }
            var digits = value[...]
            while digits.count > 1, digits.first == 0x30 { digits = digits.dropFirst() }
            if digits.count > 18 {
                contentLengthTooLarge = true
                contentLength = Int.max
            } else {
                contentLength = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            }
        case 17 where ASCII.equalsIgnoringCase(name, "transfer-encoding"):
            transferEncodingSeen = true
            for coding in Self.tokens(value) {
                if chunked { return .badRequest("chunked must be the final transfer coding, once") }
                if ASCII.equalsIgnoringCase(coding, "chunked") {
                    chunked = true
                } else {
                    unsupportedCoding = true
                }
            }
        case 10 where ASCII.equalsIgnoringCase(name, "connection"):
            for option in Self.tokens(value) {
                if ASCII.equalsIgnoringCase(option, "close") {
                    connectionClose = true
                } else if ASCII.equalsIgnoringCase(option, "keep-alive") {
                    connectionKeepAlive = true
                }
            }
        case 6 where ASCII.equalsIgnoringCase(name, "expect"):
            if ASCII.equalsIgnoringCase(value, "100-continue") { expectContinue = true }
        case 4 where ASCII.equalsIgnoringCase(name, "host"):
            hostFields += 1
        default:
            break
        }
        return nil
    }

    /// Decides the body framing once the head is complete; returns an event to report, if any.
    /// The framing is checked first (so a body too large is a 413 whatever else is wrong),
    /// then the Host field, before any body byte is taken.
    private mutating func finishHead() -> Event? {
        if transferEncodingSeen {
            if contentLength != nil {
                return fail(.badRequest("Content-Length together with Transfer-Encoding"))
            }
            guard chunked, !unsupportedCoding else {
                return fail(.badRequest("unsupported transfer coding"))
            }
        } else if let length = contentLength {
            if length > limits.maxBodyBytes { return fail(.bodyTooLarge(limit: limits.maxBodyBytes)) }
        } else if expectContinue {
            // No framing means no body (RFC 9112 §6.3), so `curl -X POST` works; only a client
            // announcing a body with `Expect: 100-continue` and no length is refused.
            return fail(.lengthRequired)
        }
        if let failure = hostFailure() { return fail(failure) }
        if transferEncodingSeen {
            state = .chunkSize
        } else if let length = contentLength, length > 0 {
            body.reserveCapacity(length)
            state = .fixedBody(remaining: length)
        } else {
            return complete()
        }
        if expectContinue && version == .http11 { return .continueExpected }
        return nil
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without a Host field, or any request with more than
    /// one, is a 400.
    private func hostFailure() -> HTTPRequestRefusal? {
        if hostFields > 1 { return .badRequest("more than one Host header field") }
        if hostFields == 0 && version == .http11 { return .badRequest("HTTP/1.1 request without a Host header field") }
        return nil
    }

    private mutating func parseChunkSize(_ buffer: UnsafeBufferPointer<UInt8>, _ lineStart: Int, _ lineEnd: Int) -> Result<Int, HTTPRequestRefusal> {
        var index = lineStart
        var size = 0
        while index < lineEnd, let digit = ASCII.hexValue(buffer[index]) {
            if size > (Int.max - digit) / 16 { return .failure(.bodyTooLarge(limit: limits.maxBodyBytes)) }
            size = size * 16 + digit
            index += 1
        }
        guard index > lineStart else { return .failure(.badRequest("invalid chunk size")) }
        while index < lineEnd, buffer[index] == ASCII.space || buffer[index] == ASCII.tab { index += 1 }
        if index < lineEnd {
            guard buffer[index] == ASCII.semicolon else { return .failure(.badRequest("invalid chunk size")) }
            for position in index..<lineEnd where !ASCII.isFieldValueChar(buffer[position]) {
                return .failure(.badRequest("invalid chunk extension"))
            }
        }
        if size > limits.maxBodyBytes - body.count { return .failure(.bodyTooLarge(limit: limits.maxBodyBytes)) }
        if size > 0 { body.reserveCapacity(body.count + size) }
        return .success(size)
    }

    // MARK: - Completion

    private mutating func fail(_ failure: HTTPRequestRefusal) -> Event {
        state = .failed(failure)
        return .failure(failure)
    }

    private mutating func complete() -> Event {
        let keepAlive = version == .http11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        let request = HTTPRequest(
            method: method, target: target, path: path, query: query, version: version,
            headers: HTTPHeaders(fields: fields), body: body)
        reset()
        return .request(request, keepAlive: keepAlive)
    }

    private mutating func reset() {
        state = .requestLine
        scanned = 0
        headBytes = 0
        trailerBytes = 0
        methodChecked = 0
        fields = []
        body = []
        contentLength = nil
        contentLengthTooLarge = false
        transferEncodingSeen = false
        chunked = false
        unsupportedCoding = false
        connectionClose = false
        connectionKeepAlive = false
        expectContinue = false
        hostFields = 0
    }

    // MARK: - Strings

    private static func string(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
    }

    private static func methodString(_ buffer: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        let bytes = UnsafeBufferPointer(rebasing: buffer[start..<end])
        switch bytes.count {
        case 3 where bytes[0] == 0x47 && bytes[1] == 0x45 && bytes[2] == 0x54: return "GET"
        case 4 where bytes[0] == 0x50 && bytes[1] == 0x4F && bytes[2] == 0x53 && bytes[3] == 0x54: return "POST"
        case 4 where bytes[0] == 0x48 && bytes[1] == 0x45 && bytes[2] == 0x41 && bytes[3] == 0x44: return "HEAD"
        default: return string(buffer, start, end)
        }
    }

    /// The comma-separated elements of a field value, trimmed, empty ones skipped.
    private static func tokens(_ value: UnsafeBufferPointer<UInt8>) -> [UnsafeBufferPointer<UInt8>] {
        var result: [UnsafeBufferPointer<UInt8>] = []
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != ASCII.comma { end += 1 }
            var first = start
            var last = end
            while first < last, value[first] == ASCII.space || value[first] == ASCII.tab { first += 1 }
            while last > first, value[last - 1] == ASCII.space || value[last - 1] == ASCII.tab { last -= 1 }
            if last > first { result.append(UnsafeBufferPointer(rebasing: value[first..<last])) }
            start = end + 1
        }
        return result
    }
}
