/// A request the server refuses by itself, before any handler sees it: malformed HTTP, a
/// limit, a timeout, too many connections. `HTTPHandler.response(to:)` renders its body.
public struct HTTPRequestRefusal: Error, Sendable, Equatable {
    public let status: Int
    /// A machine-readable name: `bad_request`, `request_timeout`, `too_many_connections`, ...
    public let code: String
    /// For humans: what was wrong.
    public let message: String

    static func badRequest(_ message: String) -> HTTPRequestRefusal {
        HTTPRequestRefusal(status: 400, code: "bad_request", message: message)
    }

    static func uriTooLong(limit: Int) -> HTTPRequestRefusal {
        HTTPRequestRefusal(status: 414, code: "uri_too_long", message: "request line exceeds \(limit) bytes")
    }

    static func headersTooLarge(_ message: String) -> HTTPRequestRefusal {
        HTTPRequestRefusal(status: 431, code: "headers_too_large", message: message)
    }

    static func bodyTooLarge(limit: Int) -> HTTPRequestRefusal {
        HTTPRequestRefusal(status: 413, code: "body_too_large", message: "request body exceeds \(limit) bytes")
    }

    static let lengthRequired = HTTPRequestRefusal(
        status: 411, code: "length_required", message: "a request body needs Content-Length or chunked Transfer-Encoding")

    static let requestTimeout = HTTPRequestRefusal(
        status: 408, code: "request_timeout", message: "request not received in time")

    static let tooManyConnections = HTTPRequestRefusal(
        status: 503, code: "too_many_connections", message: "too many open connections, retry later")

    /// The default answer: the message as plain text.
    var plainTextResponse: HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")],
                     body: Array("\(message)\n".utf8))
    }
}
