import Foundation
import Logging
import Locking

/// Logs a repeated warning at most once per key per interval, with how many were held back.
public final class RateLimitedLog: Sendable {
    private struct Entry { var lastLogged: Double; var suppressed: Int }
    private let interval: Double
    private let entries = Locked<[String: Entry]>([:])

    public init(interval: Double) {
        self.interval = interval
    }

    public func warn(key: String, logger: Logger, _ message: @autoclosure () -> Logger.Message,
                     metadata: Logger.Metadata = [:], now: Double = Date().timeIntervalSince1970) {
        let suppressed: Int? = entries.withLock { entries in
            if var entry = entries[key], now - entry.lastLogged < interval {
                entry.suppressed += 1
                entries[key] = entry
                return nil
            }
            let held = entries[key]?.suppressed ?? 0
            entries[key] = Entry(lastLogged: now, suppressed: 0)
            return held
        }
        guard let suppressed else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.warning(message(), metadata: metadata)
    }

    /// Ends an episode of `key`: its next warning is logged at once. Returns how many of its
    /// warnings were held back since the last one logged.
    @discardableResult
    public func forget(key: String) -> Int {
        entries.withLock { $0.removeValue(forKey: key)?.suppressed ?? 0 }
    }
}
