import JSON
import Logging
import OBFEngine
import OBFHTTP
import OBFReplication

/// Answers every route of the API; feature reads are answered inline from the
/// published store, steps are deferred to the engine actor.
final class ServiceHandler: HTTPHandler {
    let engine: FeatureEngine
    let source: any SnapshotSource
    let metrics: ServiceMetrics
    let access: AccessPolicy
    /// The configured assets: `/bars` lists them even before they have a bar.
    let configuredAssets: Set<String>
    /// The state replica's status, with `--state-map`.
    let replication: (@Sendable () -> ReplicationStatus)?

    init(engine: FeatureEngine, source: any SnapshotSource, metrics: ServiceMetrics,
         replication: (@Sendable () -> ReplicationStatus)? = nil, access: AccessPolicy) {
        self.engine = engine
        self.replication = replication
        configuredAssets = Set(engine.defaultAssets)
        self.source = source
        self.metrics = metrics
        self.access = access
    }

    func handle(_ request: HTTPRequest) -> HTTPHandlerResult {
        let started = ContinuousClock.now
        let route = Route(path: request.path)
        let method = request.method
        let result = dispatch(request, route: route)
        switch result {
        case .response(let response):
            metrics.recordRequest(route: route.template, method: method, status: response.status,
                                  duration: .now - started)
            return result
        case .deferred(let work):
            let metrics = self.metrics
            return .deferred {
                let response = await work()
                metrics.recordRequest(route: route.template, method: method, status: response.status,
                                      duration: .now - started)
                return response
            }
        }
    }

    func connectionsChanged(to count: Int) {
        metrics.httpConnections.set(to: Double(count))
    }

    func serverAnswered(status: Int, code: String) {
        metrics.recordRequest(route: "unmatched", method: "-", status: status, duration: .zero)
    }

    private static func notFound(_ request: HTTPRequest) -> HTTPResponse {
        .error(status: 404, code: "not_found", message: "no route for \(request.path.prefix(80))")
    }

    private func dispatch(_ request: HTTPRequest, route: Route) -> HTTPHandlerResult {
        if route == .unknown { return .response(Self.notFound(request)) }
        let allowed = route.allowedMethods
        guard allowed.contains(request.method) else {
            return .response(.error(status: 405, code: "method_not_allowed",
                                    message: "\(request.method.prefix(20)) is not allowed on \(route.template)",
                                    headers: [("Allow", allowed.joined(separator: ", "))]))
        }
        if let denied = access.check(request, route: route) { return .response(denied) }
        do {
            switch route {
            case .step(let bar):
                return try step(request, bar: RequestValidation.bar(bar))
            case .features(let asset, let bar):
                _ = try RequestValidation.query(request.query, allowed: [])
                let lookup = engine.store.renderedLookup(asset: try RequestValidation.asset(asset),
                                                         bar: try RequestValidation.bar(bar), render: JSONWriter.featureMembers)
                var json = JSONWriter()
                json.lookup(lookup)
                return .response(.json(json.bytes))
            case .macro(let bar):
                _ = try RequestValidation.query(request.query, allowed: [])
                var json = JSONWriter()
                json.macroLookup(engine.store.macroLookup(bar: try RequestValidation.bar(bar)))
                return .response(.json(json.bytes))
            case .bars(let bar):
                _ = try RequestValidation.query(request.query, allowed: [])
                return .response(.json(barsBody(bar: try RequestValidation.bar(bar))))
            case .metrics:
                _ = try RequestValidation.query(request.query, allowed: [])
                metrics.record(source: source.status())
                return .response(HTTPResponse(status: 200,
                                              headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                                              body: metrics.render()))
            case .healthz:
                _ = try RequestValidation.query(request.query, allowed: [])
                return .response(.json(Array(#"{"status":"ok"}"#.utf8)))
            case .readyz:
                _ = try RequestValidation.query(request.query, allowed: [])
                return .response(readiness())
            case .unknown:
                return .response(Self.notFound(request))
            }
        } catch {
            return .response(.error(status: error.status, code: error.code, message: error.message))
        }
    }

    private func barsBody(bar: Int64) -> [UInt8] {
        let (assets, macro) = engine.store.renderedBarLookup(bar: bar, including: configuredAssets,
                                                             render: JSONWriter.featureMembers)
        var json = JSONWriter(capacity: 512 + assets.count * 400)
        json.beginObject()
        json.field("bar", bar)
        json.key("assets")
        json.beginObject()
        for lookup in assets {
            json.key(lookup.lookup.asset)
            json.lookup(lookup, includeAsset: false)
        }
        json.endObject()
        json.key("macro")
        json.macroLookup(macro)
        json.endObject()
        return json.bytes
    }

    private func readiness() -> HTTPResponse {
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
            return .error(status: 503, code: "not_ready", message: (reasons + [replicationNote].compactMap { $0 })
                .joined(separator: "; "))
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

    private func step(_ request: HTTPRequest, bar: Int64) throws(RequestRejection) -> HTTPHandlerResult {
        let query = try RequestValidation.query(request.query, allowed: ["rollover", "include"])
        let rollover = try RequestValidation.flag(query["rollover"], name: "rollover")
        let include = try query["include"].map { value throws(RequestRejection) -> StepInclusion in
            guard let inclusion = StepInclusion(rawValue: value) else {
                throw .badRequest("invalid_query", "include takes 'features' or 'feature_table', got '\(value.prefix(40))'")
            }
            return inclusion
        }
        let assets = try StepBody.assets(from: request, limit: ServiceConfiguration.maxAssets)
        let engine = self.engine
        return .deferred {
            do throws(StepError) {
                let report = try await engine.step(bar: bar, assets: assets, rollover: rollover)
                var json = JSONWriter(capacity: 512 + (include == nil ? 0 : report.computed.count * 400))
                json.stepReport(report, include: include)
                return .json(json.bytes)
            } catch {
                switch error {
                case .barRegression(let requested, let last):
                    return .error(status: 409, code: "bar_regression",
                                  message: "bar \(requested) is below the last stepped bar \(last); "
                                      + "POST /step/\(requested)?rollover=true starts a new bar sequence")
                }
            }
        }
    }
}
