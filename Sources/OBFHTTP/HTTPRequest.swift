/// The HTTP versions the server speaks.
public enum HTTPVersion: Sendable, Hashable {
    case http10
    case http11
}

/// One parsed request: method, target, headers and the whole (de-chunked) body.
public struct HTTPRequest: Sendable {
    /// As sent, e.g. "GET".
    public var method: String
    /// The raw request-target, e.g. "/step/5?rollover=true".
    public var target: String
    /// The target before '?', not percent-decoded.
    public var path: String
    /// The target after '?', raw.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// The body, de-chunked.
    public var body: [UInt8]

    public var isHead: Bool { method == "HEAD" }

    public init(
        method: String,
        target: String,
        version: HTTPVersion = .http11,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = []
    ) {
        self.method = method
        self.target = target
        if let mark = target.utf8.firstIndex(of: ASCII.question) {
            path = String(target[..<mark])
            query = String(target[target.utf8.index(after: mark)...])
        } else {
            path = target
            query = nil
        }
        self.version = version
        self.headers = headers
        self.body = body
    }

    init(method: String, target: String, path: String, query: String?, version: HTTPVersion, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
    }
}
