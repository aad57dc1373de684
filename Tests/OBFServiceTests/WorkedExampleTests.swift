import Foundation
import JSON
import OBFEngine
import OBFService
import OBFTestSupport
import SnapshotSources
import Testing

/// features.md §6, value for value, through the HTTP API on the replay source.
@Suite struct WorkedExampleTests {
    /// Within 1e-9 relative, or 1e-12 absolute near zero.
    func close(_ actual: JSONValue?, _ expected: Double, _ label: String,
               sourceLocation: SourceLocation = #_sourceLocation) {
        guard let value = actual?.doubleValue else {
            Issue.record("\(label): no number in the response", sourceLocation: sourceLocation)
            return
        }
        let tolerance = max(1e-12, abs(expected) * 1e-9)
        #expect(abs(value - expected) <= tolerance, "\(label): \(value) vs \(expected)", sourceLocation: sourceLocation)
    }

    @Test func workedExampleThroughHTTP() async throws {
        let file = try ReplayFile(contentsOf: Fixtures.path("worked_example.jsonl"))
        try await RunningService.with(source: ReplaySource(file: file)) { running in
            try await checkWorkedExample(try running.client())
        }
    }

    func checkWorkedExample(_ client: TestHTTPClient) async throws {
        // bar 0
        let step0 = try await client.request("POST", "/step/0").json
        #expect(step0["computed"]?.int64Value == 3)
        let btc0 = try await client.request("GET", "/features/BTCUSDT/0").json
        #expect(btc0["source"]?.stringValue == "live")
        close(btc0["placement"]?["depth_1pct_usd"], 2_750_000, "bar 0 BTC depth")
        close(btc0["placement"]?["depth_quality"], 1, "bar 0 BTC depth_quality")
        close(btc0["placement"]?["fill_probability"], 0.6321205588285577, "bar 0 BTC fill_probability")
        close(btc0["placement"]?["spread_proxy_bps"], 11.555555555555555, "bar 0 BTC spread")
        close(btc0["signal"]?["imbalance"], 0.09090909090909091, "bar 0 BTC imbalance")
        close(btc0["signal"]?["depth_asymmetry"], 0.05263157894736842, "bar 0 BTC asymmetry")
        let sol0 = try await client.request("GET", "/features/solusdt/0").json
        close(sol0["placement"]?["spread_proxy_bps"], 56, "bar 0 SOL spread")
        close(sol0["signal"]?["depth_asymmetry"], -1, "bar 0 SOL asymmetry")
        close(sol0["signal"]?["imbalance"], -0.14285714285714285, "bar 0 SOL imbalance")
        let macro0 = try await client.request("GET", "/macro/0").json["macro"]
        close(macro0?["median_imbalance"], -0.09090909090909091, "bar 0 median")
        close(macro0?["agreement_pct"], 66.66666666666667, "bar 0 agreement")
        close(macro0?["depth_pressure"], -0.14285714285714285, "bar 0 pressure")
        #expect(macro0?["cascade_regime"]?.stringValue == "CALM")
        #expect(macro0?["withdrawing_assets"]?.int64Value == 0)
        close(macro0?["depth_velocity"], 0, "bar 0 depth_velocity")
        close(macro0?["acceleration"], 0, "bar 0 acceleration")

        // bar 1: SOLUSDT has no new line; the one from bar 0 is 60 s older than the step's newest.
        let step1 = try await client.request("POST", "/step/1").json
        #expect(step1["skipped"]?["SOLUSDT"]?.stringValue == "stale")
        let btc1 = try await client.request("GET", "/features/BTCUSDT/1").json
        close(btc1["placement"]?["depth_quality"], 0.9279475982532751, "bar 1 BTC depth_quality")
        close(btc1["placement"]?["fill_probability"], 0.6046356753355095, "bar 1 BTC fill_probability")
        close(btc1["signal"]?["imbalance_ma5"], 0.05525846702317291, "bar 1 BTC ma5")
        close(btc1["signal"]?["withdrawal_velocity"], -0.07272727272727272, "bar 1 BTC velocity")
        let sol1 = try await client.request("GET", "/features/SOLUSDT/1").json
        #expect(sol1["source"]?.stringValue == "fallback")
        #expect(sol1["served_bar"]?.int64Value == 0)
        let macro1 = try await client.request("GET", "/macro/1").json["macro"]
        close(macro1?["median_imbalance"], -0.061624649859943974, "bar 1 median")
        close(macro1?["agreement_pct"], 50, "bar 1 agreement")
        #expect(macro1?["cascade_regime"]?.stringValue == "CASCADE")
        close(macro1?["depth_velocity"], -0.0005952380952380398, "bar 1 depth_velocity")

        // bar 2
        _ = try await client.request("POST", "/step/2")
        let bars2 = try await client.request("GET", "/bars/2").json
        let btc2 = bars2["assets"]?["BTCUSDT"]
        close(btc2?["placement"]?["depth_quality"], 0.7116736374187049, "bar 2 BTC depth_quality")
        close(btc2?["signal"]?["imbalance_persistence"], 0.3333333333333333, "bar 2 BTC persistence")
        close(btc2?["signal"]?["withdrawal_velocity"], -0.14545454545454545, "bar 2 BTC velocity")
        let sol2 = bars2["assets"]?["SOLUSDT"]
        #expect(sol2?["source"]?.stringValue == "live")
        close(sol2?["placement"]?["depth_quality"], 1.1130136986301369, "bar 2 SOL depth_quality")
        close(sol2?["placement"]?["spread_proxy_bps"], 29, "bar 2 SOL spread")
        close(sol2?["signal"]?["withdrawal_velocity"], 0.11428571428571428, "bar 2 SOL velocity")
        let macro2 = bars2["macro"]?["macro"]
        close(macro2?["agreement_pct"], 100, "bar 2 agreement")
        #expect(macro2?["withdrawing_assets"]?.int64Value == 2)
        close(macro2?["depth_velocity"], -0.0016755952380952657, "bar 2 depth_velocity")
        close(macro2?["acceleration"], -0.001080357142857226, "bar 2 acceleration")

        // Depth references after bar 2: d / depth_quality of the bar-2 look-ups.
        for (asset, reference) in [("BTCUSDT", 2_740_020.0), ("ETHUSDT", 1_095_505.0), ("SOLUSDT", 350_400.0)] {
            let placement = bars2["assets"]?[asset]?["placement"]
            guard let depth = placement?["depth_1pct_usd"]?.doubleValue,
                  let quality = placement?["depth_quality"]?.doubleValue else {
                Issue.record("no placement for \(asset)")
                continue
            }
            close(.number(depth / quality), reference, "\(asset) reference")
        }
    }
}
