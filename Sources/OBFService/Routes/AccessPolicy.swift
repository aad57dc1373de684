import OBFHTTP

/// Who may call what: a bearer token guards `POST` (and, when asked, the feature reads and `/metrics`).
public struct AccessPolicy: Sendable {
    let token: [UInt8]?
    let guardReads: Bool
    let guardMetrics: Bool

    public init(token: String?, guardReads: Bool = false, guardMetrics: Bool = false) {
        self.token = token.flatMap { $0.isEmpty ? nil : Array($0.utf8) }
        self.guardReads = guardReads
        self.guardMetrics = guardMetrics
    }

    /// Whether a route of `access` needs the token.
    func requiresToken(for access: RouteAccess) -> Bool {
        guard token != nil else { return false }
        switch access {
        case .token: return true
        case .reads: return guardReads
        case .metrics: return guardMetrics
        case .open: return false
        }
    }

    /// Returns when `request` may call a route of `access`; throws the 401 otherwise.
    func authorize(_ request: HTTPRequest, for access: RouteAccess) throws(Unauthorized) {
        guard requiresToken(for: access), let token else { return }
        let header = request.headers["Authorization"] ?? ""
        let prefix = "Bearer "
        let presented = header.hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
        if Self.constantTimeEqual(presented, token) { return }
        throw Unauthorized(message: header.isEmpty ? "this route needs Authorization: Bearer <token>"
            : "the bearer token is not valid")
    }

    /// Compares in time that depends only on the lengths, never on where the bytes differ.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        let length = max(lhs.count, rhs.count)
        for index in 0..<length {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}

/// A route that needs the bearer token, called without it or with another: 401 with the challenge.
struct Unauthorized: APIError {
    let message: String
    var status: Int { 401 }
    var code: String { "unauthorized" }
    var headers: [(String, String)] { [("WWW-Authenticate", "Bearer realm=\"obf\"")] }
}
