import Foundation

/// A member address, `host:port`.
public struct HazelcastAddress: Sendable, Hashable, CustomStringConvertible {
    /// The port a member listens on when none is given.
    public static let defaultPort = 5701

    public var host: String
    public var port: Int

    public init(host: String, port: Int = HazelcastAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Parses `host`, `host:port`, `[v6-address]` or `[v6-address]:port`; the port defaults to 5701.
    public init(parsing text: String) throws(HazelcastError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidArgument("empty member address") }
        var host = trimmed
        var portText: Substring?
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw .invalidArgument("member address '\(text)': missing ']'")
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw .invalidArgument("member address '\(text)': junk after ']'") }
                portText = rest.dropFirst()
            }
        } else if let colon = trimmed.lastIndex(of: ":") {
            guard trimmed.firstIndex(of: ":") == colon else {
                throw .invalidArgument("member address '\(text)': put IPv6 addresses in brackets, e.g. [::1]:5701")
            }
            host = String(trimmed[..<colon])
            portText = trimmed[trimmed.index(after: colon)...]
        }
        guard !host.isEmpty else { throw .invalidArgument("member address '\(text)': empty host") }
        var port = HazelcastAddress.defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw .invalidArgument("member address '\(text)': port must be 1…65535")
            }
            port = value
        }
        self.init(host: host, port: port)
    }

    /// Parses a comma-separated list such as `"10.0.0.1:5701,10.0.0.2"`.
    public static func parseList(_ text: String) throws(HazelcastError) -> [HazelcastAddress] {
        var result: [HazelcastAddress] = []
        for part in text.split(separator: ",") where !part.trimmingCharacters(in: .whitespaces).isEmpty {
            result.append(try HazelcastAddress(parsing: String(part)))
        }
        guard !result.isEmpty else { throw .invalidArgument("no member address in '\(text)'") }
        return result
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
