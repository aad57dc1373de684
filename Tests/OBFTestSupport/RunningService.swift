import Foundation
import InMemoryLogging
import Logging
import OBFEngine
import OBFHTTP
import OBFService

/// A service started on an ephemeral loopback port for one test, with its log captured.
public struct RunningService: Sendable {
    /// The step deadline of services started by tests unless a test sets its own: far above
    /// the 250 ms default, which on a loaded machine could turn ready snapshots into `missing`.
    public static let stepDeadline = Duration.seconds(5)
    /// The snapshot age limit of `obf serve` processes started by tests unless a test sets its
    /// own: a book written when a test began stays fresh however long a loaded machine takes.
    public static let maxSnapshotAge = 600.0

    public let service: FeatureService
    public let port: Int
    public let logs: InMemoryLogHandler

    public static func start(source: any SnapshotSource, assets: [String] = ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
                             adjust: (inout ServiceConfiguration) -> Void = { _ in },
                             http: HTTPServerConfiguration = HTTPServerConfiguration(),
                             metrics: ServiceMetrics = ServiceMetrics()) async throws -> RunningService {
        var configuration = ServiceConfiguration()
        configuration.port = 0
        configuration.assets = assets
        configuration.stepDeadline = stepDeadline
        adjust(&configuration)
        let captured = CapturedLog()
        let service = FeatureService(configuration: configuration, source: source, http: http, metrics: metrics,
                                 logger: captured.logger())
        let port = try await service.start()
        return RunningService(service: service, port: port, logs: captured.logs)
    }

    /// Runs `body` against a started service and always stops it afterwards.
    public static func with<T>(source: any SnapshotSource, assets: [String] = ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
                               adjust: (inout ServiceConfiguration) -> Void = { _ in },
                               http: HTTPServerConfiguration = HTTPServerConfiguration(),
                               metrics: ServiceMetrics = ServiceMetrics(),
                               _ body: (RunningService) async throws -> T) async throws -> T {
        let running = try await start(source: source, assets: assets, adjust: adjust, http: http, metrics: metrics)
        do {
            let result = try await body(running)
            await running.stop()
            return result
        } catch {
            await running.stop()
            throw error
        }
    }

    public func client() throws -> TestHTTPClient { try TestHTTPClient(port: port) }

    public func stop() async { await service.shutdown() }

    /// The captured log messages.
    public var messages: [String] { logs.entries.map { "\($0.message)" } }
}

/// Paths of the shared test fixtures.
public enum Fixtures {
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}
