import Logging
import OBFHTTP

/// Answers requests from a route table. An unknown path, a method the route does not take, a
/// missing token and an unknown query parameter are refused before the route's handler runs;
/// an `APIError` the handler throws becomes the contract's error body.
struct Router<Context: Sendable>: Sendable {
    let table: RouteTable<Context>
    let context: Context
    let access: AccessPolicy
    let logger: Logger

    /// The answer to `request`, and the template of the route that took it (the metric label).
    func respond(to request: HTTPRequest) -> (template: String, result: HTTPHandlerResult) {
        guard let (route, parameters) = table.match(path: request.path) else {
            let error = RoutingError.notFound(path: request.path)
            return (RouteTable<Context>.unmatchedLabel, .response(HTTPResponse(error: error)))
        }
        let template = route.pattern.template
        do {
            guard route.methods.contains(request.method) else {
                throw RoutingError.methodNotAllowed(method: request.method, template: template, allowed: route.methods)
            }
            try access.authorize(request, for: route.access)
            let query = try RequestValidation.query(request.query, allowed: route.queryNames)
            let routed = RoutedRequest(request: request, pattern: route.pattern, parameters: parameters, query: query)
            return (template, try route.handler(context, routed))
        } catch let error as any APIError {
            return (template, .response(HTTPResponse(error: error)))
        } catch {
            logger.error("a route threw an unmapped error", metadata: [
                "route": "\(template)", "method": "\(request.method.prefix(20))", "error": "\(error)",
            ])
            return (template, .response(HTTPResponse(error: InternalError(underlying: error))))
        }
    }
}

/// An error no route should throw: answered 500 rather than lost.
struct InternalError: APIError {
    let underlying: any Error
    var status: Int { 500 }
    var code: String { "internal" }
    var message: String { "internal error: \(String(describing: underlying).prefix(200))" }
}
