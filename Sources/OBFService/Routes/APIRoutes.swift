import OBFEngine
import OBFHTTP
import OBFReplication

/// The API of service.md: what each route needs and answers. Feature reads are answered
/// inline from the published store; a step is deferred to the engine actor, and `/metrics` off the
/// event loop (it reads `/proc`).
struct APIRoutes: Sendable {
    let engine: FeatureEngine
    let source: any SnapshotSource
    let metrics: ServiceMetrics
    /// The configured assets: `/bars` lists them even before they have a bar.
    let configuredAssets: Set<String>
    /// The state replica's status, with `--state-map`.
    let replication: (@Sendable () -> ReplicationStatus)?
    /// The feature bodies rendered once per served bar.
    let rendered = RenderedFeatures()

    /// Every route, in the order they are matched.
    static let table = RouteTable<APIRoutes>([
        Route("/step/{bar}", methods: ["POST"], access: .token, query: ["rollover", "include"]) {
            routes, request throws(RequestRejection) in try routes.step(request)
        },
        Route("/features/{asset}/{bar}", access: .reads) {
            routes, request throws(RequestRejection) in .response(try routes.features(request))
        },
        Route("/macro/{bar}", access: .reads) {
            routes, request throws(RequestRejection) in .response(try routes.macro(request))
        },
        Route("/bars/{bar}", access: .reads) {
            routes, request throws(RequestRejection) in .response(try routes.bars(request))
        },
        Route("/metrics", access: .metrics) { routes, _ in routes.exposition() },
        Route("/healthz", access: .open) { _, _ in .response(.json(Array(#"{"status":"ok"}"#.utf8))) },
        Route("/readyz", access: .open) { routes, _ in .response(routes.readiness()) },
    ])
}
