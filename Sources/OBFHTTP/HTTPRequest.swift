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
