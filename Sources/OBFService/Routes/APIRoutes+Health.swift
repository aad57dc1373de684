import JSON
import OBFHTTP

/// `GET /metrics` and `/readyz`: what the process, the source and the engine are doing.
extension APIRoutes {
    /// The Prometheus exposition, with the source's connection state refreshed first; deferred,
    /// since the process gauges are read from `/proc` (off the event loop and the concurrency pool).
    func exposition() -> HTTPHandlerResult {
        .deferred { [self] in
            metrics.record(source: source.status())
            return HTTPResponse(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                body: await metrics.render())
        }
    }

    /// 200 with the state when the source is connected and snapshots arrive; else `NotReady`'s 503.
    func readiness() -> HTTPResponse {
        let sourceStatus = source.status()
        metrics.record(source: sourceStatus)
        let store = engine.store.status()
        var reasons: [String] = []
        if !sourceStatus.connected {
            reasons.append("source \(source.name) not connected" + (sourceStatus.detail.map { ": \($0)" } ?? ""))
        }
        if store.emptyStreak >= engine.configuration.emptyStreakLimit {
            reasons.append("no order-book snapshots for \(store.emptyStreak) bars")
        }
        let replicationText = replication.map { status in
            let state = status()
            return state.reachable && !state.behind ? "ok" : state.detail ?? "behind"
        }
        guard reasons.isEmpty else {
            let replicationNote = replicationText.flatMap { $0 == "ok" ? nil : "replication: \($0)" }
            return HTTPResponse(error: NotReady(reasons: reasons + [replicationNote].compactMap { $0 }))
        }
        var json = JSONWriter()
        json.beginObject()
        json.field("status", "ready")
        if let replicationText { json.field("replication", replicationText) }
        json.field("source", source.name)
        json.field("empty_streak", store.emptyStreak)
        json.field("last_bar", store.lastBar)
        json.endObject()
        return .json(json.bytes)
    }
}

/// `/readyz` while the service cannot serve live features: 503 with every reason.
struct NotReady: APIError {
    let reasons: [String]
    var status: Int { 503 }
    var code: String { "not_ready" }
    var message: String { reasons.joined(separator: "; ") }
}
