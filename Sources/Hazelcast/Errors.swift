/// Errors thrown by the Hazelcast client.
public enum HazelcastError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No authenticated connection is available; the request was not sent.
    case notConnected
    /// The request (or connection attempt) got no answer in time; a late answer is dropped.
    case timeout(String)
    /// The member refused the client: wrong cluster name, credentials, or serialization version.
    case authenticationFailed(String)
    /// The member answered with an error.
    case server(code: Int32, className: String, message: String?)
    /// The bytes received do not follow the protocol.
    case `protocol`(String)
    /// A socket-level failure.
    case io(String)
    /// The connection carrying the request was lost before the answer arrived.
    case connectionLost(String)
    /// A parameter or configuration value is invalid.
    case invalidArgument(String)
    /// The client has been shut down.
    case clientShutdown

    public var description: String {
        switch self {
        case .notConnected:
            return "not connected to the Hazelcast cluster"
        case .timeout(let what):
            return "timed out: \(what)"
        case .authenticationFailed(let reason):
            return "authentication failed: \(reason)"
        case .server(let code, let className, let message):
            return "member error \(code) \(className): \(message ?? "(no message)")"
        case .protocol(let detail):
            return "protocol error: \(detail)"
        case .io(let detail):
            return "I/O error: \(detail)"
        case .connectionLost(let reason):
            return "connection lost: \(reason)"
        case .invalidArgument(let detail):
            return "invalid argument: \(detail)"
        case .clientShutdown:
            return "the client is shut down"
        }
    }
}
