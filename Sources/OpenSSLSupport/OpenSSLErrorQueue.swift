import COpenSSL

/// Reads OpenSSL's per-thread error queue.
package enum OpenSSLErrorQueue {
    /// Empties this thread's queue and returns its reasons, oldest first, without repeats
    /// (e.g. "certificate verify failed", "tlsv1 alert unknown ca").
    package static func drain() -> [String] {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            guard code != 0 else { break }
            let reason: String
            if let text = ERR_reason_error_string(code) {
                reason = String(cString: text)
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        return reasons
    }

    /// The drained reasons joined, or "unknown error" when the queue was empty.
    package static func drainText() -> String {
        let reasons = drain()
        return reasons.isEmpty ? "unknown error" : reasons.joined(separator: "; ")
    }
}
