import Foundation
import Logging
import OBFEngine
import OBFHTTP

/// The service assembled: a source, the engine, the metrics and the HTTP server.
public final class OBFService: Sendable {
    public let engine: FeatureEngine
    public let metrics: ServiceMetrics
    public let source: any SnapshotSource
    let server: HTTPServer
    let logger: Logger
    let configuration: ServiceConfiguration

    /// Wires the service around `source`; nothing listens until `start()`.
    public init(configuration: ServiceConfiguration, source: any SnapshotSource,
                http: HTTPServerConfiguration = HTTPServerConfiguration(), logger: Logger) {
        self.configuration = configuration
        self.source = source
        self.logger = logger
        let metrics = ServiceMetrics()
        self.metrics = metrics
        let engine = FeatureEngine(
            configuration: configuration.engine, source: source, defaultAssets: configuration.assets,
            stepDeadline: configuration.stepDeadline, logger: logger,
            observer: { observation in
                metrics.record(observation)
            })
        self.engine = engine
        let handler = ServiceHandler(
            engine: engine, source: source, metrics: metrics,
            access: AccessPolicy(token: configuration.apiToken, guardReads: configuration.authReads,
                                 guardMetrics: configuration.authMetrics),
            logger: logger)
        var http = http
        http.host = configuration.host
        http.port = configuration.port
        server = HTTPServer(configuration: http, handler: handler, logger: logger)
        metrics.record(source: source.status())
    }

    /// Binds and starts serving; returns the bound port.
    public func start() throws -> Int {
        let port = try server.start()
        logger.info("listening", metadata: [
            "address": "http://\(configuration.host):\(port)", "source": "\(source.name)",
            "assets": "\(configuration.assets.joined(separator: ","))",
        ])
        return port
    }

    /// Stops accepting, finishes in-flight requests, then closes the source.
    public func shutdown() async {
        logger.info("shutting down")
        await server.shutdown()
        await source.shutdown()
        logger.info("stopped")
    }
}
