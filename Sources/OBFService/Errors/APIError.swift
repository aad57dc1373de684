import JSON
import OBFHTTP

/// An error the API answers: its HTTP status and the contract's error code and message.
/// Every error the service maps to a response adopts it; `HTTPResponse(error:)` renders it.
protocol APIError: Error {
    var status: Int { get }
    /// The machine-readable code of the error body (`invalid_bar`, `not_ready`, ...).
    var code: String { get }
    var message: String { get }
    /// Header fields the answer needs (`Allow`, `WWW-Authenticate`). Default: none.
    var headers: [(String, String)] { get }
}

extension APIError {
    var headers: [(String, String)] { [] }
}

extension HTTPResponse {
    static let jsonContentType = "application/json; charset=utf-8"

    /// A JSON body with Content-Type application/json; charset=utf-8.
    static func json(status: Int = 200, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)], body: body)
    }

    /// The contract's error body, `{"error":{"code":"...","message":"..."}}`, with the error's status and headers.
    init(error: some APIError) {
        let code = error.code
        let message = error.message
        var json = JSONWriter(capacity: 40 + code.utf8.count + message.utf8.count)
        json.beginObject()
        json.key("error")
        json.beginObject()
        json.field("code", code)
        json.field("message", message)
        json.endObject()
        json.endObject()
        self.init(status: error.status, headers: [("Content-Type", Self.jsonContentType)] + error.headers,
                  body: json.bytes)
    }
}
