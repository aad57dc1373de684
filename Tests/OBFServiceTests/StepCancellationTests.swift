import Locking
import Logging
@testable import OBFEngine
import OBFTestSupport
import TestTiming
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What cancelling a step's caller does: a queued step is dropped, a begun one runs to its end.
@Suite struct StepCancellationTests {
    static let book = (bid: [500_000.0, 400_000, 300_000, 200_000, 100_000],
                       ask: [450_000.0, 350_000, 250_000, 150_000, 50_000])

    /// An engine over a source whose BTCUSDT book comes only with the read's final answer,
    /// `readTakes` after it began: a read cut short leaves it missing.
    func engine(readTakes delay: Duration, deadline: Duration) -> (FeatureEngine, ScriptedSource) {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: Self.book.bid, ask: Self.book.ask)
        source.setLate(["BTCUSDT"])
        source.setDelay(delay)
        let engine = FeatureEngine(configuration: EngineConfiguration(), source: source, defaultAssets: ["BTCUSDT"],
                                   stepDeadline: deadline, logger: Logger(label: "test"))
        return (engine, source)
    }

    @Test func aStepWaitingItsTurnIsDroppedWhenItsCallerIsCancelled() async throws {
        // The first step holds the gate until its deadline (the read takes longer): long enough
        // that the second step, made and cancelled next, finds the gate held on any machine.
        let (engine, source) = engine(readTakes: .seconds(600), deadline: RunningService.stepDeadline)
        let first = Task { try await engine.step(bar: 1) }
        #expect(await eventually { source.readCount == 1 })
        let second = Task { try await engine.step(bar: 2) }
        second.cancel()
        await #expect(throws: StepError.cancelled) { try await second.value }
        let report = try await first.value
        #expect(report.bar == 1 && report.skipped.map(\.asset) == ["BTCUSDT"])
        // The cancelled step never read: the next one is the second read, and bar 2 is fresh.
        #expect(source.readCount == 1)
        source.setDelay(.zero)
        let next = try await engine.step(bar: 2)
        #expect(!next.replayed && next.computed.count == 1)
        #expect(source.readCount == 2)
    }

    @Test func aBegunStepIsNotCutShortByItsCallersCancellation() async throws {
        let (engine, source) = engine(readTakes: .zero, deadline: TestBounds.event)
        source.hold()   // the read goes on until the caller has been cancelled
        let step = Task { try await engine.step(bar: 1) }
        #expect(await eventually { source.readCount == 1 })
        step.cancel()
        source.release()
        let report = try await step.value
        #expect(report.computed.map(\.asset) == ["BTCUSDT"] && report.skipped.isEmpty)
        #expect(try await engine.step(bar: 1).replayed)
    }

    @Test func aQueuedStepWhoseConnectionIsResetNeverRuns() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: Self.book.bid, ask: Self.book.ask)
        source.setLate(["BTCUSDT"])
        // The first step's read is held until the second has been dropped, however long that takes.
        source.hold()
        try await RunningService.with(source: source, assets: ["BTCUSDT"],
                                      adjust: { $0.stepDeadline = TestBounds.event }) { running in
            let first = Task { try await running.client().request("POST", "/step/1") }
            #expect(await eventually { source.readCount == 1 })
            // A second step queues behind the first; its client goes away (RST) before the answer.
            let port = running.port
            let gate = await running.service.engine.gate
            try await blocking {
                let client = try TestHTTPClient(port: port)
                try client.send("POST /step/2 HTTP/1.1\r\nHost: test\r\n\r\n")
                // The server has read it once the step waits at the gate.
                #expect(eventuallyBlocking { gate.waiterCount == 1 })
                client.reset()
            }
            let metrics = try running.client()
            let cancelled = #"obf_http_requests_total{route="/step/{bar}",method="POST",status="503"}"#
            #expect(try await eventually {
                MetricsText.value(try await metrics.request("GET", "/metrics").text, cancelled) == 1
            })
            source.release()
            #expect(try await first.value.status == 200)
            // The cancelled step never read, and bar 2 is still to be stepped.
            #expect(source.readCount == 1)
            let second = try await metrics.request("POST", "/step/2").json
            #expect(second["replayed"]?.boolValue == false && second["computed"]?.int64Value == 1)
        }
    }

    @Test func theDeadlineCancelsTheOperationAndWaitsForItsEnd() async {
        let finished = Flag()
        let value = await withDeadline(.now + .milliseconds(50)) { () async -> Int in
            try? await Task.sleep(for: .seconds(60))
            let cancelled = Task.isCancelled
            // Cleanup after cancellation: withDeadline returns only once it is done.
            try? await Task.sleep(for: .milliseconds(1))
            finished.set(cancelled)
            return 1
        }
        #expect(value == nil)
        #expect(finished.value == true)
        #expect(await withDeadline(.now + .seconds(60)) { 7 } == 7)
    }
}

/// A value set once by another task.
private final class Flag: Sendable {
    private let stored = Locked<Bool?>(nil)
    var value: Bool? { stored.withLock { $0 } }
    func set(_ value: Bool) { stored.withLock { $0 = value } }
}
