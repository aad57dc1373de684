import OBFEngine

/// A request the service refuses for what it says (its bar, asset, query or body), with the contract's status and code.
struct RequestRejection: APIError, Equatable {
    var status: Int
    var code: String
    var message: String

    static func badRequest(_ code: String, _ message: String) -> RequestRejection {
        RequestRejection(status: 400, code: code, message: message)
    }
}

/// Parsing of path segments and query strings against the API's rules.
enum RequestValidation {
    /// The largest bar: 2^53 − 1, so every bar is exact as a JSON number.
    static let maxBar: Int64 = (1 << 53) - 1

    /// A bar: decimal digits only, `0 … 2^53−1`.
    static func bar(_ text: Substring) throws(RequestRejection) -> Int64 {
        var value: Int64 = 0
        guard !text.isEmpty, text.utf8.count <= 16 else { throw invalidBar(text) }
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw invalidBar(text) }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        guard value <= maxBar else { throw invalidBar(text) }
        return value
    }

    private static func invalidBar(_ text: Substring) -> RequestRejection {
        .badRequest("invalid_bar", "bar must be an integer from 0 to 9007199254740991, got '\(text.prefix(40))'")
    }

    /// An asset: `^[A-Za-z0-9]{1,32}$`, returned upper-cased.
    static func asset(_ text: Substring) throws(RequestRejection) -> String {
        guard let asset = AssetSymbol.normalized(text) else {
            throw .badRequest("invalid_asset", "asset must match ^[A-Za-z0-9]{1,32}$, got '\(text.prefix(40))'")
        }
        return asset
    }

    /// Query parameters as name → value; each name at most once, only `allowed` names.
    static func query(_ query: String?, allowed: Set<String>) throws(RequestRejection) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard allowed.contains(name) else {
                let hint = allowed.isEmpty ? "this route takes none" : "allowed: \(allowed.sorted().joined(separator: ", "))"
                throw .badRequest("invalid_query", "unknown query parameter '\(name.prefix(40))' (\(hint))")
            }
            guard result[name] == nil else {
                throw .badRequest("invalid_query", "query parameter '\(name)' given twice")
            }
            result[name] = value
        }
        return result
    }

    /// `true`/`false` (also `1`/`0`).
    static func flag(_ value: String?, name: String) throws(RequestRejection) -> Bool {
        switch value {
        case nil, "false", "0": return false
        case "true", "1": return true
        case let other?: throw .badRequest("invalid_query", "\(name) must be true or false, got '\(other.prefix(40))'")
        }
    }
}
