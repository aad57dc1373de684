import Foundation
import Locking
import OBFEngine
import OBFPersistence
import OBFTestSupport
import Testing

/// The freshness rule of features.md §1 on clocks the test moves: a scripted source plays
/// producers whose clocks are off, and the engine's wall and monotonic clocks advance only when
/// the test says, so every age is exact.
@Suite struct ProducerClockTests {
    /// The service's clocks: `now` is wall seconds; the monotonic clock runs beside it.
    final class Clocks: Sendable {
        let now = Locked<Double>(1_774_000_000)
        func advance(_ seconds: Double) { now.withLock { $0 += seconds } }
        var wall: Double { now.withLock { $0 } }
        var monotonic: UInt64 { UInt64(((wall - 1_773_000_000) * 1e9).rounded()) }
    }

    func makeEngine(_ source: ScriptedSource, _ clocks: Clocks, assets: [String], maxAge: Double = 5,
                    log: CapturedLog = CapturedLog(), observer: (@Sendable (PublishedStep) -> Void)? = nil) -> FeatureEngine {
        FeatureEngine(configuration: EngineConfiguration(maxSnapshotAge: maxAge), source: source, defaultAssets: assets,
                      stepDeadline: RunningService.stepDeadline, logger: log.logger(),
                      wallClock: { clocks.wall }, monotonicClock: { clocks.monotonic },
                      listeners: observer.map { [StepObserver(observe: $0)] } ?? [])
    }

    /// Hands every published step to a closure.
    struct StepObserver: StepListener {
        let observe: @Sendable (PublishedStep) -> Void
        func stepPublished(_ step: PublishedStep) { observe(step) }
    }

    /// A push that arrived `ago` seconds before now from a producer whose clock is `offset` off,
    /// observed `lag` seconds before it was pushed.
    func push(_ source: ScriptedSource, _ asset: String, _ clocks: Clocks, offset: Double, sequence: Int64,
              ago: Double = 0.1, lag: Double = 0.05) {
        let pushedAt = clocks.wall - ago + offset
        source.set(asset, .parsed(OrderBookSnapshot(
            timestamp: pushedAt - lag, bidNotional: [100, 90], askNotional: [80, 70],
            provenance: SnapshotProvenance(pushSequence: sequence, pushedAt: pushedAt))))
    }

    /// Half a second on, every producer of `offsets` pushes (0.1 s ago by the service's clock)
    /// and the engine steps `bar`.
    func stepAlive(_ engine: FeatureEngine, _ source: ScriptedSource, _ clocks: Clocks, bar: Int,
                   offsets: [(asset: String, offset: Double)], lag: Double = 0.05) async throws -> StepReport {
        clocks.advance(0.5)
        for (asset, offset) in offsets { push(source, asset, clocks, offset: offset, sequence: Int64(bar), lag: lag) }
        return try await engine.step(bar: Int64(bar))
    }

    static func skipped(_ report: StepReport) -> [String: SnapshotOutcome] {
        Dictionary(uniqueKeysWithValues: report.skipped.map { ($0.asset, $0.outcome) })
    }

    static let offsets: [(asset: String, offset: Double)] = [("AHEAD", 3_600), ("BEHIND", -20), ("HONEST", 0)]

    @Test func deadProducersTurnStaleByTheServicesClockWhateverTheirOwnSaid() async throws {
        let clocks = Clocks()
        let source = ScriptedSource()
        let log = CapturedLog()
        let observed = Locked<[PublishedStep]>([])
        let engine = makeEngine(source, clocks, assets: Self.offsets.map(\.asset), log: log) { step in
            observed.withLock { $0.append(step) }
        }
        for bar in 1...10 {
            let report = try await stepAlive(engine, source, clocks, bar: bar, offsets: Self.offsets)
            if bar == 1 {
                // Start-up: no offset measured yet, so no correction. The producer behind looks
                // 20 s old; the one ahead is dated no later than the read that found it.
                #expect(Self.skipped(report) == ["BEHIND": .stale])
            } else {
                #expect(report.computed.count == 3, "bar \(bar): \(report.skipped)")
            }
        }
        // Offsets measured from pushes seen arriving: the latest they can have arrived is the
        // read that found them, 0.1 s after the push.
        let last = try #require(observed.withLock { $0.last })
        #expect(last.clock.offsets.sorted().map { ($0 * 1000).rounded() / 1000 } == [-20.1, -0.1, 3_599.9])
        let ages = last.ages.compactMap { $0 }
        #expect(ages.allSatisfy { abs($0 - 0.05) < 1e-6 }, "\(ages)")
        // The warning names the largest offset and the assets, once a minute at most.
        let warnings = log.messages.filter { $0.hasPrefix("producer clock off by") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("producer clock off by +3599.9 s") == true)
        let entry = try #require(log.logs.entries.first { "\($0.message)".hasPrefix("producer clock off by") })
        #expect(entry.metadata["assets"].map { "\($0)" } == "AHEAD +3599.9 s, BEHIND -20.1 s")

        // The producers die. Each book was last dated at the read that found it (the last
        // step): 0.05 s of lag, so fresh 4.9 s later and stale at 5 s, whatever its clock said.
        clocks.advance(4.9)
        #expect(try await engine.step(bar: 11).computed.count == 3)
        clocks.advance(0.1)
        let dead = try await engine.step(bar: 12)
        #expect(Self.skipped(dead) == ["AHEAD": .stale, "BEHIND": .stale, "HONEST": .stale])
    }

