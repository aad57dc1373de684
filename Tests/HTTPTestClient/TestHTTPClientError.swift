#if canImport(Glibc)
import Glibc
#endif

/// A failure of the test client itself: connect, send or receive (with its errno), or a malformed response.
public struct TestHTTPClientError: Error, CustomStringConvertible {
    public var description: String
    /// The errno of a failed system call, 0 otherwise.
    public var code: Int32 = 0

    public init(description: String, code: Int32 = 0) {
        self.description = description
        self.code = code
    }

    /// The failure of system call `operation`, from the current errno.
    static func system(_ operation: String) -> TestHTTPClientError {
        let code = errno
        return TestHTTPClientError(description: "\(operation): \(String(cString: strerror(code)))", code: code)
    }
}
