import ArgumentParser
import Foundation
import HazelcastClient
import Locking
import Logging
import OBFEngine
import OBFService
import OBFSources

/// `obf push`: a producer for tests and demos.
struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Write mock or replayed snapshots into a Hazelcast map, as the Python producer does.",
        discussion: """
            Each tick puts one document per asset under asset_{SYMBOL}_ob as a JSON string \
            (json.dumps format). The mock source writes fresh books stamped now; the replay source \
            writes one bar of the file per tick, in bar order.
            """)

    @Option(help: "What to push: mock or replay. (default: mock)")
    var source = "mock"
    @OptionGroup var feed: FeedOptions
    @Flag(help: "Replace replayed timestamps with the current time.")
    var restamp = false
    @Option(help: "Milliseconds between ticks. (default: 100)")
    var intervalMs = 100
    @Option(help: "Ticks to push; 0 pushes until SIGTERM or SIGINT (replay stops at the end of the file). (default: 0)")
    var count = 0
    @OptionGroup var hazelcast: HazelcastOptions
    @Option(help: "Log level. [env: OBF_LOG_LEVEL] (default: info)")
    var logLevel: String?

    func run() async throws {
        let environment = Environment()
        let logger = try LogSetup.bootstrap(level: environment.string(logLevel, "OBF_LOG_LEVEL", default: "info"))
        let settings = try hazelcast.settings(environment)
        let ticks = try makeTicks(environment)
        let client = try HazelcastClient(configuration: HazelcastSettingsMapping.clientConfiguration(settings, logger: logger),
                                         logger: logger)
        do {
            try await client.connect(timeout: .seconds(10))
        } catch {
            logger.critical("cannot connect to Hazelcast", metadata: ["error": "\(error)"])
            await client.shutdown()
            throw ExitCode(2)
        }
        let pusher = SnapshotPusher(client: client, map: settings.mapName)
        // While the cluster is unreachable every tick fails; one line per 10 s is enough.
        let failures = RateLimitedLog(interval: 10)
        // SIGTERM or SIGINT ends the pushing after the current tick, with the summary below
        // (the waiting task simply ends with the process when no signal comes).
        let stopSignal = Locked<Int32?>(nil)
        Task {
            let number = await ShutdownSignal.wait()
            stopSignal.withLock { $0 = number }
        }
        let tickLimit = count == 0 ? Int64.max : Int64(count)
        var tick: Int64 = 0
        var written = 0
        while tick < tickLimit && stopSignal.withLock({ $0 }) == nil {
            guard let documents = ticks.documents(tick) else { break }
            do {
                written += try await pusher.push(documents)
            } catch {
                failures.warn(key: "push", logger: logger, "push failed", metadata: ["tick": "\(tick)", "error": "\(error)"])
            }
            tick += 1
            if tick < tickLimit { try await Task.sleep(for: .milliseconds(intervalMs)) }
        }
        var summary: Logger.Metadata = ["ticks": "\(tick)", "documents": "\(written)", "map": "\(settings.mapName)"]
        if let number = stopSignal.withLock({ $0 }) { summary["signal"] = "\(number)" }
        logger.info("push finished", metadata: summary)
        await client.shutdown()
    }

    private func makeTicks(_ environment: Environment) throws -> PushSchedule {
        switch source.lowercased() {
        case "mock":
            return .mock(MockSource(seed: try feed.seed(environment)), try feed.assetList(environment))
        case "replay":
            guard let path = feed.replayPath(environment) else {
                throw ValidationError("--source replay needs --replay-file PATH")
            }
            return .replay(try ReplayFile(contentsOf: path), restamp: restamp)
        default:
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