    @Test func aBookRePushedUnderNewPushTimesIsJudgedByItsOwnLag() async throws {
        let clocks = Clocks()
        let source = ScriptedSource()
        let engine = makeEngine(source, clocks, assets: ["AHEAD"])
        for bar in 1...20 {
            // Observed at the start, pushed again and again: the lag grows 0.5 s a step.
            let report = try await stepAlive(engine, source, clocks, bar: bar, offsets: [("AHEAD", 3_600)],
                                             lag: 0.05 + Double(bar - 1) * 0.5)
            #expect(report.computed.count == (0.05 + Double(bar - 1) * 0.5 <= 5 ? 1 : 0), "bar \(bar)")
        }
    }

    @Test func atStartUpABookNotSeenArrivingIsDatedThroughTheOtherAssetsOffset() async throws {
        let clocks = Clocks()
        let source = ScriptedSource()
        let engine = makeEngine(source, clocks, assets: ["DEAD", "LIVE"])
        // Both producers on a host an hour ahead; DEAD's died 10 s before the service started.
        push(source, "DEAD", clocks, offset: 3_600, sequence: 1, ago: 10)
        push(source, "LIVE", clocks, offset: 3_600, sequence: 1)
        // The first step has no offset yet: DEAD is dated no later than the read that found it.
        #expect(try await engine.step(bar: 1).computed.count == 2)
        // The second step measured LIVE's offset: DEAD is dated through it, ten seconds old.
        clocks.advance(0.5)
        push(source, "LIVE", clocks, offset: 3_600, sequence: 2)
        let second = try await engine.step(bar: 2)
        #expect(Self.skipped(second) == ["DEAD": .stale])
        #expect(second.computed.map(\.asset) == ["LIVE"])
    }

    @Test func aRestartedEngineDatesADeadBookThroughItsSavedOffset() async throws {
        let clocks = Clocks()
        let source = ScriptedSource()
        let first = makeEngine(source, clocks, assets: ["AHEAD"])
        for bar in 1...3 { _ = try await stepAlive(first, source, clocks, bar: bar, offsets: [("AHEAD", 3_600)]) }
        let saved = try EngineStateCodec.decode(EngineStateCodec.encode(await first.exportState()))
        #expect(abs((saved.clockOffsets["AHEAD"] ?? 0) - 3_599.9) < 1e-6)
        // The producer dies; the service restarts 10 s later beside its last book.
        clocks.advance(10)
        let restarted = makeEngine(source, clocks, assets: ["AHEAD"])
        try await restarted.restore(saved)
        #expect(Self.skipped(try await restarted.step(bar: 4)) == ["AHEAD": .stale])
        // Without the saved offset nothing dates it yet: the start-up rule serves it until one is measured.
        let unsaved = makeEngine(source, clocks, assets: ["AHEAD"])
        #expect(try await unsaved.step(bar: 4).computed.count == 1)
    }

    @Test func aProducerThatStartsAfterTheServiceIsSeenArriving() async throws {
        let clocks = Clocks()
        let source = ScriptedSource()
        let observed = Locked<ClockObservation?>(nil)
        let engine = makeEngine(source, clocks, assets: ["AHEAD"]) { observation in
            observed.withLock { $0 = observation.clock }
        }
        clocks.advance(0.5)
        #expect(Self.skipped(try await engine.step(bar: 1)) == ["AHEAD": .missing])
        // Its first push arrived after the read that found the asset absent: it measures the offset.
        _ = try await stepAlive(engine, source, clocks, bar: 2, offsets: [("AHEAD", 3_600)])
        #expect(observed.withLock { $0?.offsets.map { ($0 * 1000).rounded() / 1000 } } == [3_599.9])
        // Its producer dies at once: fresh 4.9 s after the read that found the push, stale at 5 s.
        clocks.advance(4.9)
        #expect(try await engine.step(bar: 3).computed.count == 1)
        clocks.advance(0.1)
        #expect(Self.skipped(try await engine.step(bar: 4)) == ["AHEAD": .stale])
    }

    @Test func aBookNotSeenArrivingIsDatedThroughTheMedianOfEveryAssetsOffset() async throws {
        let clocks = Clocks()
        let source = ScriptedSource()
        let engine = makeEngine(source, clocks, assets: ["LIVE"])
        for bar in 1...3 { _ = try await stepAlive(engine, source, clocks, bar: bar, offsets: [("LIVE", 3_600)]) }
        // A step body names only an asset never seen, whose producer (on the same host) died
        // 10 s ago: no asset of this step has an estimate, LIVE's dates it.
        push(source, "DEAD", clocks, offset: 3_600, sequence: 1, ago: 10)
        clocks.advance(0.5)
        #expect(Self.skipped(try await engine.step(bar: 4, assets: ["DEAD"])) == ["DEAD": .stale])
    }
}

