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

/// The `hazelcast` source against the test member over the real protocol, with the
/// official Python client as the producer, and the faults a live cluster has.
@Suite struct HazelcastSourceTests {
    static let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
    /// The configuration for a loaded machine (or a sanitizer build), where a test can run for many
    /// seconds: a generous step `deadline` unless the test examines a shorter one, so a healthy
    /// read is never `missing`, and a 10-minute snapshot age, so books put at the start of a
    /// test do not turn `stale` (the stale test's book is an hour old).
    static func patient(deadline: Duration = RunningService.stepDeadline) -> (inout ServiceConfiguration) -> Void {
        { configuration in
            configuration.stepDeadline = deadline
            configuration.engine.maxSnapshotAge = 600
        }
    }
    /// A step that ends within this many milliseconds kept to its deadline (a few seconds at
    /// most here) rather than waiting for the client's invocation timeout (its default, which
    /// the sources of these tests keep): half of it leaves any machine's slowness room; the
    /// deadline's precision is measured by the benchmark.
    static let didNotHangMs = HazelcastClientConfiguration(members: []).invocationTimeout / .milliseconds(1) / 2

    func makeSource(port: Int, logger: Logger = Logger(label: "test")) throws -> HazelcastSnapshotSource {
        let configuration = HazelcastClientConfiguration(
            members: [HazelcastAddress(host: "127.0.0.1", port: port)], connectTimeout: .seconds(1),
            reconnectInitialBackoff: .milliseconds(50), reconnectMaxBackoff: .milliseconds(300))
        let source = try HazelcastSnapshotSource(configuration: configuration, mapName: "DOLPHIN_FEATURES",
                                                 logger: logger)
        source.start()
        return source
    }

    /// Steps bars `first`, `first + 1`, … until one computes all `count` assets and returns
    /// that bar (nil after `attempts`): on a loaded machine a healthy read can still miss a
    /// step's deadline, and these tests need one full step before the fault they inject.
    func stepUntilAllComputed(_ client: TestHTTPClient, count: Int, from first: Int = 1,
                              attempts: Int = 20) async throws -> Int? {
        for bar in first..<(first + attempts) {
            if try await client.request("POST", "/step/\(bar)").json["computed"]?.int64Value == Int64(count) {
                return bar
            }
        }
        return nil
    }

    func put(_ member: HazelcastTestMember, _ asset: String, _ json: String) {
        member.put(map: "DOLPHIN_FEATURES", key: HazelcastData(string: "asset_\(asset)_ob"), value: HazelcastData(string: json))
    }

    func freshBook(_ timestamp: Double = Date().timeIntervalSince1970) -> String {
        ProducerDocument.json(timestamp: timestamp, bid: [100, 90], ask: [80, 70], sequence: 1)
    }

