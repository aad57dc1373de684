import OBFHTTP

/// Who may call a route when the service has an API token (`AccessPolicy`).
enum RouteAccess: Sendable {
    /// Anyone, always (probes).
    case open
    /// Only with the token (`POST /step`).
    case token
    /// With the token when `--auth-reads` is set (feature reads).
    case reads
    /// With the token when `--auth-metrics` is set.
    case metrics
}

/// A request as a route's handler sees it: its path parameters and checked query.
struct RoutedRequest {
    let request: HTTPRequest
    let pattern: RoutePattern
    let parameters: [Substring]
    /// The query parameters, each one of the route's allowed names, each at most once.
    let query: [String: String]

    /// The value of path parameter `name` (a name of the route's own template).
    func parameter(_ name: String) -> Substring {
        pattern.parameterNames.firstIndex(of: name).map { parameters[$0] } ?? ""
    }
}

/// One route: where it is, what it takes, who may call it, and the handler that answers it.
/// A handler throws a `RequestRejection` for what the request got wrong.
struct Route<Context: Sendable>: Sendable {
    let pattern: RoutePattern
    let methods: [String]
    let access: RouteAccess
    let queryNames: Set<String>
    let handler: @Sendable (Context, RoutedRequest) throws(RequestRejection) -> HTTPHandlerResult

    init(_ template: String, methods: [String] = ["GET", "HEAD"], access: RouteAccess, query: Set<String> = [],
         _ handler: @escaping @Sendable (Context, RoutedRequest) throws(RequestRejection) -> HTTPHandlerResult) {
        pattern = RoutePattern(template)
        self.methods = methods
        self.access = access
        queryNames = query
        self.handler = handler
    }
}

/// The routes of an API; a path is answered by the first route whose pattern it fits.
struct RouteTable<Context: Sendable>: Sendable {
    /// The `route` label of requests no route matched.
    static var unmatchedLabel: String { "unmatched" }

    let routes: [Route<Context>]

    init(_ routes: [Route<Context>]) {
        self.routes = routes
    }

    /// Every route's template, and `unmatched`: the values of the `route` metric label.
    var templates: [String] {
        routes.map(\.pattern.template) + [Self.unmatchedLabel]
    }

    /// The route `path` fits and its parameter values, or nil.
    func match(path: String) -> (route: Route<Context>, parameters: [Substring])? {
        let parts = RoutePattern.segments(of: path)
        for route in routes {
            if let parameters = route.pattern.match(parts) { return (route, parameters) }
        }
        return nil
    }
}
