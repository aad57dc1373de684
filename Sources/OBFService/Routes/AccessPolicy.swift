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

    /// Whether `route` needs the token.
    func requiresToken(for route: Route) -> Bool {
        guard token != nil else { return false }
        switch route {
        case .step: return true
        case .features, .macro, .bars: return guardReads
        case .metrics: return guardMetrics
        case .healthz, .readyz, .unknown: return false
        }
    }

    /// `nil` when allowed, else the 401 response.
    func check(_ request: HTTPRequest, route: Route) -> HTTPResponse? {
        guard requiresToken(for: route), let token else { return nil }
        let header = request.headers["Authorization"] ?? ""
        let prefix = "Bearer "
        let presented = header.hasPrefix(prefix) ? Array(header.utf8.dropFirst(prefix.utf8.count)) : []
        if Self.constantTimeEqual(presented, token) { return nil }
        let message = header.isEmpty ? "this route needs Authorization: Bearer <token>" : "the bearer token is not valid"
        return .error(status: 401, code: "unauthorized", message: message,
                      headers: [("WWW-Authenticate", "Bearer realm=\"obf\"")])
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
