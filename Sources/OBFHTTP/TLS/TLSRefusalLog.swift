import Locking
import Logging
import Platform

/// One warning per refusal reason per interval, with how many were left unlogged since: a client
/// (or a scanner) hammering the TLS port with plain HTTP or garbage cannot flood the log.
final class TLSRefusalLog: Sendable {
    private struct Entry: Sendable {
        var lastLogged: UInt64?
        var unlogged = 0
    }

    private let interval: UInt64
    private let entries = Locked<[TLSRefusal: Entry]>([:])

    init(interval: Duration = .seconds(10)) {
        self.interval = interval.nanoseconds
    }

    /// Logs the refusal unless one of its reason was logged less than an interval ago; `peer` is
    /// evaluated only when the refusal is logged.
    func record(_ reason: TLSRefusal, peer: @autoclosure () -> String?, detail: String?, now: UInt64, logger: Logger) {
        let unlogged: Int? = entries.withLock { entries in
            var entry = entries[reason] ?? Entry()
            if let last = entry.lastLogged, now &- last < interval {
                entry.unlogged += 1
                entries[reason] = entry
                return nil
            }
            let unlogged = entry.unlogged
            entries[reason] = Entry(lastLogged: now, unlogged: 0)
            return unlogged
        }
        guard let unlogged else { return }
        var metadata: Logger.Metadata = ["reason": "\(reason.rawValue)", "unlogged_since_last": "\(unlogged)"]
        if let peer = peer() { metadata["peer"] = "\(peer)" }
        if let detail { metadata["detail"] = "\(detail)" }
        let message: Logger.Message = switch reason {
        case .plainHTTP: "plain HTTP on the TLS port: connection closed (the client must use https://)"
        case .handshakeFailed: "TLS handshake failed: connection closed"
        case .handshakeTimeout: "TLS handshake not complete within the request timeout: connection closed"
        }
        logger.warning(message, metadata: metadata)
    }
}
