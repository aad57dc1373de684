import OBFHTTP

/// The handler of the probe port (`--probe-port`, plain HTTP on loopback): the service's own
/// handler for `/healthz`, `/readyz` and `/metrics` (with the same access rules), 404 for every
/// other path, so the probe port never offers the API without TLS.
final class ProbeHandler: HTTPHandler {
    static let paths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    let service: any HTTPHandler

    init(service: any HTTPHandler) {
        self.service = service
    }

    func handle(_ request: HTTPRequest) -> HTTPHandlerResult {
        guard Self.paths.contains(request.path) else {
            return .response(HTTPResponse(error: RoutingError.notFound(path: request.path)))
        }
        return service.handle(request)
    }

    func serverAnswered(status: Int, code: String) {
        service.serverAnswered(status: status, code: code)
    }

    func response(to failure: HTTPRequestRefusal) -> HTTPResponse {
        service.response(to: failure)
    }
}
