import Foundation
import Hazelcast
import HazelcastTestMember
import JSON
import Logging
import OBFEngine
import OBFService
import OBFTestSupport
import SnapshotSources
import TestTiming
import Testing

/// `--hz-read listen`: the `hazelcast` source answering steps from a live view fed by entry
/// events, against the test member over the real protocol, with the official Python client as
/// the producer, and the faults a live cluster has.
@Suite struct LiveViewSourceTests {
    static let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    static let map = "DOLPHIN_FEATURES"
    static let getAllType: Int32 = 0x012300
    static let didNotHang = Duration.milliseconds(Int64(HazelcastSourceTests.didNotHangMs))

    /// A listen-mode source on `ports` (smart routing, as `obf serve` configures it).
    func makeSource(ports: [Int], assets: [String] = Self.assets, resync: Duration = .seconds(600),
                    metrics: ServiceMetrics, writeTimeout: Duration = .seconds(5)) throws -> HazelcastSnapshotSource {
        let configuration = HazelcastClientConfiguration(
            members: ports.map { HazelcastAddress(host: "127.0.0.1", port: $0) }, connectTimeout: .seconds(1),
            reconnectInitialBackoff: .milliseconds(50), reconnectMaxBackoff: .milliseconds(300), writeTimeout: writeTimeout,
            smartRouting: true)
        let source = try HazelcastSnapshotSource(
            configuration: configuration, mapName: Self.map,
            listen: LiveViewConfiguration(assets: assets, resyncInterval: resync, metrics: metrics.liveView),
            logger: Logger(label: "test"))
        source.start()
        return source
    }

    func put(_ member: HazelcastTestMember, _ asset: String, sequence: Int64, timestamp: Double = Date().timeIntervalSince1970,
             pushedAt: Double? = nil) {
        member.put(map: Self.map, key: HazelcastSnapshotSource.mapKey(for: asset), value: HazelcastData(
            string: ProducerDocument.json(timestamp: timestamp, bid: [100, 90], ask: [80, 70], sequence: sequence,
                                          pushedAt: pushedAt)))
    }

    func step(_ client: TestHTTPClient, _ bar: Int) async throws -> JSONValue {
        try await client.request("POST", "/step/\(bar)").json
    }

    func metric(_ client: TestHTTPClient, _ series: String) async throws -> Double? {
        MetricsText.value(String(decoding: try await client.request("GET", "/metrics").body, as: UTF8.self), series)
    }

