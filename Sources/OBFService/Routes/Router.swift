import OBFHTTP

/// Answers requests from a route table. An unknown path, a method the route does not take, a
/// missing token and an unknown query parameter are refused before the route's handler runs;
/// what a handler refuses becomes the contract's error body.
struct Router<Context: Sendable>: Sendable {
    let table: RouteTable<Context>
    let context: Context
    let access: AccessPolicy

    /// The answer to `request`, and the template of the route that took it (the metric label).
    func respond(to request: HTTPRequest) -> (template: String, result: HTTPHandlerResult) {
        guard let (route, parameters) = table.match(path: request.path) else {
            let error = RoutingError.notFound(path: request.path)
            return (RouteTable<Context>.unmatchedLabel, .response(HTTPResponse(error: error)))
        }
        let template = route.pattern.template
        guard route.methods.contains(request.method) else {
            let error = RoutingError.methodNotAllowed(method: request.method, template: template, allowed: route.methods)
            return (template, .response(HTTPResponse(error: error)))
        }
        do throws(Unauthorized) {
            try access.authorize(request, for: route.access)
        } catch {
            return (template, .response(HTTPResponse(error: error)))
        }
        do throws(RequestRejection) {
            let query = try RequestValidation.query(request.query, allowed: route.queryNames)
            let routed = RoutedRequest(request: request, pattern: route.pattern, parameters: parameters, query: query)
            return (template, try route.handler(context, routed))
        } catch {
            return (template, .response(HTTPResponse(error: error)))
        }
    }
}
