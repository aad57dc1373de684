import ArgumentParser
import Logging

/// Installs the stderr log handler once, at the given level.
enum LogSetup {
    static func bootstrap(level text: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("log level '\(text)' is not one of \(names)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "obf")
        logger.logLevel = level
        return logger
    }
}
