import InMemoryLogging
import Logging

/// Log entries a test reads back: every logger it makes writes (from debug up) into `logs`.
public struct CapturedLog: Sendable {
    public let logs = InMemoryLogHandler()

    public init() {}

    public func logger(_ label: String = "obf-test") -> Logger {
        let logs = self.logs
        var logger = Logger(label: label, factory: { _ in logs })
        logger.logLevel = .debug
        return logger
    }

    /// The messages logged so far.
    public var messages: [String] { logs.entries.map { "\($0.message)" } }

    /// The entries logged so far whose message is `message`.
    public func entries(_ message: String) -> [InMemoryLogHandler.Entry] {
        logs.entries.filter { "\($0.message)" == message }
    }
}
