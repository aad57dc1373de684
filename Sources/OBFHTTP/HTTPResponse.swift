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
}
