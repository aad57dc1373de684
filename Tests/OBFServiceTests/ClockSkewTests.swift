import Foundation
import HazelcastTestMember
import JSON
import OBFService
import OBFTestSupport
import SnapshotSources
import TestTiming
import Testing

/// Freshness without trusting the producer's clock (features.md §1), against the test member
/// with producers whose clocks run an hour ahead, 20 s behind, and right, in both read modes.
@Suite struct ClockSkewTests {
    static let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    /// The producers of `skewedProducersAreLiveWhileAliveAndStaleOnceDead`: clock offsets by asset.
    static let offsets: [String: Double] = ["BTCUSDT": 3_600, "ETHUSDT": -20, "SOLUSDT": 0]

    /// A running service on the test member at `port` in `mode`, with the age limit `maxAge`.
    func withService(port: Int, mode: HazelcastReadMode, maxAge: Double, stateFile: String? = nil,
                     _ body: (TestHTTPClient, HazelcastSnapshotSource) async throws -> Void) async throws {
        let metrics = ServiceMetrics()
        let source = mode == .listen
            ? try LiveViewSourceTests().makeSource(ports: [port], metrics: metrics)
            : try HazelcastSourceTests().makeSource(port: port)
        try await RunningService.with(source: source, assets: Self.assets, adjust: { configuration in
            HazelcastSourceTests.patient()(&configuration)
            configuration.engine.maxSnapshotAge = maxAge
            configuration.stateFile = stateFile
        }, metrics: metrics) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            try await body(client, source)
        }
    }

    /// Steps bars after `bar` until one satisfies `condition` and the offset gauge shows a
    /// producer an hour ahead measured; returns that step (nil past the hang guard).
    func stepUntilAheadMeasured(_ client: TestHTTPClient, bar: inout Int,
                                _ condition: (JSONValue) -> Bool = { _ in true }) async -> JSONValue? {
        var found: JSONValue?
        var next = bar
        _ = await eventually(every: .milliseconds(50)) {
            next += 1
            guard let step = try? await client.request("POST", "/step/\(next)").json, condition(step) else { return false }
            let metrics = (try? await client.request("GET", "/metrics").text) ?? ""
            guard MetricsText.value(metrics, "obf_snapshot_clock_offset_seconds{stat=\"max\"}").map({ $0 > 3_000 }) == true
            else { return false }
            found = step
            return true
        }
        bar = next
        return found
    }

    /// The stale assets of a step.
    static func stale(_ step: JSONValue) -> Set<String> {
        Set(assets.filter { step["skipped"]?[$0]?.stringValue == "stale" })
    }

    @Test(arguments: [HazelcastReadMode.fetch, .listen])
    func skewedProducersAreLiveWhileAliveAndStaleOnceDead(mode: HazelcastReadMode) async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let producers = Self.offsets.map { SkewedProducer(member: member, asset: $0.key, offset: $0.value) }
        let maxAge = 2.0
        try await withService(port: port, mode: mode, maxAge: maxAge) { client, source in
            // Alive: all three computed (a producer behind is dated once its offset is measured).
            var bar = 0
            #expect(await eventually(every: .milliseconds(50)) {
                bar += 1
                return (try? await client.request("POST", "/step/\(bar)").json["computed"]?.int64Value) == 3
            })
            let metrics = try await client.request("GET", "/metrics").text
            let series = { (stat: String) in MetricsText.value(metrics, "obf_snapshot_clock_offset_seconds{stat=\"\(stat)\"}") }
            #expect(abs((series("max") ?? 0) - 3_600) < 1, "\(metrics)")
            #expect(abs((series("min") ?? 0) + 20) < 1)
            #expect(abs(series("median") ?? 99) < 1)
            #expect((MetricsText.value(metrics, "obf_snapshot_age_seconds_count") ?? 0) >= 3)

            // Dead: once more than the age limit has passed since the first step after the last
            // push, by the service's clock, every step finds all three stale.
            for producer in producers { await producer.stop() }
            // In listen mode the last pushes reach the service as events: the producers are dead
            // for it once it has them (however late a loaded machine delivers them).
            #expect(await eventually {
                mode == .fetch || producers.allSatisfy { source.viewedProvenance(of: $0.asset)?.pushSequence == $0.lastSequence }
            })
            bar += 1
            _ = try await client.request("POST", "/step/\(bar)")
            let died = ContinuousClock.now
            var allStale = false
            #expect(await eventually(every: .milliseconds(100)) {
                let started = ContinuousClock.now
                bar += 1
                guard let step = try? await client.request("POST", "/step/\(bar)").json else { return false }
                if started - died > .seconds(maxAge) {
                    allStale = Self.stale(step) == Set(Self.assets)
                    return true
                }
                return false
            })
            #expect(allStale)
        }
    }

    @Test(arguments: [HazelcastReadMode.fetch, .listen])
    func aProducerRePushingTheSameBookIsStale(mode: HazelcastReadMode) async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let observed = Date().timeIntervalSince1970 + 3_600
        let producer = SkewedProducer(member: member, asset: "BTCUSDT", offset: 3_600, frozenAt: observed)
        let honest = SkewedProducer(member: member, asset: "ETHUSDT", offset: 0)
        try await withService(port: port, mode: mode, maxAge: 1) { client, _ in
            var bar = 0
            // New push times every 100 ms, but the book's own lag (`_pushed_at − timestamp`) grows.
            #expect(await eventually(every: .milliseconds(100)) {
                bar += 1
                guard let step = try? await client.request("POST", "/step/\(bar)").json else { return false }
                return Self.stale(step).contains("BTCUSDT") && step["skipped"]?["ETHUSDT"] == nil
            })
        }
        await producer.stop()
        await honest.stop()
    }

    @Test(arguments: [HazelcastReadMode.fetch, .listen])
    func aRestartBesideADeadSkewedProducerDoesNotServeItsBook(mode: HazelcastReadMode) async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let maxAge = 5.0
        // BTCUSDT's producer, an hour ahead, died 10 s ago; ETHUSDT's, on the same host, lives.
        let dead = SkewedProducer(member: member, asset: "BTCUSDT", offset: 3_600 - 2 * maxAge)
        await dead.stop()
        let live = SkewedProducer(member: member, asset: "ETHUSDT", offset: 3_600)
        try await withService(port: port, mode: mode, maxAge: maxAge) { client, _ in
            // From the first step that measured the live producer's offset on, the dead book is
            // dated through it: ten seconds old, stale.
            var bar = 0
            let step = try #require(await stepUntilAheadMeasured(client, bar: &bar) { $0["skipped"]?["ETHUSDT"] == nil })
            #expect(Self.stale(step).contains("BTCUSDT"), "\(step)")
            bar += 1
            let next = try await client.request("POST", "/step/\(bar)").json
            #expect(Self.stale(next).contains("BTCUSDT"), "\(next)")
        }
        await live.stop()
    }

    @Test func obfProbeShowsTheClockAgeAndTheJudgedAge() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        // On a host an hour ahead: BTCUSDT's producer lives, ETHUSDT's died 30 s ago.
        let dead = SkewedProducer(member: member, asset: "ETHUSDT", offset: 3_600 - 30)
        await dead.stop()
        let live = SkewedProducer(member: member, asset: "BTCUSDT", offset: 3_600)
        let probe = try await ExternalProcess.run(try ExternalProcess.obfBinary(), [
            "probe", "--hz-members", "127.0.0.1:\(port)", "--assets", "BTCUSDT,ETHUSDT", "--json",
            "--max-snapshot-age-s", "5", "--watch-ms", "2000",
        ])
        await live.stop()
        #expect(probe.status == 1, "\(probe.stderr)")
        let findings = try probe.stdout.split(separator: "\n").map { try JSONValue.parse(Array($0.utf8)).get() }
        #expect(findings.map { $0["result"]?.stringValue } == ["ok", "stale"], "\(probe.stdout)")
        let (btc, eth) = (findings[0], findings[1])
        // By the probe's clock the live book is an hour in the future; judged, it is fresh.
        #expect(abs((btc["clock_age_s"]?.doubleValue ?? 0) + 3_600) < 60)
        #expect((btc["age_s"]?.doubleValue ?? 99) < 5)
        #expect(abs((btc["clock_offset_s"]?.doubleValue ?? 0) - 3_600) < 5)
        // The dead one, dated through the live producer's offset: half a minute old at least.
        #expect((eth["age_s"]?.doubleValue ?? 0) >= 30)
        #expect(eth["clock_offset_s"]?.isNull == true)
    }

    @Test(arguments: [HazelcastReadMode.fetch, .listen])
    func aRestartWithAStateFileDatesADeadBookThroughItsSavedOffset(mode: HazelcastReadMode) async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let path = StateFileTests().temporaryPath("state.json")
        let maxAge = 5.0
        // BTCUSDT's producer, an hour ahead, is measured; the state file keeps its offset.
        let live = SkewedProducer(member: member, asset: "BTCUSDT", offset: 3_600)
        try await withService(port: port, mode: mode, maxAge: maxAge, stateFile: path) { client, _ in
            var bar = 0
            #expect(await stepUntilAheadMeasured(client, bar: &bar) != nil)
        }
        await live.stop()
        // It died while the service was down: its last push, 10 s ago by its clock, is all the
        // map holds, and no other asset shows the offset.
        let dead = SkewedProducer(member: member, asset: "BTCUSDT", offset: 3_600 - 2 * maxAge)
        await dead.stop()
        try await withService(port: port, mode: mode, maxAge: maxAge, stateFile: path) { client, _ in
            let step = try await client.request("POST", "/step/1000").json
            #expect(Self.stale(step) == ["BTCUSDT"], "\(step)")
        }
    }
}

