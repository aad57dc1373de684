import Foundation
import OBFEngine
import OBFPersistence
import OBFService
import SnapshotSources
import SeededRandom
import OBFTestSupport
import Testing

/// Warm restart: the engine's state survives a stop and start, and bad files never crash it.
@Suite struct StateFileTests {
    static let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]

    /// A deterministic replay of `bars` bars: each asset's book drifts, and SOLUSDT skips every 7th bar.
    static func replayFile(bars: Int) -> ReplayFile {
        var random = SplitMix64(seed: 42)
        var lines: [String] = []
        for bar in 0..<bars {
            for asset in assets where !(asset == "SOLUSDT" && bar % 7 == 3) {
                let bid = (0..<5).map { _ in (random.unit() * 100_000).rounded() }
                let ask = (0..<5).map { _ in (random.unit() * 100_000).rounded() }
                let document = ProducerDocument.json(timestamp: 1_774_000_000 + Double(bar), bid: bid, ask: ask,
                                                    sequence: Int64(bar))
                let prefix = #"{"asset": "\#(asset)", "bar": \#(bar), "#
                lines.append(prefix + document.dropFirst())
            }
        }
        return ReplayFile(bytes: Array(lines.joined(separator: "\n").utf8))
    }

    func temporaryPath(_ name: String) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("obf-state-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    func bars(_ client: TestHTTPClient, _ range: ClosedRange<Int>) async throws -> [String] {
        var bodies: [String] = []
        for bar in range {
            #expect(try await client.request("POST", "/step/\(bar)").status == 200)
            bodies.append(try await client.request("GET", "/bars/\(bar)").text)
        }
        return bodies
    }

    @Test func restartMidSequenceGivesTheSameFeaturesAsAnUninterruptedRun() async throws {
        let file = Self.replayFile(bars: 40)
        let uninterrupted = try await RunningService.with(source: ReplaySource(file: file), assets: Self.assets) {
            try await bars(try $0.client(), 0...39)
        }
        let path = temporaryPath("state.json")
        let configure: (inout ServiceConfiguration) -> Void = { $0.stateFile = path }
        let firstHalf = try await RunningService.with(source: ReplaySource(file: file), assets: Self.assets,
                                                      adjust: configure) { try await bars(try $0.client(), 0...24) }
        #expect(FileManager.default.fileExists(atPath: path))
        let secondHalf = try await RunningService.with(source: ReplaySource(file: file), assets: Self.assets,
                                                       adjust: configure) { running in
            #expect(running.messages.contains("state restored"))
            let client = try running.client()
            // The last bar before the restart is still an idempotent repeat.
            #expect(try await client.request("POST", "/step/24").json["replayed"]?.boolValue == true)
            return try await bars(client, 25...39)
        }
        #expect(firstHalf == Array(uninterrupted[0...24]))
        #expect(secondHalf == Array(uninterrupted[25...39]))
    }

    @Test(arguments: [
        ("truncated", "{\"format\": \"obf-engine-state\", \"version\": 1, \"imbalance_lo"),
        ("corrupt", "\u{0}\u{1}garbage\u{7f}"),
        ("newer format", "{\"format\": \"obf-engine-state\", \"version\": 99}"),
        ("inconsistent", "{\"format\": \"obf-engine-state\", \"version\": 1, \"imbalance_lookback\": 10, \"depth_lookback\": 10, \"last_bar\": 3, \"empty_streak\": 0, \"last_step_time\": null, \"stepped_bars\": [5, 4], \"macro\": {\"mean_references\": [], \"last_depth_velocity\": null, \"bars\": []}, \"assets\": [], \"last_report\": null}"),
        ("last bar without its report", "{\"format\": \"obf-engine-state\", \"version\": 1, \"imbalance_lookback\": 10, \"depth_lookback\": 10, \"last_bar\": 3, \"empty_streak\": 0, \"last_step_time\": null, \"stepped_bars\": [3], \"macro\": {\"mean_references\": [], \"last_depth_velocity\": null, \"bars\": []}, \"assets\": [], \"last_report\": null}"),
    ])
    func aBadFileGivesACleanStart(_ kind: String, _ content: String) async throws {
        let path = temporaryPath("state.json")
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [1], ask: [1])
        try await RunningService.with(source: source, assets: ["BTCUSDT"], adjust: { $0.stateFile = path }) { running in
            #expect(running.messages.contains("state file not used; starting empty"), "\(kind)")
            let client = try running.client()
            #expect(try await client.request("GET", "/readyz").json["last_bar"]?.isNull == true)
            #expect(try await client.request("POST", "/step/1").json["computed"]?.int64Value == 1)
            #expect(try await client.request("GET", "/features/BTCUSDT/1").json["placement"]?["depth_quality"]?
                .doubleValue == 1)
        }
        // The shutdown wrote a good file over the bad one.
        #expect(try StateFile.load(path)?.lastBar == 1)
    }

    @Test func differentLookbacksAreNotLoaded() async throws {
        let path = temporaryPath("state.json")
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [1], ask: [1])
        try await RunningService.with(source: source, assets: ["BTCUSDT"], adjust: { $0.stateFile = path }) {
            _ = try await $0.client().request("POST", "/step/1")
        }
        try await RunningService.with(source: source, assets: ["BTCUSDT"], adjust: {
            $0.stateFile = path
            $0.engine.imbalanceLookback = 20
        }) { running in
            #expect(running.messages.contains("state file not used; starting empty"))
            let client = try running.client()
            let response = try await client.request("GET", "/features/BTCUSDT/1")
            #expect(response.json["source"]?.stringValue == "default")
        }
    }

    @Test func anUnwritableFolderIsLoggedNotFatal() async throws {
        let path = "/nonexistent-obf-folder-\(UUID().uuidString)/state.json"
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [1], ask: [1])
        let logs = try await RunningService.with(source: source, assets: ["BTCUSDT"], adjust: { $0.stateFile = path }) {
            running in
            let client = try running.client()
            let response = try await client.request("POST", "/step/1")
            #expect(response.status == 200)
            return running.logs
        }
        #expect(logs.entries.contains { "\($0.message)" == "state not saved" })
    }
}
