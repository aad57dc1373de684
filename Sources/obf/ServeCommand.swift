import ArgumentParser
import Foundation
import Logging
import OBFEngine
import OBFRecord
import OBFService
import SnapshotSources
import Platform

/// `obf serve`: the feature service.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve per-bar order-book features over HTTP.",
        discussion: """
            With no flags it serves the embedded mock source for BTCUSDT, ETHUSDT, BNBUSDT and SOLUSDT \
            on http://127.0.0.1:8080. Set OBF_API_TOKEN to require 'Authorization: Bearer <token>' on POST.
            With --tls-cert and --tls-key it serves https:// instead; SIGHUP reloads the pair.

            \(HazelcastOptions.credentialsHelp)
            """)

    @Option(help: "Address to listen on. [env: OBF_HOST] (default: \(Defaults.service.host))")
    var host: String?
    @Option(help: "Port to listen on; 0 picks a free port and logs it. [env: OBF_PORT] (default: \(Defaults.service.port))")
    var port: Int?
    @Option(help: "Snapshot source: mock, replay or hazelcast. [env: OBF_SOURCE] (default: \(Defaults.service.source.rawValue))")
    var source: String?
    @OptionGroup var feed: FeedOptions
    @OptionGroup var hazelcast: HazelcastOptions
    @Option(help: "How the hazelcast source reads: fetch (one batched read per step) or listen (a live view fed by entry events). [env: OBF_HZ_READ] (default: \(Defaults.hazelcast.readMode.rawValue))")
    var hzRead: String?
    @Option(help: "Seconds between the live view's reconciliations with the map (listen). [env: OBF_HZ_RESYNC_S] (default: \(Defaults.resyncSeconds))")
    var hzResyncS: Double?
    @Option(help: "Deadline of a step's source read in ms. [env: OBF_STEP_DEADLINE_MS] (default: \(Defaults.stepDeadlineMs))")
    var stepDeadlineMs: Int?
    @Option(help: "Bars retained per asset and for macro. [env: OBF_MAX_BARS] (default: \(Defaults.engine.maxBars))")
    var maxBars: Int?
    @OptionGroup var snapshotAge: SnapshotAgeOption
    @Option(help: "Producer clock offset in seconds (either way) past which the service warns; book ages never trust the producer's clock. [env: OBF_MAX_CLOCK_OFFSET_S] (default: \(Defaults.maxClockOffsetS))")
    var maxClockOffsetS: Double?
    @Option(help: "Assets known at a time; past it the least recently stepped are forgotten. [env: OBF_MAX_ASSETS] (default: \(Defaults.engine.maxAssets))")
    var maxAssets: Int?
    @Option(help: "Where engine state is kept across restarts. [env: OBF_STATE_FILE] (default: off)")
    var stateFile: String?
    @Option(help: "Hazelcast map the engine's state is replicated in, written before every step is answered. [env: OBF_STATE_MAP] (default: off)")
    var stateMap: String?
    @Option(help: "The engine's name in the state map; its replicas share it. [env: OBF_ENGINE_ID] (default: \(Defaults.service.engineId))")
    var engineId: String?
    @Option(help: "Directory where every answered step is recorded, for exact replay and audit (obf replay). [env: OBF_RECORD_DIR] (default: off)")
    var recordDir: String?
    @Option(help: "Days of record kept; older days are deleted. [env: OBF_RECORD_RETAIN_DAYS] (default: every day is kept)")
    var recordRetainDays: Int?
    @Flag(help: "Require the API token on the feature GETs too. [env: OBF_AUTH_READS]")
    var authReads = false
    @Flag(help: "Require the API token on /metrics too. [env: OBF_AUTH_METRICS]")
    var authMetrics = false
    @Option(help: "HTTP event-loop threads; 0 is one per core but one. [env: OBF_HTTP_THREADS] (default: \(Defaults.httpThreads))")
    var httpThreads: Int?
    @Option(help: "PEM certificate chain: the API speaks HTTPS only (TLS 1.2 or later); with --tls-key. SIGHUP reloads it. [env: OBF_TLS_CERT] (default: off)")
    var tlsCert: String?
    @Option(help: "PEM private key of --tls-cert. [env: OBF_TLS_KEY]")
    var tlsKey: String?
    @Option(help: "PEM CA file: every client must present a certificate it issued (mutual TLS). [env: OBF_TLS_CLIENT_CA] (default: off)")
    var tlsClientCa: String?
    @Option(help: "Plain-HTTP port on 127.0.0.1 answering only /healthz, /readyz and /metrics, for probes without a client certificate. [env: OBF_PROBE_PORT] (default: off)")
    var probePort: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical. [env: OBF_LOG_LEVEL] (default: \(Defaults.logLevel))")
    var logLevel: String?

    func run() async throws {
        let environment = Environment()
        let logger = try LogSetup.bootstrap(level: environment.string(logLevel, "OBF_LOG_LEVEL", default: Defaults.logLevel))
        let configuration = try makeConfiguration(environment)
        let metrics = ServiceMetrics()
        let source = try SourceFactory.make(configuration, liveViewMetrics: metrics.liveView, logger: logger)
        let recorder: RecordWriter?
        do {
            recorder = try FeatureService.recorder(configuration, metrics: metrics, logger: logger)
        } catch {
            logger.critical("cannot record steps: \(error)")
            await source.shutdown()
            throw ExitCode.failure
        }
        let service = FeatureService(configuration: configuration, source: source, metrics: metrics, recorder: recorder,
                                     logger: logger)
        // A write to a peer that has gone must fail with EPIPE, never end the process.
        signal(SIGPIPE, SIG_IGN)
        do {
            _ = try await service.start(handlingSignals: true)
        } catch {
            logger.critical("cannot start: \(error)")
            await service.waitUntilStopped()
            throw ExitCode.failure
        }
        await service.waitUntilStopped()
    }

    func makeConfiguration(_ environment: Environment) throws -> ServiceConfiguration {
        var configuration = ServiceConfiguration()
        configuration.host = environment.string(host, "OBF_HOST", default: configuration.host)
        configuration.port = try environment.number(port, "OBF_PORT", default: configuration.port)
        let sourceName = environment.string(source, "OBF_SOURCE", default: configuration.source.rawValue)
        guard let kind = SourceKind(named: sourceName) else {
            throw ValidationError("source '\(sourceName)' is not one of mock, replay, hazelcast")
        }
        configuration.source = kind
        configuration.assets = try feed.assetList(environment)
        configuration.replayFile = feed.replayPath(environment)
        configuration.mockSeed = try feed.seed(environment)
        configuration.hazelcast = try hazelcast.configuration(environment)
        let readName = environment.string(hzRead, "OBF_HZ_READ", default: configuration.hazelcast.readMode.rawValue)
        guard let readMode = HazelcastReadMode(named: readName) else {
            throw ValidationError("--hz-read '\(readName)' is not one of fetch, listen")
        }
        configuration.hazelcast.readMode = readMode
        let resync = try environment.number(hzResyncS, "OBF_HZ_RESYNC_S",
                                            default: configuration.hazelcast.resyncInterval.seconds)
        guard resync > 0, resync.isFinite, resync <= 86_400 else {
            throw ValidationError("--hz-resync-s must be a number of seconds in (0, 86400], got \(resync)")
        }
        configuration.hazelcast.resyncInterval = .milliseconds(Int64((resync * 1000).rounded()))
        let deadline = try environment.number(stepDeadlineMs, "OBF_STEP_DEADLINE_MS",
                                              default: Int(configuration.stepDeadline / .milliseconds(1)))
        configuration.stepDeadline = .milliseconds(deadline)
        configuration.engine.maxBars = try environment.number(maxBars, "OBF_MAX_BARS", default: configuration.engine.maxBars)
        configuration.engine.maxSnapshotAge = try snapshotAge.seconds(environment)
        configuration.engine.maxClockOffset = try environment.number(maxClockOffsetS, "OBF_MAX_CLOCK_OFFSET_S",
                                                                     default: configuration.engine.maxClockOffset)
        configuration.engine.maxAssets = try environment.number(maxAssets, "OBF_MAX_ASSETS",
                                                                default: configuration.engine.maxAssets)
        configuration.stateFile = environment.string(stateFile, "OBF_STATE_FILE")
        configuration.stateMap = environment.string(stateMap, "OBF_STATE_MAP")
        configuration.engineId = environment.string(engineId, "OBF_ENGINE_ID", default: configuration.engineId)
        configuration.recordDirectory = environment.string(recordDir, "OBF_RECORD_DIR")
        let retain = try environment.number(recordRetainDays, "OBF_RECORD_RETAIN_DAYS", default: 0)
        configuration.recordRetainDays = retain == 0 ? nil : retain
        configuration.apiToken = environment.string(nil, "OBF_API_TOKEN")
        configuration.authReads = try environment.bool(authReads, "OBF_AUTH_READS")
        configuration.authMetrics = try environment.bool(authMetrics, "OBF_AUTH_METRICS")
        let threads = try environment.number(httpThreads, "OBF_HTTP_THREADS", default: Defaults.httpThreads)
        configuration.httpThreads = threads == Defaults.httpThreads ? nil : threads
        configuration.tlsCertificateFile = environment.string(tlsCert, "OBF_TLS_CERT")
        configuration.tlsKeyFile = environment.string(tlsKey, "OBF_TLS_KEY")
        configuration.tlsClientCAFile = environment.string(tlsClientCa, "OBF_TLS_CLIENT_CA")
        if probePort != nil || environment.string(nil, "OBF_PROBE_PORT") != nil {
            configuration.probePort = try environment.number(probePort, "OBF_PROBE_PORT", default: 0)
        }
        do {
            return try configuration.validated()
        } catch {
            throw ValidationError(error.description)
        }
    }
}
