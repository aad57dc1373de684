import Foundation
import Logging
import OBFEngine
import OBFHTTP
import OBFRecord
import OBFReplication
import Locking
import ServiceLifecycle

/// The service assembled: a source, the engine, the metrics and the HTTP server.
///
/// Its long-running parts are the services of one `ServiceGroup`, started in this order and
/// stopped in the reverse one at the graceful shutdown (`shutdown()`, or SIGTERM/SIGINT with
/// `start(handlingSignals:)`): the source (its client and live view), the state replica, the step
/// record, the state file keeper, the TLS reload on SIGHUP, and the API's HTTP servers. So the
/// servers stop taking steps first, the state file is written after the last step, the record is
/// closed after it, and the source closes last.
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
    /// The group of the long-running services and the task that runs it, once started.
    private let running = Locked<(group: ServiceGroup, task: Task<Void, Never>)?>(nil)

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
        let stepCounter = configuration.stateFile.map { _ in StepCounter() }
        let replica = configuration.stateMap.flatMap { map in
            Self.replica(configuration, map: map, metrics: metrics.replication, logger: logger)
        }
        self.replica = replica
        let engine = FeatureEngine(
            configuration: configuration.engine, source: source, defaultAssets: configuration.assets,
            stepDeadline: configuration.stepDeadline, logger: logger, replica: replica,
            listeners: [metrics] + [recorder as (any StepListener)?, stepCounter].compactMap { $0 })
        self.engine = engine
        stateKeeper = if let path = configuration.stateFile, let stepCounter {
            StateKeeper(path: path, engine: engine, steps: stepCounter, logger: logger)
        } else {
            nil
        }
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

    /// Loads the state file (when configured), takes over the replicated state (with a state
    /// map), then runs the services: returns the bound port once the API listens. With
    /// `handlingSignals` (the process's own service), SIGTERM and SIGINT shut it down gracefully
    /// (`waitUntilStopped()`) and SIGHUP reloads the TLS certificate.
    public func start(handlingSignals: Bool = false) async throws -> Int {
        await stateKeeper?.load()
        if let replica {
            // A replica started later takes over the replicated state before its first step.
            await replica.start(waitingUpTo: .seconds(3))
            await engine.synchronize()
        }
        let bound = Promise<APIListener.Ports>()
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services(listening: bound, reloadingOnHangup: handlingSignals).map { service in
                .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                      failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [], logger: logger))
        let logger = self.logger
        let task = Task {
            do { try await group.run() } catch { logger.debug("services ended", metadata: ["error": "\(error)"]) }
            // The group ended before the API listened (a service failed at once): `start()` says so.
            bound.settle(.failure(ServicesEnded()))
        }
        running.withLock { $0 = (group, task) }
        let ports: APIListener.Ports
        do {
            ports = try await bound.value.get()
        } catch {
            // The parts that started stop again (in the reverse order) before the start fails.
            await task.value
            throw error
        }
        boundProbePort.withLock { $0 = ports.probe }
        logListening(port: ports.api, probePort: ports.probe)
        return ports.api
    }

    /// The services stopped before the API listened.
    struct ServicesEnded: Error, CustomStringConvertible {
        var description: String { "the services stopped before the API listened" }
    }

    /// The long-running services in the order they start (they stop in the reverse one).
    private func services(listening bound: Promise<APIListener.Ports>, reloadingOnHangup: Bool) -> [any Service] {
        let source = self.source, logger = self.logger
        var services: [any Service] = [StopOnShutdown(description: "source") { await source.shutdown() }]
        if let replica { services.append(replica) }
        if let recorder { services.append(StopOnShutdown(description: "record") { await recorder.close() }) }
        if let stateKeeper { services.append(stateKeeper) }
        if reloadingOnHangup { services.append(TLSReload(service: self, logger: logger)) }
        services.append(APIListener(server: server, probeServer: probeServer, bound: bound) {
            logger.info("shutting down")
        })
        return services
    }

    private func logListening(port: Int, probePort: Int?) {
        let scheme = configuration.tls == nil ? "http" : "https"
        var metadata: Logger.Metadata = [
            "address": "\(scheme)://\(configuration.host):\(port)", "source": "\(source.name)",
            "assets": "\(configuration.assets.joined(separator: ","))",
        ]
        if let tls = configuration.tls {
            metadata["client_certificates"] = "\(tls.clientCAFile == nil ? "not required" : "required")"
        }
        if let probePort { metadata["probe_address"] = "http://127.0.0.1:\(probePort)" }
        logger.info("listening", metadata: metadata)
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

    /// Shuts the services down gracefully, in the reverse order of their start, and waits until
    /// every one has stopped: stops accepting, finishes in-flight requests, writes the state file,
    /// closes the record, the replica and the source.
    public func shutdown() async {
        guard let running = running.withLock({ $0 }) else {
            await source.shutdown()
            return
        }
        await running.group.triggerGracefulShutdown()
        await waitUntilStopped()
    }

    /// Waits until the services have stopped (after `shutdown()` or a shutdown signal).
    public func waitUntilStopped() async {
        guard let running = running.withLock({ $0 }) else { return }
        await running.task.value
        logger.info("stopped")
    }
}