    @Test func pythonProducerFeedsTheWorkedExampleThroughEvents() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let metrics = ServiceMetrics()
        let source = try makeSource(ports: [port], metrics: metrics)
        let python = try ExternalProcess.python()
        let fixture = Fixtures.path("worked_example.jsonl")
        try await RunningService.with(source: source, assets: Self.assets, adjust: HazelcastSourceTests.patient(),
                                      metrics: metrics) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let readsBefore = member.requestCount(messageType: Self.getAllType)
            for bar in 0...2 {
                let producer = try await ExternalProcess.run(
                    python, [ExternalProcess.interopScript("producer.py"), "127.0.0.1:\(port)", fixture, "\(bar)"])
                #expect(producer.status == 0, "\(producer.stderr)")
                let written = try #require(try JSONValue.parse(Array(producer.stdout.utf8)).get()["push_seq"]?.int64Value)
                // The step must see this bar's books: wait until their events reached the view.
                let present = bar == 1 ? ["BTCUSDT", "ETHUSDT"] : Self.assets
                #expect(await eventually { present.allSatisfy { source.viewedProvenance(of: $0)?.pushSequence == written } })
                if bar == 1 { #expect(await eventually { source.viewedProvenance(of: "SOLUSDT") == nil }) }
                let report = try await step(client, bar)
                #expect(report["computed"]?.int64Value == (bar == 1 ? 2 : 3))
                #expect(bar != 1 || report["skipped"]?["SOLUSDT"]?.stringValue == "missing")
            }
            // No step read the map: the only GetAlls are the view's fill after registration.
            #expect(member.requestCount(messageType: Self.getAllType) == readsBefore)
            // Values of features.md §6.
            let btc1 = try await client.request("GET", "/features/BTCUSDT/1").json
            #expect(abs((btc1["placement"]?["depth_quality"]?.doubleValue ?? 0) - 0.9279475982532751) < 1e-12)
            #expect(abs((btc1["signal"]?["imbalance_ma5"]?.doubleValue ?? 0) - 0.05525846702317291) < 1e-12)
            let sol1 = try await client.request("GET", "/features/SOLUSDT/1").json
            #expect(sol1["source"]?.stringValue == "fallback" && sol1["served_bar"]?.int64Value == 0)
            let bars = try await client.request("GET", "/bars/2").json
            #expect(abs((bars["assets"]?["BTCUSDT"]?["placement"]?["depth_quality"]?.doubleValue ?? 0)
                        - 0.7116736374187049) < 1e-12)
            #expect(abs((bars["assets"]?["SOLUSDT"]?["signal"]?["withdrawal_velocity"]?.doubleValue ?? 0)
                        - 0.11428571428571428) < 1e-12)
            #expect(abs((bars["macro"]?["macro"]?["depth_velocity"]?.doubleValue ?? 0) - -0.0016755952380952657) < 1e-12)
            #expect(abs((bars["macro"]?["macro"]?["acceleration"]?.doubleValue ?? 0) - -0.001080357142857226) < 1e-12)
            // The events were counted, with their lag.
            #expect(try await metric(client, "obf_view_events_total") ?? 0 >= 8)
            #expect(try await metric(client, "obf_view_event_lag_seconds_count") ?? 0 >= 8)
            #expect(try await metric(client, "obf_view_entries") == 3)
            #expect(try await metric(client, "obf_view_resyncs_total{reason=\"registration\"}") ?? 0 >= 1)
        }
    }

    @Test func aMemberRestartRegistersAgainAndServesOnlyWhatTheRefillConfirmed() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, sequence: 1) }
        let metrics = ServiceMetrics()
        let source = try makeSource(ports: [port], metrics: metrics)
        try await RunningService.with(source: source, assets: Self.assets, adjust: HazelcastSourceTests.patient(),
                                      metrics: metrics) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            #expect(try await step(client, 1)["computed"]?.int64Value == 3)
            member.stop()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 503 })
            // Down: the view vouches for nothing, so every asset is missing.
            let down = try await step(client, 2)
            #expect(down["computed"]?.int64Value == 0)
            // Meanwhile the map changed: BTCUSDT rewritten, ETHUSDT removed (no listener heard it).
            put(member, "BTCUSDT", sequence: 2)
            member.remove(map: Self.map, key: HazelcastSnapshotSource.mapKey(for: "ETHUSDT"))
            try member.start()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            #expect(source.viewedProvenance(of: "BTCUSDT")?.pushSequence == 2)
            #expect(source.viewedProvenance(of: "ETHUSDT") == nil)
            let back = try await step(client, 3)
            #expect(back["computed"]?.int64Value == 2)
            #expect(back["skipped"]?["ETHUSDT"]?.stringValue == "missing")
            #expect(try await metric(client, "obf_view_resyncs_total{reason=\"registration\"}") ?? 0 >= 2)
        }
    }

    @Test func aDroppedEventIsHealedByTheReconciliation() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, sequence: 1) }
        let metrics = ServiceMetrics()
        let source = try makeSource(ports: [port], resync: .milliseconds(300), metrics: metrics)
        try await RunningService.with(source: source, assets: Self.assets, adjust: HazelcastSourceTests.patient(),
                                      metrics: metrics) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let btc = HazelcastSnapshotSource.mapKey(for: "BTCUSDT")
            member.droppedEventKeys = [btc]
            put(member, "BTCUSDT", sequence: 7)
            put(member, "ETHUSDT", sequence: 7)
            #expect(await eventually { source.viewedProvenance(of: "ETHUSDT")?.pushSequence == 7 })
            #expect(member.entryEventCounts.dropped >= 1)
            // The lost event costs at most one reconciliation interval.
            #expect(await eventually { source.viewedProvenance(of: "BTCUSDT")?.pushSequence == 7 })
            #expect(try await metric(client, "obf_view_corrections_total") ?? 0 >= 1)
            #expect(try await metric(client, "obf_view_resyncs_total{reason=\"interval\"}") ?? 0 >= 1)
        }
    }

    @Test func removedKeysAndDeadProducersAreJudgedAtTheStep() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, sequence: 1) }
        let source = try makeSource(ports: [port], metrics: ServiceMetrics())
        try await RunningService.with(source: source, assets: Self.assets, adjust: HazelcastSourceTests.patient()) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            #expect(try await step(client, 1)["computed"]?.int64Value == 3)
            member.remove(map: Self.map, key: HazelcastSnapshotSource.mapKey(for: "SOLUSDT"))
            // A book observed an hour ago, pushed now (a stuck producer writing its last book
            // again): stale by its own lag however fresh its arrival. (A dead producer's book
            // turning stale by the service's clock: ClockSkewTests.)
            let now = Date().timeIntervalSince1970
            put(member, "ETHUSDT", sequence: 2, timestamp: now - 3600, pushedAt: now)
            #expect(await eventually {
                source.viewedProvenance(of: "SOLUSDT") == nil && source.viewedProvenance(of: "ETHUSDT")?.pushSequence == 2
            })
            let report = try await step(client, 2)
            #expect(report["computed"]?.int64Value == 1)
            #expect(report["skipped"]?["SOLUSDT"]?.stringValue == "missing")
            #expect(report["skipped"]?["ETHUSDT"]?.stringValue == "stale")
        }
    }

    @Test func aKilledMembersAssetsAreMissingUntilItIsBack() async throws {
        let cluster = HazelcastTestCluster(memberCount: 2, logger: Logger(label: "cluster"))
        let ports = try cluster.start()
        defer { cluster.stop() }
        let assets = (0..<40).map { "COIN\($0)USDT" }
        for asset in assets { put(cluster.members[0], asset, sequence: 1) }
        func owner(_ asset: String) -> Int {
            cluster.owner(ofPartition: HazelcastSnapshotSource.mapKey(for: asset).partitionId(partitionCount: 271))
        }
        let onSecond = assets.filter { owner($0) == 1 }
        #expect(!onSecond.isEmpty && onSecond.count < assets.count)
        let source = try makeSource(ports: [ports[0]], assets: assets, metrics: ServiceMetrics())
        try await RunningService.with(source: source, assets: assets, adjust: HazelcastSourceTests.patient()) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            #expect(try await step(client, 1)["computed"]?.int64Value == Int64(assets.count))
            cluster.members[1].stop()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 503 })
            let readiness = try await client.request("GET", "/readyz").json
            #expect(readiness["error"]?["message"]?.stringValue?.contains("entry listener covers") == true)
            let partial = try await step(client, 2)
            #expect(partial["computed"]?.int64Value == Int64(assets.count - onSecond.count))
            for asset in onSecond { #expect(partial["skipped"]?[asset]?.stringValue == "missing") }
            try cluster.members[1].start()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            #expect(try await step(client, 3)["computed"]?.int64Value == Int64(assets.count))
        }
    }

    @Test func aMemberThatStopsReadingCannotHoldAStepOrTheReads() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, sequence: 1) }
        // The fetch source: its step writes requests. A blocking write would wait a minute here.
        let configuration = HazelcastClientConfiguration(
            members: [HazelcastAddress(host: "127.0.0.1", port: port)], connectTimeout: .seconds(1),
            heartbeatTimeout: .seconds(120), writeTimeout: .seconds(60), smartRouting: true)
        let source = try HazelcastSnapshotSource(configuration: configuration, mapName: Self.map, logger: Logger(label: "test"))
        source.start()
        try await RunningService.with(source: source, assets: Self.assets,
                                      adjust: HazelcastSourceTests.patient(deadline: .milliseconds(250))) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            // A loaded machine can make a healthy read miss the short deadline: step until one is whole.
            let whole = try await HazelcastSourceTests().stepUntilAllComputed(client, count: 3)
            #expect(whole != nil)
            member.mode = .hung
            // Fill the socket buffers of both ends with writes the member never reads.
            let big = HazelcastData(string: String(repeating: "x", count: 1 << 20))
            for index in 0..<12 {
                try? await source.client.set(map: Self.map, key: HazelcastData(string: "big\(index)"), value: big,
                                             timeout: .milliseconds(50))
            }
            let clock = ContinuousClock()
            let first = (whole ?? 20) + 1
            for bar in first...(first + 4) {
                let started = clock.now
                let report = try await step(client, bar)
                let elapsed = clock.now - started
                #expect(report["computed"]?.int64Value == 0)
                #expect(elapsed < Self.didNotHang, "step \(bar) took \(elapsed)")
                let read = clock.now
                #expect(try await client.request("GET", "/bars/\(bar)").status == 200)
                #expect(clock.now - read < Self.didNotHang)
            }
            // Once the member reads again, steps compute again (on the same or a new connection).
            member.mode = .normal
            var recovered = false
            for bar in (first + 5)..<(first + 400) where !recovered {
                recovered = try await step(client, bar)["computed"]?.int64Value == 3
                if !recovered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(recovered)
        }
    }

    @Test func obfServeListensWhenAsked() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, sequence: 1) }
        let server = try await ServeProcess.start([
            "--source", "hazelcast", "--hz-members", "127.0.0.1:\(port)", "--assets", Self.assets.joined(separator: ","),
        ], environment: ["OBF_HZ_READ": "listen", "OBF_HZ_RESYNC_S": "0.5"])
        let client = try TestHTTPClient(port: server.port)
        #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
        let first = try await step(client, 1)
        #expect(first["computed"]?.int64Value == 3, "\(first)")
        put(member, "BTCUSDT", sequence: 2)
        #expect(try await eventually { try await metric(client, "obf_view_events_total") ?? 0 >= 1 })
        #expect(try await eventually { try await metric(client, "obf_view_resyncs_total{reason=\"interval\"}") ?? 0 >= 1 })
        #expect(try await metric(client, "obf_view_entries") == 3)
        #expect(server.log.contains("hazelcast live view"))
        #expect(await server.stop() == 0)
    }
}
