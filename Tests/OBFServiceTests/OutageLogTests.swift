import Foundation
import Hazelcast
import Locking
import OBFEngine
import SnapshotSources
import OBFTestSupport
import Testing

/// What an outage writes to the log: one empty-streak warning per 10 s with how many were held
/// back, one line when features are live again, and the cause of a read cut off at the deadline.
@Suite struct OutageLogTests {
    static let degraded = "no order-book snapshots for %d bars; features degraded"

    /// An engine over `source` whose wall clock the test moves.
    func makeEngine(_ source: ScriptedSource, clock: Locked<Double>, log: CapturedLog) -> FeatureEngine {
        FeatureEngine(configuration: EngineConfiguration(), source: source, defaultAssets: ["BTCUSDT"],
                      stepDeadline: RunningService.stepDeadline, logger: log.logger(),
                      wallClock: { clock.withLock { $0 } })
    }

    func degradedWarnings(_ log: CapturedLog) -> [String] {
        log.messages.filter { $0.hasPrefix("no order-book snapshots for") }
    }

    @Test func theEmptyStreakWarningIsRateLimitedWithASuppressedCount() async throws {
        let clock = Locked<Double>(1_700_000_000)
        let source = ScriptedSource()
        let log = CapturedLog()
        let engine = makeEngine(source, clock: clock, log: log)
        // Two seconds of an outage at a step every 50 ms: bars 3…40 are degraded, one line says so.
        for bar in 1...40 {
            _ = try await engine.step(bar: Int64(bar))
            clock.withLock { $0 += 0.05 }
        }
        #expect(degradedWarnings(log) == [String(format: Self.degraded, 3)])
        // Ten seconds on, the next degraded step is logged with the 37 held back (bars 4…40).
        clock.withLock { $0 += 10 }
        _ = try await engine.step(bar: 41)
        let second = try #require(log.entries(String(format: Self.degraded, 41)).first)
        #expect(second.metadata["suppressed"] == "37")
        #expect(degradedWarnings(log).count == 2)
        // A computed step ends the episode with one line…
        source.setBook("BTCUSDT", bid: [100, 90], ask: [80, 70], timestamp: clock.withLock { $0 })
        #expect(try await engine.step(bar: 42).emptyStreak == 0)
        let back = try #require(log.entries("order-book snapshots back; features live again").first)
        #expect(back.metadata["empty_bars"] == "41")
        // …and the next outage's first degraded step is logged at once, not held back.
        source.removeAll()
        for bar in 43...45 { _ = try await engine.step(bar: Int64(bar)) }
        #expect(degradedWarnings(log).last == String(format: Self.degraded, 3))
        #expect(degradedWarnings(log).count == 3)
    }

    @Test func aReadCutOffAtTheDeadlineSaysSo() {
        let waited = Duration.milliseconds(250)
        let expected = "the step deadline passed after 250 ms with partitions still unanswered"
        #expect(HazelcastSnapshotSource.cause(of: CancellationError(), waited: waited) == expected)
        #expect(HazelcastSnapshotSource.cause(of: HazelcastError.timeout("Map.GetAll got no response within 0.25 seconds"),
                                              waited: waited) == expected)
        // Any other failure is named as it is.
        #expect(HazelcastSnapshotSource.cause(of: HazelcastError.connectionLost("reset"), waited: waited)
            == "connection lost: reset")
    }
}
