/// Writes a response head and body into a byte buffer, ready for one `send`.
enum HTTPResponseSerializer {
    static let continueLine: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"

    /// Appends `response` to `out`. Returns whether the connection may stay open afterwards:
    /// false when `keepAlive` is false or the response itself asks for `Connection: close`.
    static func append(
        _ response: HTTPResponse,
        headOnly: Bool,
        keepAlive: Bool,
        http10: Bool,
        dateLine: [UInt8],
        to out: inout [UInt8]
    ) -> Bool {
        let status = (100...999).contains(response.status) ? response.status : 500
        var keepAlive = keepAlive
        out.reserveCapacity(out.count + 128 + response.body.count)

        ASCII.append("HTTP/1.1 ", to: &out)
        ASCII.appendDecimal(status, to: &out)
        out.append(ASCII.space)
        ASCII.append(reasonPhrase(status), to: &out)
        ASCII.append("\r\n", to: &out)

        for (name, value) in response.headers {
            switch classify(name) {
            case .connection:
                if valueHasClose(value) { keepAlive = false }
                continue
            case .serverOwned:
                continue
            case .other:
                break
            }
            appendSanitised(name, to: &out)
            ASCII.append(": ", to: &out)
            appendSanitised(value, to: &out)
            ASCII.append("\r\n", to: &out)
        }
        out.append(contentsOf: dateLine)

        // 1xx, 204 and 304 carry neither a body nor Content-Length (RFC 9110 8.6); all others do.
        let bodyAllowed = status >= 200 && status != 204 && status != 304
        if bodyAllowed {
            ASCII.append("Content-Length: ", to: &out)
            ASCII.appendDecimal(response.body.count, to: &out)
            ASCII.append("\r\n", to: &out)
        }
        if !keepAlive {
            ASCII.append("Connection: close\r\n", to: &out)
        } else if http10 {
            ASCII.append("Connection: keep-alive\r\n", to: &out)
        }
        ASCII.append("\r\n", to: &out)
        if bodyAllowed && !headOnly {
            out.append(contentsOf: response.body)
        }
        return keepAlive
    }

    private enum HeaderKind {
        case connection
        case serverOwned
        case other
    }

    /// Content-Length, Transfer-Encoding and Date are the server's to set.
    private static func classify(_ name: String) -> HeaderKind {
        switch name.utf8.count {
        case 10 where ASCII.equalsIgnoringCase(name, "connection"):
            return .connection
        case 14 where ASCII.equalsIgnoringCase(name, "content-length"),
             17 where ASCII.equalsIgnoringCase(name, "transfer-encoding"):
            return .serverOwned
        case 4 where ASCII.equalsIgnoringCase(name, "date"):
            return .serverOwned
        default:
            return .other
        }
    }

    private static func valueHasClose(_ value: String) -> Bool {
        value.split(separator: ",").contains {
            ASCII.equalsIgnoringCase($0.trimmingSpaces, "close")
        }
    }

    /// Header text without CR or LF, so a handler cannot split the response.
    private static func appendSanitised(_ text: String, to out: inout [UInt8]) {
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 == ASCII.cr || $0 == ASCII.lf }) {
            out.append(contentsOf: utf8)
            return
        }
        for byte in utf8 {
            out.append(byte == ASCII.cr || byte == ASCII.lf ? ASCII.space : byte)
        }
    }

    static func reasonPhrase(_ status: Int) -> StaticString {
        switch status {
        case 100: return "Continue"
        case 101: return "Switching Protocols"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 412: return "Precondition Failed"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 416: return "Range Not Satisfiable"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Content"
        case 425: return "Too Early"
        case 426: return "Upgrade Required"
        case 428: return "Precondition Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Unknown"
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
