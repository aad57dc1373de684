import Foundation
import Logging
import OBFEngine
import OBFHTTP
import OBFRecord
import OBFReplication
import Locking

/// The service assembled: a source, the engine, the metrics and the HTTP server.
public final class FeatureService: Sendable {
    public let engine: FeatureEngine
    public let metrics: ServiceMetrics
    public let source: any SnapshotSource
    let server: HTTPServer
    /// The plain-HTTP probe port on loopback (`--probe-port`), when configured.
    let probeServer: HTTPServer?
    private let boundProbePort = Locked<Int?>(nil)
    let logger: Logger
    let configuration: ServiceConfiguration
    let stateKeeper: StateKeeper?
    /// The state map replica (`--state-map`), when configured.
    public let replica: GridStateReplica?
    /// The step record (`--record-dir`), when configured.
    public let recorder: RecordWriter?

    /// Wires the service around `source`; nothing listens until `start()`.
    /// Pass the `metrics` the source was made with (`SourceFactory.make(_:liveViewMetrics:logger:)`).
    public init(configuration: ServiceConfiguration, source: any SnapshotSource,
                http: HTTPServerConfiguration = HTTPServerConfiguration(), metrics: ServiceMetrics = ServiceMetrics(),
                recorder: RecordWriter? = nil, logger: Logger) {
        self.recorder = recorder
        self.configuration = configuration
        self.source = source
        self.logger = logger
        self.metrics = metrics
        let keeperBox = StateKeeperBox()
        let replica = configuration.stateMap.flatMap { map in
            Self.replica(configuration, map: map, metrics: metrics.replication, logger: logger)
        }
        self.replica = replica
        let engine = FeatureEngine(
            configuration: configuration.engine, source: source, defaultAssets: configuration.assets,
            stepDeadline: configuration.stepDeadline, logger: logger, replica: replica, recorder: recorder,
            observer: { observation in
                metrics.record(observation)
                if let keeper = keeperBox.keeper { Task { await keeper.stepFinished() } }
            })
        self.engine = engine
        stateKeeper = configuration.stateFile.map { StateKeeper(path: $0, engine: engine, logger: logger) }
        keeperBox.keeper = stateKeeper
        let replicationStatus: (@Sendable () -> ReplicationStatus)? = if let replica { { replica.status } } else { nil }
        let routes = APIRoutes(engine: engine, source: source, metrics: metrics,
                               configuredAssets: Set(configuration.assets), replication: replicationStatus)
        let access = AccessPolicy(token: configuration.apiToken, guardReads: configuration.authReads,
                                  guardMetrics: configuration.authMetrics)
        let handler = MeteredHandler(router: Router(table: APIRoutes.table, context: routes, access: access),
                                     metrics: metrics)
        var http = http
        http.host = configuration.host
        http.port = configuration.port
        // One loop per core but one: the steps, the source client and (often) the trader need a core too.
        http.eventLoopCount = configuration.httpThreads ?? max(1, HTTPServerConfiguration.coreCount - 1)
        http.tls = configuration.tls
        server = HTTPServer(configuration: http, handler: handler, logger: logger)
        probeServer = configuration.probePort.map { port in
            var probe = http
            probe.host = "127.0.0.1"
            probe.port = port
            probe.tls = nil
            probe.eventLoopCount = 1
            probe.maxConnections = 64
            return HTTPServer(configuration: probe, handler: ProbeHandler(service: handler), logger: logger)
        }
        metrics.record(source: source.status())
    }

    /// The state map replica (`--state-map`); nil, with an error logged, when the cluster configuration is unusable.
    private static func replica(_ configuration: ServiceConfiguration, map: String, metrics: ReplicationMetrics,
                                logger: Logger) -> GridStateReplica? {
        do {
            return try GridStateReplica(configuration: configuration.hazelcast, mapName: map, engineId: configuration.engineId,
                                        timeout: configuration.stepDeadline, metrics: metrics, logger: logger)
        } catch {
            logger.error("state map replication off: the cluster configuration is unusable", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Loads the state file (when configured), binds and starts serving; returns the bound port.
    public func start() async throws -> Int {
        await stateKeeper?.load()
        if let replica {
            // A replica started later takes over the replicated state before its first step.
            await replica.start(waitingUpTo: .seconds(3))
            await engine.synchronize()
        }
        let port = try server.start()
        let scheme = configuration.tls == nil ? "http" : "https"
        var metadata: Logger.Metadata = [
            "address": "\(scheme)://\(configuration.host):\(port)", "source": "\(source.name)",
            "assets": "\(configuration.assets.joined(separator: ","))",
        ]
        if let tls = configuration.tls {
            metadata["client_certificates"] = "\(tls.clientCAFile == nil ? "not required" : "required")"
        }
        if let probeServer {
            do {
                let probePort = try probeServer.start()
                boundProbePort.withLock { $0 = probePort }
                metadata["probe_address"] = "http://127.0.0.1:\(probePort)"
            } catch {
                await server.shutdown()
                throw error
            }
        }
        logger.info("listening", metadata: metadata)
        return port
    }

    /// The bound probe port once started, nil without `--probe-port`.
    public var probePort: Int? {
        boundProbePort.withLock { $0 }
    }

    /// Loads the TLS certificate and key files again (SIGHUP): new connections use them, open ones
    /// keep theirs; a pair that cannot serve is refused with an error logged and the old one stays.
    /// Reads files: call it off the concurrency pool. True when the new pair is in use.
    @discardableResult
    public func reloadTLS() -> Bool {
        guard configuration.tls != nil else {
            logger.notice("reload asked for, but the API does not speak TLS: nothing to reload")
            return false
        }
        do {
            let notAfter = try server.reloadTLS()
            logger.info("TLS certificate reloaded: new connections use it", metadata: [
                "certificate": "\(configuration.tlsCertificateFile ?? "")", "not_after": "\(notAfter)",
            ])
            return true
        } catch {
            logger.error("TLS certificate reload refused: the certificate in use stays", metadata: [
                "error": "\(error)",
            ])
            return false
        }
    }

    /// Stops accepting, finishes in-flight requests, then closes the source.
    public func shutdown() async {
        logger.info("shutting down")
        await server.shutdown()
        await probeServer?.shutdown()
        await stateKeeper?.save()
        await recorder?.close()
        await replica?.shutdown()
        await source.shutdown()
        logger.info("stopped")
    }
}

/// Lets the engine's observer reach the state keeper, which needs the engine to exist first.
/// Set once during `FeatureService.init`, before any step can run; read-only afterwards.
private final class StateKeeperBox: Sendable {
    private let stored = Locked<StateKeeper?>(nil)
    var keeper: StateKeeper? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
