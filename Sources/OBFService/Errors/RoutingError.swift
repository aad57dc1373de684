/// A request no route answers: an unknown path (404) or a method the route does not take (405).
enum RoutingError: APIError {
    case notFound(path: String)
    case methodNotAllowed(method: String, template: String, allowed: [String])

    var status: Int {
        switch self {
        case .notFound: 404
        case .methodNotAllowed: 405
        }
    }

    var code: String {
        switch self {
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        }
    }

    var message: String {
        switch self {
        case .notFound(let path): "no route for \(path.prefix(80))"
        case .methodNotAllowed(let method, let template, _): "\(method.prefix(20)) is not allowed on \(template)"
        }
    }

    var headers: [(String, String)] {
        switch self {
        case .notFound: []
        case .methodNotAllowed(_, _, let allowed): [("Allow", allowed.joined(separator: ", "))]
        }
    }
}
