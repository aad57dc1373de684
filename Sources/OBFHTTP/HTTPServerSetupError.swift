#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// Why the server could not start, or could not reload its TLS credentials: a failed system call
/// or an invalid configuration. (A request the running server refuses is an `HTTPRequestRefusal`.)
public struct HTTPServerSetupError: Error, Sendable, CustomStringConvertible {
    /// The failing step, e.g. "bind 127.0.0.1:8080".
    public var operation: String
    /// The errno value, or 0 when none applies.
    public var errno: Int32
    public var message: String

    public init(operation: String, errno: Int32 = 0, message: String? = nil) {
        self.operation = operation
        self.errno = errno
        if let message {
            self.message = message
        } else if errno != 0 {
            self.message = errnoMessage(errno)
        } else {
            self.message = "failed"
        }
    }

    static func fromErrno(_ operation: String) -> HTTPServerSetupError {
        HTTPServerSetupError(operation: operation, errno: Glibc.errno)
    }

    public var description: String {
        errno != 0 ? "\(operation): \(message) (errno \(errno))" : "\(operation): \(message)"
    }
}

extension HTTPServerSetupError {
    /// A socket step's failure, with its errno when it has one.
    init(_ error: SocketError) {
        self.init(operation: error.operation, errno: error.errno, message: error.errno == 0 ? error.message : nil)
    }
}
