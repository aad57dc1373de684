/// What a handler returns for one request.
public enum HTTPHandlerResult: Sendable {
    /// Answered inline on the event-loop thread: must be fast and never block.
    case response(HTTPResponse)
    /// Run in a Task; the connection answers when it completes, keeping pipelined order.
    ///
    /// The server owns the Task: it is cancelled when its connection closes (reset, error, a stalled
    /// write, the shutdown deadline), not when the client only ends its side (a half-close), and
    /// `HTTPServer.shutdown()` waits for it to return, even when it ignores cancellation.
    case deferred(@Sendable () async -> HTTPResponse)
}

/// Answers requests for an `HTTPServer`.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPRequest) -> HTTPHandlerResult
    /// Called whenever the number of open connections changes (for a gauge). Default: nothing.
    func connectionsChanged(to count: Int)
    /// Called when the server itself answers without the handler (parse error, limit, flood, timeout). Default: nothing.
    func serverAnswered(status: Int, code: String)
    /// The answer to a request the server refused by itself (its body, in the application's
    /// format). Called on an event-loop thread: must be fast. Default: the message as plain text.
    func response(to failure: HTTPRequestRefusal) -> HTTPResponse
    /// Called when a TLS handshake completes (for a counter; `resumed`: an earlier session was
    /// resumed). Called on an event-loop thread: must be fast. Default: nothing.
    func tlsHandshakeCompleted(resumed: Bool)
    /// Called when the server closes a TLS connection before any request (for a counter). Called on
    /// an event-loop thread: must be fast. Default: nothing.
    func tlsRefused(_ reason: TLSRefusal)
}

extension HTTPHandler {
    public func connectionsChanged(to count: Int) {}
    public func serverAnswered(status: Int, code: String) {}
    public func response(to failure: HTTPRequestRefusal) -> HTTPResponse { failure.plainTextResponse }
    public func tlsHandshakeCompleted(resumed: Bool) {}
    public func tlsRefused(_ reason: TLSRefusal) {}
}
