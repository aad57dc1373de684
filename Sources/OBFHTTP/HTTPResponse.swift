/// A response for the server to write; it adds Content-Length, Date and Connection itself.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Extra header fields. Content-Length, Transfer-Encoding, Connection and Date set here are replaced by the server's own.
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static let jsonContentType = "application/json; charset=utf-8"

    /// The project's JSON error body: {"error":{"code":"...","message":"..."}}, content-type application/json; charset=utf-8.
    public static func error(status: Int, code: String, message: String, headers: [(String, String)] = []) -> HTTPResponse {
        var body: [UInt8] = []
        body.reserveCapacity(40 + code.utf8.count + message.utf8.count)
        ASCII.append(#"{"error":{"code":"#, to: &body)
        JSONString.append(code, to: &body)
        ASCII.append(#","message":"#, to: &body)
        JSONString.append(message, to: &body)
        ASCII.append("}}", to: &body)
        return HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)] + headers, body: body)
    }

    /// A JSON body with Content-Type application/json; charset=utf-8.
    public static func json(status: Int = 200, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", jsonContentType)], body: body)
    }
}

/// JSON string literal encoding for the error body.
enum JSONString {
    static func append(_ string: String, to out: inout [UInt8]) {
        out.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: ASCII.append(#"\""#, to: &out)
            case 0x5C: ASCII.append(#"\\"#, to: &out)
            case 0x0A: ASCII.append(#"\n"#, to: &out)
            case 0x0D: ASCII.append(#"\r"#, to: &out)
            case 0x09: ASCII.append(#"\t"#, to: &out)
            case 0x00..<0x20:
                ASCII.append(#"\u00"#, to: &out)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0F))
            default:
                out.append(byte)
            }
        }
        out.append(0x22)
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }
}
