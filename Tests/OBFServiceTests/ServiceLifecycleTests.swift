import Foundation
import Locking
import OBFEngine
import OBFPersistence
import OBFService
import OBFTestSupport
import Testing

/// The service's parts are one group of services: they stop in the reverse order of their start,
/// and a part that cannot start stops the others instead of leaving them running.
@Suite struct ServiceLifecycleTests {
    /// A source that notes when it is shut down, and what the state file held then.
    final class WatchedSource: SnapshotSource {
        let scripted = ScriptedSource()
        let stateFile: String
        /// The last bar of the state file when the source was shut down (nil: no file), once it was.
        let shutDown = Locked<(done: Bool, lastBar: Int64?)>((false, nil))

        init(stateFile: String) {
            self.stateFile = stateFile
        }

        var name: String { "watched" }
        func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead {
            await scripted.read(assets: assets, bar: bar, deadline: deadline)
        }
        func status() -> SourceStatus { scripted.status() }
        func shutdown() async {
            let saved = try? StateFile.load(stateFile)
            shutDown.withLock { $0 = (true, saved?.lastBar) }
        }
    }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("obf-lifecycle-\(UUID().uuidString).json").path
    }

    @Test func shutdownStopsTheServerFirstAndTheSourceLastAfterTheStateFileIsWritten() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = WatchedSource(stateFile: path)
        let running = try await RunningService.start(source: source) { $0.stateFile = path }
        let client = try running.client()
        for bar in 1...3 { #expect(try await client.request("POST", "/step/\(bar)").status == 200) }
        await running.stop()
        // The state file was written (at the graceful shutdown: 3 steps are fewer than its
        // interval) before the source, started first, was stopped last.
        #expect(source.shutDown.withLock { $0 } == (true, 3))
        #expect(running.messages.last == "stopped")
        #expect(throws: (any Error).self) { _ = try TestHTTPClient(port: running.port) }
    }

    @Test func aPortInUseFailsTheStartAndStopsEveryPartItStarted() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await RunningService.with(source: ScriptedSource()) { first async throws in
            let source = WatchedSource(stateFile: path)
            await #expect(throws: (any Error).self) {
                _ = try await RunningService.start(source: source) { configuration in
                    configuration.port = first.port
                    configuration.stateFile = path
                }
            }
            // The failed start returned once its parts had stopped: the source is shut down and
            // the state keeper wrote its file on the way (the engine had made no step).
            #expect(source.shutDown.withLock { $0.done })
            #expect(try StateFile.load(path)?.lastBar == nil)
            #expect(try await first.client().request("GET", "/healthz").status == 200)
        }
    }
}
