import OBFHTTP

/// The service's HTTP handler: the router, with every answer counted and timed under its route
/// template (a deferred one when it completes), and the server's own answers and connections counted.
final class MeteredHandler: HTTPHandler {
    let router: Router<APIRoutes>
    let metrics: ServiceMetrics

    init(router: Router<APIRoutes>, metrics: ServiceMetrics) {
        self.router = router
        self.metrics = metrics
    }

    func handle(_ request: HTTPRequest) -> HTTPHandlerResult {
        let started = ContinuousClock.now
        let method = request.method
        let (route, result) = router.respond(to: request)
        switch result {
        case .response(let response):
            metrics.recordRequest(route: route, method: method, status: response.status, duration: .now - started)
            return result
        case .deferred(let work):
            let metrics = self.metrics
            return .deferred {
                let response = await work()
                metrics.recordRequest(route: route, method: method, status: response.status, duration: .now - started)
                return response
            }
        }
    }

    func connectionsChanged(to count: Int) {
        metrics.httpConnections.set(to: Double(count))
    }

    func tlsHandshakeCompleted(resumed: Bool) {
        metrics.tlsHandshakes[resumed ? 1 : 0].increment()
    }

    func tlsRefused(_ reason: TLSRefusal) {
        metrics.tlsRefusals[reason]?.increment()
    }

    func serverAnswered(status: Int, code: String) {
        metrics.recordRequest(route: RouteTable<APIRoutes>.unmatchedLabel, method: "-", status: status, duration: .zero)
    }

    /// The server's own refusals in the contract's error body.
    func response(to failure: HTTPRequestRefusal) -> HTTPResponse {
        HTTPResponse(error: failure)
    }
}