    @Test func pythonProducerFeedsTheWorkedExample() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let python = try ExternalProcess.python()
        let fixture = Fixtures.path("worked_example.jsonl")
        try await RunningService.with(source: try makeSource(port: port), assets: Self.assets, adjust: Self.patient()) {
            running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            for bar in 0...2 {
                let producer = try await ExternalProcess.run(
                    python, [ExternalProcess.interopScript("producer.py"), "127.0.0.1:\(port)", fixture, "\(bar)"])
                #expect(producer.status == 0, "\(producer.stderr)")
                let step = try await client.request("POST", "/step/\(bar)").json
                #expect(step["computed"]?.int64Value == (bar == 1 ? 2 : 3))
            }
            // Values of features.md §6, read through the service's own client.
            let btc1 = try await client.request("GET", "/features/BTCUSDT/1").json
            #expect(abs((btc1["placement"]?["depth_quality"]?.doubleValue ?? 0) - 0.9279475982532751) < 1e-12)
            #expect(abs((btc1["signal"]?["withdrawal_velocity"]?.doubleValue ?? 0) - -0.07272727272727272) < 1e-12)
            let sol1 = try await client.request("GET", "/features/SOLUSDT/1").json
            #expect(sol1["source"]?.stringValue == "fallback")
            #expect(sol1["served_bar"]?.int64Value == 0)
            let bars = try await client.request("GET", "/bars/2").json
            #expect(abs((bars["assets"]?["SOLUSDT"]?["placement"]?["depth_quality"]?.doubleValue ?? 0)
                        - 1.1130136986301369) < 1e-12)
            #expect(abs((bars["macro"]?["macro"]?["depth_velocity"]?.doubleValue ?? 0) - -0.0016755952380952657) < 1e-12)
            #expect(abs((bars["macro"]?["macro"]?["acceleration"]?.doubleValue ?? 0) - -0.001080357142857226) < 1e-12)
            // Batched reads: per step one Map.GetAll per partition holding a key (the member runs
            // GetAll per partition), written together; never one Map.Get per asset.
            let partitions = Set(Self.assets.map { HazelcastData(string: "asset_\($0)_ob").partitionId(partitionCount: 271) })
            #expect(member.requestCount(messageType: 0x012300) == 3 * partitions.count)
            #expect(member.requestCount(messageType: 0x010200) == 0)
        }
    }

    @Test func obfPushWritesWhatThePythonClientReads() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let push = try await ExternalProcess.run(try ExternalProcess.obfBinary(), [
            "push", "--hz-members", "127.0.0.1:\(port)", "--assets", "BTCUSDT,ETHUSDT", "--count", "2",
            "--interval-ms", "10", "--log-level", "error",
        ])
        #expect(push.status == 0, "\(push.stderr)")
        let read = try await ExternalProcess.run(try ExternalProcess.python(), [
            ExternalProcess.interopScript("read_back.py"), "127.0.0.1:\(port)", "BTCUSDT", "ETHUSDT", "XRPUSDT",
        ])
        #expect(read.status == 0, "\(read.stderr)")
        let result = try JSONValue.parse(Array(read.stdout.utf8)).get()
        #expect(result["XRPUSDT"]?.isNull == true)
        for asset in ["BTCUSDT", "ETHUSDT"] {
            #expect(result[asset]?["type"]?.stringValue == "str")
            let document = try #require(result[asset]?["document"])
            #expect(document["_push_seq"]?.int64Value == 1)
            #expect(document["bid_notional"]?.arrayValue?.count == 5)
            // The document is a valid snapshot stamped just now.
            let text = try #require(member.entries(map: "DOLPHIN_FEATURES")[HazelcastData(string: "asset_\(asset)_ob")])
            let snapshot = try SnapshotDecoder.decode(Array(try text.decodeText().text.utf8)).get()
            #expect(abs(snapshot.timestamp - Date().timeIntervalSince1970) < 60)
        }
        // probe agrees: two fresh, one missing → exit 1 (fresh within a minute: a loaded machine
        // can take longer than the default 10 s to get here).
        let probe = try await ExternalProcess.run(try ExternalProcess.obfBinary(), [
            "probe", "--hz-members", "127.0.0.1:\(port)", "--assets", "BTCUSDT,ETHUSDT,XRPUSDT", "--max-snapshot-age-s", "60",
        ])
        #expect(probe.status == 1)
        #expect(probe.stdout.contains("XRPUSDT       missing"))
        #expect(probe.stdout.contains("BTCUSDT       ok"))
    }

    @Test func obfProbeJSONLinesAreValidJSONAndBadAssetNamesAreRefused() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        put(member, "BTCUSDT", freshBook())
        member.put(map: "DOLPHIN_FEATURES", key: HazelcastSnapshotSource.mapKey(for: "ETHUSDT"),  // a Java Integer
                   value: HazelcastData(bytes: [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF9, 0, 0, 0, 5]))
        let probe = try await ExternalProcess.run(try ExternalProcess.obfBinary(), [
            "probe", "--hz-members", "127.0.0.1:\(port)", "--assets", "BTCUSDT,ETHUSDT,XRPUSDT", "--json",
            "--max-snapshot-age-s", "60",
        ])
        #expect(probe.status == 1)
        let lines = probe.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        let findings = try lines.map { try JSONValue.parse(Array($0.utf8)).get() }
        #expect(findings.map { $0["result"]?.stringValue } == ["ok", "invalid", "missing"])
        #expect(findings[1]["detail"]?.stringValue?.contains("unsupported value type id -7") == true)
        #expect(findings[0]["age_s"]?.doubleValue != nil && findings[2]["age_s"]?.isNull == true)

        let refused = try await ExternalProcess.run(try ExternalProcess.obfBinary(), [
            "probe", "--hz-members", "127.0.0.1:\(port)", "--assets", "BTC-USD",
        ])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("asset 'BTC-USD' does not match"))
    }

    @Test func everyCommandWarnsWhenTLSHostnameVerificationIsOff() async throws {
        let warning = "TLS hostname verification is off"
        let obf = try ExternalProcess.obfBinary()
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OBF_") }
        let arguments = ["probe", "--hz-members", "127.0.0.1:1", "--hz-tls", "--assets", "BTCUSDT"]
        // No member listens on port 1: each probe fails to connect (exit 2) after logging its start-up.
        async let byFlag = ExternalProcess.run(obf, arguments + ["--hz-tls-no-verify-hostname"], environment: environment)
        async let byVariable = ExternalProcess.run(obf, arguments,
                                                   environment: environment.merging(["OBF_HZ_TLS_VERIFY_HOSTNAME": "false"]) { $1 })
        async let unset = ExternalProcess.run(obf, arguments, environment: environment.merging(["OBF_HZ_TLS_VERIFY_HOSTNAME": ""]) { $1 })
        let (flagged, variable, neither) = try await (byFlag, byVariable, unset)
        #expect(flagged.status == 2)
        #expect(flagged.stderr.contains(warning), "\(flagged.stderr)")
        #expect(variable.stderr.contains(warning), "\(variable.stderr)")
        #expect(neither.status == 2)
        #expect(!neither.stderr.contains(warning), "\(neither.stderr)")
    }

    @Test func obfPushLogsAnOutageOnceAndGoesOnAfterIt() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let push = try ChildProcess(try ExternalProcess.obfBinary(), [
            "push", "--hz-members", "127.0.0.1:\(port)", "--assets", "BTCUSDT", "--interval-ms", "20",
            "--log-level", "info",
        ])
        let key = HazelcastData(string: "asset_BTCUSDT_ob")
        #expect(await eventually { member.entries(map: "DOLPHIN_FEATURES")[key] != nil })
        member.stop()
        member.clear()
        // Ticks fail while the member is down: wait for the first failure it logs.
        #expect(await eventually { push.log.contains("push failed") }, "\(push.log)")
        try member.start()
        // Pushing goes on after the restart (the client reconnects with its back-off).
        #expect(await eventually { member.entries(map: "DOLPHIN_FEATURES")[key] != nil })
        // SIGTERM ends the pushing with its summary and exit status 0.
        #expect(await push.stop(signal: SIGTERM) == 0, "\(push.log)")
        let log = push.log
        #expect(log.components(separatedBy: "\n").filter { $0.contains("push failed") }.count == 1, "\(log)")
        #expect(log.contains("push finished") && log.contains("signal=\(SIGTERM)"), "\(log)")
    }

    @Test func memberAbsentAtStartThenAppearing() async throws {
        let (absent, port) = try HazelcastTestMember.startedOnStablePort()
        absent.stop()
        let source = try makeSource(port: port)
        try await RunningService.with(source: source, assets: Self.assets, adjust: Self.patient()) { running in
            let client = try running.client()
            #expect(try await client.request("GET", "/readyz").status == 503)
            let step = try await client.request("POST", "/step/1").json
            #expect(step["computed"]?.int64Value == 0)
            #expect(step["skipped"]?["BTCUSDT"]?.stringValue == "missing")
            let member = HazelcastTestMember(port: port)
            try member.start()
            defer { member.stop() }
            for asset in Self.assets { put(member, asset, freshBook()) }
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let recovered = try await client.request("POST", "/step/2").json
            #expect(recovered["computed"]?.int64Value == 3)
            #expect(MetricsText.value(try await client.request("GET", "/metrics").text, "obf_source_connected") == 1)
        }
    }

    @Test func memberRestartIsSurvived() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, freshBook()) }
        try await RunningService.with(source: try makeSource(port: port), assets: Self.assets,
                                      adjust: Self.patient()) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let full = try #require(try await stepUntilAllComputed(client, count: 3))
            member.stop()
            for bar in (full + 1)...(full + 3) {
                let step = try await client.request("POST", "/step/\(bar)")
                #expect(step.status == 200)
                // Functional bound, not a benchmark: the step did not hang on the dead member.
                #expect((step.json["duration_ms"]?.doubleValue ?? 1e9) < Self.didNotHangMs)
            }
            try member.start()
            for asset in Self.assets { put(member, asset, freshBook()) }   // a restarted member is empty
            // Three empty steps keep /readyz at 503 until a step computes again; wait for the connection.
            #expect(try await client.request("GET", "/readyz").status == 503)
            #expect(try await eventually {
                MetricsText.value(try await client.request("GET", "/metrics").text, "obf_source_connected") == 1
            })
            #expect(try await stepUntilAllComputed(client, count: 3, from: full + 4) != nil)
            #expect(try await client.request("GET", "/readyz").status == 200)
            let metrics = try await client.request("GET", "/metrics").text
            #expect(MetricsText.value(metrics, "obf_source_reconnects_total") == 1)
            #expect(running.messages.filter { $0.hasPrefix("hazelcast connection lost") }.count <= 1)
        }
    }

    @Test func silentMemberCannotHoldAStepOrTheReads() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, freshBook()) }
        try await RunningService.with(source: try makeSource(port: port), assets: Self.assets,
                                      adjust: Self.patient(deadline: .seconds(1))) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let full = try #require(try await stepUntilAllComputed(client, count: 3))
            member.mode = .silent
            let reader = try running.client()
            async let step = client.request("POST", "/step/\(full + 1)")
            #expect(try await reader.request("GET", "/features/BTCUSDT/\(full)").json["source"]?.stringValue == "live")
            let result = try await step.json
            #expect(result["computed"]?.int64Value == 0)
            #expect((result["duration_ms"]?.doubleValue ?? 1e9) < Self.didNotHangMs)
        }
    }

    @Test func aStuckPartitionCostsOnlyItsOwnAssets() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, freshBook()) }
        let partition = { (asset: String) in
            HazelcastData(string: HazelcastSnapshotSource.key(for: asset)).partitionId(partitionCount: member.partitionCount)
        }
        #expect(Set(Self.assets.map(partition)).count == Self.assets.count)
        let captured = CapturedLog()
        let source = try makeSource(port: port, logger: captured.logger())
        try await RunningService.with(source: source, assets: Self.assets,
                                      adjust: Self.patient(deadline: .milliseconds(1500))) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let full = try #require(try await stepUntilAllComputed(client, count: 3))
            member.stuckPartitions = [partition("BTCUSDT")]
            let step = try await client.request("POST", "/step/\(full + 1)").json
            #expect(step["computed"]?.int64Value == 2)
            #expect(step["skipped"]?["BTCUSDT"]?.stringValue == "missing")
            // The step waited for the stuck partition until its deadline; functional bounds only
            // (the deadline's precision is measured by the benchmark, not by tests).
            let duration = step["duration_ms"]?.doubleValue ?? 1e9
            #expect(duration > 1_400 && duration < Self.didNotHangMs, "duration_ms \(duration)")
            // The log says the deadline passed (however the read was cut off), never a bare CancellationError.
            let warning = try #require(captured.entries("hazelcast read incomplete; assets not read counted missing").first)
            let cause = warning.metadata["error"].map { "\($0)" } ?? ""
            #expect(cause.hasPrefix("the step deadline passed after"), "\(cause)")
            #expect(warning.metadata["read"] == "2")
            member.stuckPartitions = []
            #expect(try await stepUntilAllComputed(client, count: 3, from: full + 2) != nil)
            #expect(source.client.isConnected && source.client.connectionLossCount == 0)
        }
    }

    @Test func garbageFramesDropTheConnectionWhichRecovers() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        for asset in Self.assets { put(member, asset, freshBook()) }
        let source = try makeSource(port: port)
        try await RunningService.with(source: source, assets: Self.assets, adjust: Self.patient()) { running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            member.mode = .garbage
            let step = try await client.request("POST", "/step/1").json
            #expect(step["computed"]?.int64Value == 0)
            member.mode = .normal
            var bar = 1
            var computed: Int64?
            while computed != 3 && bar < 200 {
                bar += 1
                try await Task.sleep(for: .milliseconds(50))
                computed = try await client.request("POST", "/step/\(bar)").json["computed"]?.int64Value
            }
            #expect(computed == 3)
            #expect(source.client.connectionLossCount >= 1)
        }
    }

    @Test func malformedValuesSkipTheirAssetAndAreCounted() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT"]
        put(member, "BTCUSDT", freshBook())
        put(member, "ETHUSDT", #"{"timestamp": "#)                                    // cut short
        put(member, "SOLUSDT", #"{"timestamp": 1, "bid_notional": [1], "ask_notional": [1, 2]}"#)
        member.put(map: "DOLPHIN_FEATURES", key: HazelcastData(string: "asset_XRPUSDT_ob"),  // a Java Integer
                   value: HazelcastData(bytes: [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF9, 0, 0, 0, 5]))
        member.put(map: "DOLPHIN_FEATURES", key: HazelcastData(string: "asset_ADAUSDT_ob"),  // invalid UTF-8
                   value: HazelcastData(bytes: [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xF5, 0, 0, 0, 2, 0xC3, 0x28]))
        try await RunningService.with(source: try makeSource(port: port), assets: assets, adjust: Self.patient()) {
            running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let step = try await client.request("POST", "/step/1").json
            #expect(step["computed"]?.int64Value == 1)
            for asset in ["ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT"] {
                #expect(step["skipped"]?[asset]?.stringValue == "invalid", "\(asset)")
            }
            #expect(step["skipped"]?["DOGEUSDT"]?.stringValue == "missing")
            let metrics = try await client.request("GET", "/metrics").text
            #expect(MetricsText.value(metrics, #"obf_snapshots_total{result="invalid"}"#) == 4)
            #expect(MetricsText.value(metrics, #"obf_snapshots_total{result="missing"}"#) == 1)
            #expect(try await client.request("GET", "/healthz").status == 200)
        }
    }

    @Test func snapshotLeftByADeadProducerIsStale() async throws {
        let (member, port) = try HazelcastTestMember.startedOnStablePort()
        defer { member.stop() }
        put(member, "BTCUSDT", freshBook())
        put(member, "ETHUSDT", freshBook(Date().timeIntervalSince1970 - 3_600))
        member.put(map: "DOLPHIN_FEATURES", key: HazelcastData(string: "asset_SOLUSDT_ob"),
                   value: HazelcastData(jsonValue: freshBook()))
        try await RunningService.with(source: try makeSource(port: port), assets: Self.assets, adjust: Self.patient()) {
            running in
            let client = try running.client()
            #expect(try await eventually { try await client.request("GET", "/readyz").status == 200 })
            let step = try await client.request("POST", "/step/1").json
            #expect(step["skipped"]?["ETHUSDT"]?.stringValue == "stale")
            #expect(step["computed"]?.int64Value == 2)   // BTCUSDT as a String, SOLUSDT as HazelcastJsonValue
        }
    }
}
