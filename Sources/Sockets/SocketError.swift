#if canImport(Glibc)
import Glibc
#endif

/// A socket step that failed: which step (e.g. "bind 127.0.0.1:8080") and why.
package struct SocketError: Error, Sendable, CustomStringConvertible {
    /// Why the step failed.
    package enum Reason: Sendable, Equatable {
        /// A system call failed with this errno.
        case system(Int32)
        /// No errno applies (an unresolvable name, a port out of range).
        case message(String)
        /// The step did not finish within this time.
        case timedOut(Duration)
    }

    /// The failing step, e.g. "connect to 127.0.0.1:5701".
    package let operation: String
    package let reason: Reason

    package init(operation: String, reason: Reason) {
        self.operation = operation
        self.reason = reason
    }

    /// The failure of `operation` from the current errno.
    package static func fromErrno(_ operation: String) -> SocketError {
        SocketError(operation: operation, reason: .system(Glibc.errno))
    }

    /// The errno of a failed system call, 0 otherwise.
    package var errno: Int32 {
        if case .system(let code) = reason { code } else { 0 }
    }

    package var isTimeout: Bool {
        if case .timedOut = reason { true } else { false }
    }

    /// The reason alone: the system's text for the errno, or the message.
    package var message: String {
        switch reason {
        case .system(let code): errnoMessage(code)
        case .message(let text): text
        case .timedOut(let limit): "timed out after \(limit)"
        }
    }

    package var description: String {
        switch reason {
        case .system(let code): "\(operation): \(message) (errno \(code))"
        case .message(let text): "\(operation): \(text)"
        case .timedOut(let limit): "\(operation) after \(limit)"
        }
    }
}

/// The text of the current `errno`, e.g. "Connection refused (errno 111)".
package func errnoText() -> String {
    errnoText(errno)
}

/// The text of errno `code`, e.g. "Connection refused (errno 111)".
package func errnoText(_ code: Int32) -> String {
    "\(errnoMessage(code)) (errno \(code))"
}

/// The system's text alone for errno `code`, e.g. "Connection refused".
package func errnoMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
