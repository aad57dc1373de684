import Foundation
import OBFEngine
import OBFTestSupport
import TestTiming
import Testing

/// The step and look-up rules of features.md §5 and service.md, through the HTTP API.
@Suite struct StepRuleTests {
    static let book = (bid: [500_000.0, 400_000, 300_000, 200_000, 100_000],
                       ask: [450_000.0, 350_000, 250_000, 150_000, 50_000])

    func feed(_ source: ScriptedSource, _ assets: [String], scale: Double = 1) {
        for asset in assets { source.setBook(asset, bid: Self.book.bid.map { $0 * scale }, ask: Self.book.ask) }
    }

    @Test func theFeatureTableCarriesTheNumbersOfTheFeatureObjects() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT", "ETHUSDT"])
        try await RunningService.with(source: source, assets: ["BTCUSDT", "ETHUSDT"]) { running in
            let client = try running.client()
            let table = try await client.request("POST", "/step/3?include=feature_table").json["feature_table"]
            // The same step again (a replay) as objects.
            let objects = try await client.request("POST", "/step/3?include=features").json
            let columns = table?["columns"]?.arrayValue?.compactMap { $0.stringValue } ?? []
            let assets = table?["assets"]?.arrayValue?.compactMap { $0.stringValue } ?? []
            let values = table?["values"]?.arrayValue?.compactMap { $0.doubleValue } ?? []
            #expect(columns.count == 9 && assets == ["BTCUSDT", "ETHUSDT"] && values.count == 18)
            #expect(objects["feature_table"] == nil)
            for (position, asset) in assets.enumerated() {
                let object = objects["features"]?[asset]
                let named = columns.map { name in object?["placement"]?[name]?.doubleValue ?? object?["signal"]?[name]?.doubleValue }
                #expect(named.allSatisfy { $0 != nil })
                #expect(Array(values[(position * 9)..<(position * 9 + 9)]) == named.compactMap { $0 }, "\(asset)")
            }
            let refused = try await client.request("POST", "/step/4?include=rows")
            #expect(refused.status == 400)
            #expect(refused.json["error"]?["message"]?.stringValue?.contains("feature_table") == true)
        }
    }

    @Test func aLookUpServedAgainIsTheSameAndARolloverRendersAfresh() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT"])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            for bar in 1...2 { _ = try await client.request("POST", "/step/\(bar)") }
            let first = try await client.request("GET", "/features/BTCUSDT/2").text
            #expect(try await client.request("GET", "/features/BTCUSDT/2").text == first)
            let bars = try await client.request("GET", "/bars/2").text
            #expect(try await client.request("GET", "/bars/2").text == bars)
            // A fallback of the same features says so, with its own bar.
            let later = try await client.request("GET", "/features/BTCUSDT/9").json
            #expect(later["source"]?.stringValue == "fallback" && later["bar"]?.int64Value == 9)
            // A new bar sequence steps bar 2 again on other books: its features, not the old ones.
            feed(source, ["BTCUSDT"], scale: 2)
            _ = try await client.request("POST", "/step/1?rollover=true")
            _ = try await client.request("POST", "/step/2")
            let renewed = try await client.request("GET", "/features/BTCUSDT/2")
            #expect(renewed.text != first)
            #expect(renewed.json["placement"]?["depth_1pct_usd"]?.doubleValue
                    == (try await client.request("POST", "/step/2?include=features").json["features"]?["BTCUSDT"]?["placement"]?["depth_1pct_usd"]?.doubleValue))
            #expect(try await client.request("GET", "/bars/2").text != bars)
        }
    }

    @Test func stepPopulatesPlacementSignalAndMacro() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        try await RunningService.with(source: source) { running in
            let client = try running.client()
            let step = try await client.request("POST", "/step/7?include=features")
            #expect(step.status == 200)
            #expect(step.json["requested"]?.int64Value == 3)
            #expect(step.json["computed"]?.int64Value == 3)
            #expect(step.json["replayed"]?.boolValue == false)
            #expect(step.json["features"]?["ETHUSDT"]?["placement"]?["depth_1pct_usd"]?.doubleValue == 2_750_000)
            let features = try await client.request("GET", "/features/BTCUSDT/7").json
            #expect(features["source"]?.stringValue == "live")
            #expect(features["served_bar"]?.int64Value == 7)
            #expect(features["placement"]?["depth_quality"]?.doubleValue == 1)
            #expect(features["signal"]?["imbalance"]?.doubleValue != nil)
            let macro = try await client.request("GET", "/macro/7").json
            #expect(macro["source"]?.stringValue == "live")
            #expect(macro["macro"]?["cascade_regime"]?.stringValue == "CALM")
            // Before the first bar nothing is known: neutral defaults.
            let before = try await client.request("GET", "/features/BTCUSDT/6").json
            #expect(before["source"]?.stringValue == "default")
            #expect(before["served_bar"]?.isNull == true)
            #expect(before["placement"]?["depth_quality"]?.doubleValue == 1)
            #expect(before["placement"]?["fill_probability"]?.doubleValue == 0.5)
        }
    }

    @Test func missingAssetIsSkippedAndFallsBackToItsLastBar() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        try await RunningService.with(source: source) { running in
            let client = try running.client()
            _ = try await client.request("POST", "/step/1")
            source.set("SOLUSDT", nil)
            let step = try await client.request("POST", "/step/2").json
            #expect(step["skipped"]?["SOLUSDT"]?.stringValue == "missing")
            #expect(step["computed"]?.int64Value == 2)
            let sol = try await client.request("GET", "/features/SOLUSDT/2").json
            #expect(sol["source"]?.stringValue == "fallback")
            #expect(sol["served_bar"]?.int64Value == 1)
            // No look-ahead: bar 0 is before anything was stepped.
            let early = try await client.request("GET", "/features/SOLUSDT/0").json
            #expect(early["source"]?.stringValue == "default")
        }
    }

    @Test func threeEmptyStepsWarnAndMakeTheServiceUnready() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT"])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            _ = try await client.request("POST", "/step/1")
            #expect(try await client.request("GET", "/readyz").status == 200)
            source.removeAll()
            for bar in 2...4 {
                let step = try await client.request("POST", "/step/\(bar)").json
                #expect(step["empty_streak"]?.int64Value == Int64(bar - 1))
                #expect(step["macro"]?.isNull == true)
            }
            let ready = try await client.request("GET", "/readyz")
            #expect(ready.status == 503)
            #expect(ready.json["error"]?["code"]?.stringValue == "not_ready")
            #expect(running.messages.contains("no order-book snapshots for 3 bars; features degraded"))
            #expect(!running.messages.contains("no order-book snapshots for 2 bars; features degraded"))
            // The macro look-up falls back to the last bar that had one.
            let macro = try await client.request("GET", "/macro/4").json
            #expect(macro["source"]?.stringValue == "fallback")
            #expect(macro["served_bar"]?.int64Value == 1)
            feed(source, ["BTCUSDT"])
            let recovered = try await client.request("POST", "/step/5").json
            #expect(recovered["empty_streak"]?.int64Value == 0)
            #expect(try await client.request("GET", "/readyz").status == 200)
        }
    }

    @Test func barsPastMaxBarsAreEvicted() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT"])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            for bar in 0...500 { _ = try await client.request("POST", "/step/\(bar)") }
            let oldest = try await client.request("GET", "/features/BTCUSDT/0").json
            #expect(oldest["source"]?.stringValue == "default")
            let macroOldest = try await client.request("GET", "/macro/0").json
            #expect(macroOldest["source"]?.stringValue == "default")
            let next = try await client.request("GET", "/features/BTCUSDT/1").json
            #expect(next["source"]?.stringValue == "live")
            let metrics = try await client.request("GET", "/metrics").text
            #expect(MetricsText.value(metrics, "obf_retained_bars") == 500)
        }
    }

    @Test func depthReferenceFollowsTheEMA() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [100, 100], ask: [100, 100])           // d = 400
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            _ = try await client.request("POST", "/step/1")
            source.setBook("BTCUSDT", bid: [300, 300], ask: [200, 200])       // d = 1000
            _ = try await client.request("POST", "/step/2")
            source.setBook("BTCUSDT", bid: [50, 50], ask: [50, 50])           // d = 200
            _ = try await client.request("POST", "/step/3")
            var reference = 400.0
            for (bar, depth) in [(2, 1000.0), (3, 200.0)] {
                reference = 0.99 * reference + 0.01 * depth
                let quality = try await client.request("GET", "/features/BTCUSDT/\(bar)")
                    .json["placement"]?["depth_quality"]?.doubleValue
                #expect(abs((quality ?? 0) - depth / reference) < 1e-12)
            }
        }
    }

    @Test func theSameBarTwiceChangesNothing() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [300, 100], ask: [100, 100])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            let first = try await client.request("POST", "/step/5").json
            source.setBook("BTCUSDT", bid: [100, 100], ask: [300, 100])       // would change the history
            let reads = source.readCount
            let again = try await client.request("POST", "/step/5").json
            #expect(again["replayed"]?.boolValue == true)
            #expect(source.readCount == reads)
            #expect(again["macro"] == first["macro"])
            #expect(again["computed"] == first["computed"])
            // The history holds one entry from bar 5, not two: ma5 at bar 6 averages 2 values.
            _ = try await client.request("POST", "/step/6")
            let ma5 = try await client.request("GET", "/features/BTCUSDT/6").json["signal"]?["imbalance_ma5"]
            let expected = ((400.0 - 200) / 600 + (200.0 - 400) / 600) / 2
            #expect(abs((ma5?.doubleValue ?? 99) - expected) < 1e-12)
        }
    }

    @Test func aLowerBarIsRefusedUnlessRollover() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [100, 100], ask: [100, 100])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            _ = try await client.request("POST", "/step/10")
            let refused = try await client.request("POST", "/step/3")
            #expect(refused.status == 409)
            #expect(refused.json["error"]?["code"]?.stringValue == "bar_regression")
            source.setBook("BTCUSDT", bid: [200, 200], ask: [200, 200])
            let rolled = try await client.request("POST", "/step/3?rollover=true")
            #expect(rolled.status == 200)
            #expect(rolled.json["bar"]?.int64Value == 3)
            // The caches were cleared: bar 10 now falls back to bar 3 ...
            let after = try await client.request("GET", "/features/BTCUSDT/10").json
            #expect(after["source"]?.stringValue == "fallback")
            #expect(after["served_bar"]?.int64Value == 3)
            // ... and the depth reference was kept: quality is 800 / (0.99·400 + 0.01·800), not 1.
            let quality = after["placement"]?["depth_quality"]?.doubleValue ?? 0
            #expect(abs(quality - 800 / (0.99 * 400 + 0.01 * 800)) < 1e-12)
            // A retry of the rollover step is an idempotent repeat.
            let retry = try await client.request("POST", "/step/3?rollover=true").json
            #expect(retry["replayed"]?.boolValue == true)
        }
    }

    @Test func invalidAndStaleSnapshotsAreSkippedAndCounted() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [100], ask: [100])
        source.set("ETHUSDT", .json(Array(#"{"timestamp": 1, "bid_notional": [1], "ask_notional": [1, 2]}"#.utf8)))
        source.set("SOLUSDT", .json(Array("not json".utf8)))
        source.setBook("BNBUSDT", bid: [100], ask: [100], timestamp: Date().timeIntervalSince1970 - 60)
        try await RunningService.with(source: source, assets: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT"]) {
            running in
            let client = try running.client()
            let step = try await client.request("POST", "/step/1").json
            #expect(step["computed"]?.int64Value == 1)
            #expect(step["skipped"]?["ETHUSDT"]?.stringValue == "invalid")
            #expect(step["skipped"]?["SOLUSDT"]?.stringValue == "invalid")
            #expect(step["skipped"]?["BNBUSDT"]?.stringValue == "stale")
            #expect(step["skipped"]?["XRPUSDT"]?.stringValue == "missing")
            let metrics = try await client.request("GET", "/metrics").text
            #expect(MetricsText.value(metrics, #"obf_snapshots_total{result="invalid"}"#) == 2)
            #expect(MetricsText.value(metrics, #"obf_snapshots_total{result="stale"}"#) == 1)
            #expect(MetricsText.value(metrics, #"obf_snapshots_total{result="missing"}"#) == 1)
            #expect(MetricsText.value(metrics, #"obf_snapshots_total{result="ok"}"#) == 1)
            #expect(running.messages.filter { $0 == "invalid snapshot skipped" }.count == 2)
        }
    }

    @Test func aSlowSourceIsCutAtTheStepDeadline() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT"])
        source.setLate(["BTCUSDT"])
        let readTakes = TestBounds.neverReached
        source.setDelay(readTakes)
        try await RunningService.with(source: source, assets: ["BTCUSDT"],
                                      adjust: { $0.stepDeadline = .milliseconds(100) }) { running in
            let client = try running.client()
            let started = ContinuousClock.now
            let step = try await client.request("POST", "/step/1").json
            #expect(step["skipped"]?["BTCUSDT"]?.stringValue == "missing")
            // Functional, not a timing target: the step did not wait for the read (half of its
            // time leaves any machine's slowness room; the deadline's precision is benchmarked).
            let elapsed = ContinuousClock.now - started
            #expect(elapsed < readTakes / 2, "\(elapsed)")
            // Reads are answered while a slow step is in progress.
            let reader = try running.client()
            async let slowStep = client.request("POST", "/step/2")
            let health = try await reader.request("GET", "/features/BTCUSDT/1")
            #expect(health.status == 200)
            #expect(try await slowStep.status == 200)
        }
    }

    @Test func assetsReadBeforeTheDeadlineCountWhenTheReadOverruns() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
        source.setLate(["ETHUSDT"])
        source.setDelay(.seconds(5))
        try await RunningService.with(source: source, assets: ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
                                      adjust: { $0.stepDeadline = .milliseconds(500) }) { running in
            let client = try running.client()
            let step = try await client.request("POST", "/step/1").json
            #expect(step["computed"]?.int64Value == 2)
            #expect(step["skipped"]?["ETHUSDT"]?.stringValue == "missing")
            #expect(try await client.request("GET", "/features/BTCUSDT/1").json["source"]?.stringValue == "live")
            #expect(try await client.request("GET", "/features/ETHUSDT/1").json["source"]?.stringValue == "default")
        }
    }

    @Test func stepBodyNamesTheAssets() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT", "XRPUSDT"])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            let step = try await client.request("POST", "/step/1", headers: [("Content-Type", "application/json")],
                                                body: Array(#"{"assets": ["xrpusdt", "XRPUSDT", "ADAUSDT"]}"#.utf8))
            #expect(step.json["requested"]?.int64Value == 2)
            #expect(step.json["computed"]?.int64Value == 1)
            #expect(step.json["skipped"]?["ADAUSDT"]?.stringValue == "missing")
            let response = try await client.request("GET", "/bars/1")
            let bars = response.json
            #expect(bars["assets"]?["XRPUSDT"]?["source"]?.stringValue == "live")
            #expect(bars["assets"]?["BTCUSDT"]?["source"]?.stringValue == "default")
            // Listed by name: the configured BTCUSDT (even with nothing yet) and XRPUSDT, which
            // has a bar; ADAUSDT, named but never computed, has nothing to say.
            #expect(bars["assets"]?["ADAUSDT"] == nil)
            let positions = ["BTCUSDT", "XRPUSDT"].compactMap { response.text.range(of: "\"\($0)\"")?.lowerBound }
            #expect(positions.count == 2 && positions == positions.sorted())
        }
    }
}
