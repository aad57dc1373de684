/// An answer the server gives by itself, without the handler.
package struct HTTPServerFailure: Error, Sendable, Equatable {
    package let status: Int
    package let code: String
    package let message: String

    static func badRequest(_ message: String) -> HTTPServerFailure {
        HTTPServerFailure(status: 400, code: "bad_request", message: message)
    }

    static func uriTooLong(limit: Int) -> HTTPServerFailure {
        HTTPServerFailure(status: 414, code: "uri_too_long", message: "request line exceeds \(limit) bytes")
    }

    static func headersTooLarge(_ message: String) -> HTTPServerFailure {
        HTTPServerFailure(status: 431, code: "headers_too_large", message: message)
    }

    static func bodyTooLarge(limit: Int) -> HTTPServerFailure {
        HTTPServerFailure(status: 413, code: "body_too_large", message: "request body exceeds \(limit) bytes")
    }

    static let lengthRequired = HTTPServerFailure(
        status: 411, code: "length_required", message: "a request body needs Content-Length or chunked Transfer-Encoding")

    static let requestTimeout = HTTPServerFailure(
        status: 408, code: "request_timeout", message: "request not received in time")

    static let tooManyConnections = HTTPServerFailure(
        status: 503, code: "too_many_connections", message: "too many open connections, retry later")

    var response: HTTPResponse {
        HTTPResponse.error(status: status, code: code, message: message)
    }
}
