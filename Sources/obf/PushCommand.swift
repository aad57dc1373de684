import ArgumentParser
import Foundation
import Hazelcast
import Locking
import Logging
import OBFEngine
import OBFService
import SnapshotSources
import UnixSignals

/// `obf push`: a producer for tests and demos.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Write mock or replayed snapshots into a Hazelcast map, as the Python producer does.",
        discussion: """
            Each tick puts one document per asset under asset_{SYMBOL}_ob as a JSON string \
            (json.dumps format). The mock source writes fresh books stamped now; the replay source \
            writes one bar of the file per tick, in bar order.

            While the cluster cannot be reached (also at start) it keeps ticking, logs 'push failed' \
            at most once every 10 s and pushes again as soon as a member answers. A cluster that \
            refuses the cluster name or the credentials ends it with exit status 2. SIGTERM or \
            SIGINT end it after the current tick with status 0.

            \(HazelcastOptions.credentialsHelp)
            """)

    @Option(help: "What to push: mock or replay.")
    var source = SourceKind.mock.rawValue
    @OptionGroup var feed: FeedOptions
    @Flag(help: "Replace replayed timestamps with the current time.")
    var restamp = false
    @Option(help: "Milliseconds between ticks.")
    var intervalMs = 100
    @Option(help: "Ticks to push; 0 pushes until SIGTERM or SIGINT (replay stops at the end of the file).")
    var count = 0
    @OptionGroup var hazelcast: HazelcastOptions
    @Option(help: "Log level. [env: OBF_LOG_LEVEL] (default: \(Defaults.logLevel))")
    var logLevel: String?

    func run() async throws {
        let environment = Environment()
        let logger = try LogSetup.bootstrap(level: environment.string(logLevel, "OBF_LOG_LEVEL", default: Defaults.logLevel))
        let cluster = try hazelcast.configuration(environment)
        let ticks = try makeTicks(environment)
        // A cluster that refuses this client (cluster name, credentials) cannot be pushed to by
        // retrying: the refusal ends the pushing.
        let refusal = Locked<HazelcastError?>(nil)
        let client = try HazelcastClient(configuration: Self.clientConfiguration(cluster, logger: logger), logger: logger,
                                         onEvent: { event in
                                             guard case .connectionAttemptFailed(_, let error) = event,
                                                   case .authenticationFailed = error else { return }
                                             refusal.withLock { $0 = $0 ?? error }
                                         })
        do {
            try await client.connect(timeout: .seconds(10))
        } catch let error as HazelcastError {
            if case .authenticationFailed = error { try await refuse(error, client: client, logger: logger) }
            logger.warning("Hazelcast not reachable yet; pushing anyway, each tick fails until a member answers",
                           metadata: ["members": "\(cluster.members.joined(separator: ","))", "error": "\(error)"])
        }
        let pusher = SnapshotPusher(client: client, map: cluster.mapName)
        // While the cluster is unreachable every tick fails; one line per 10 s is enough.
        let failures = RateLimitedLog(interval: 10)
        // SIGTERM or SIGINT ends the pushing after the current tick, with the summary below: the
        // signals are watched by a child task that ends with the pushing.
        let stopSignal = Locked<Int32?>(nil)
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let (tick, written) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await signal in signals {
                    stopSignal.withLock { $0 = signal.rawValue }
                    return
                }
            }
            defer { group.cancelAll() }
            return try await push(ticks, with: pusher, client: client, refusal: refusal, failures: failures,
                                  until: { stopSignal.withLock { $0 } != nil }, logger: logger)
        }
        var summary: Logger.Metadata = ["ticks": "\(tick)", "documents": "\(written)", "map": "\(cluster.mapName)"]
        if let number = stopSignal.withLock({ $0 }) { summary["signal"] = "\(number)" }
        logger.info("push finished", metadata: summary)
        await client.shutdown()
    }

    /// Pushes a tick's documents every `intervalMs` until `count` ticks, the end of a replay, or
    /// `stopped()`; returns the ticks and documents pushed.
    private func push(_ ticks: PushSchedule, with pusher: SnapshotPusher, client: HazelcastClient,
                      refusal: Locked<HazelcastError?>, failures: RateLimitedLog, until stopped: @Sendable () -> Bool,
                      logger: Logger) async throws -> (ticks: Int64, documents: Int) {
        let tickLimit = count == 0 ? Int64.max : Int64(count)
        var tick: Int64 = 0
        var written = 0
        while tick < tickLimit && !stopped() {
            if let refused = refusal.withLock({ $0 }) { try await refuse(refused, client: client, logger: logger) }
            guard let documents = ticks.documents(tick) else { break }
            do {
                written += try await pusher.push(documents)
            } catch {
                failures.warn(key: "push", logger: logger, "push failed", metadata: ["tick": "\(tick)", "error": "\(error)"])
            }
            tick += 1
            if tick < tickLimit { try await Task.sleep(for: .milliseconds(intervalMs)) }
        }
        return (tick, written)
    }

    /// Logs that the cluster refused the client and ends the command with exit status 2.
    private func refuse(_ error: HazelcastError, client: HazelcastClient, logger: Logger) async throws -> Never {
        logger.critical("the cluster refused the client; check --hz-cluster and OBF_HZ_USERNAME/OBF_HZ_PASSWORD",
                        metadata: ["error": "\(error)"])
        await client.shutdown()
        throw ExitCode(2)
    }

    /// The shared client configuration, with a heartbeat fit for a producer: a connection nothing
    /// was read from for 5 s is given up and a new one opened. Otherwise a connection to a member
    /// (or host) that went silent stays open for the 60 s default, and once the member is back
    /// its requests wait for TCP's next retransmission, which has backed off to 10–25 s by then.
    static func clientConfiguration(_ cluster: HazelcastConfiguration, logger: Logger) throws
        -> HazelcastClientConfiguration {
        var configuration = try cluster.clientConfiguration(logger: logger)
        configuration.heartbeatInterval = .seconds(1)
        configuration.heartbeatTimeout = .seconds(5)
        return configuration
    }

    private func makeTicks(_ environment: Environment) throws -> PushSchedule {
        switch SourceKind(named: source) {
        case .mock?:
            return .mock(MockSource(seed: try feed.seed(environment)), try feed.assetList(environment))
        case .replay?:
            guard let path = feed.replayPath(environment) else {
                throw ValidationError("--source replay needs --replay-file PATH")
            }
            return .replay(try ReplayFile(contentsOf: path), restamp: restamp)
        case .hazelcast?, nil:
            throw ValidationError("--source must be mock or replay")
        }
    }
}

/// The documents to push at each tick.
enum PushSchedule {
    case mock(MockSource, [String])
    case replay(ReplayFile, restamp: Bool)

    /// The documents of tick `tick`, or `nil` when a replay has run out.
    func documents(_ tick: Int64) -> [(asset: String, json: String)]? {
        switch self {
        case .mock(let source, let assets):
            return source.documents(assets: assets, sequence: tick)
        case .replay(let file, let restamp):
            return file.documents(forTick: tick, restamp: restamp)
        }
    }
}
