import Foundation
import OBFEngine
import OBFService
import SnapshotSources
import OBFTestSupport
import Testing

/// Whatever callers name in step bodies, the engine holds at most `--max-assets` assets and
/// `/bars` answers only for assets with something to say.
@Suite struct BoundedStateTests {
    @Test func manyNewNamesCannotGrowTheEngine() async throws {
        let configured = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT"]
        try await RunningService.with(source: MockSource(seed: 1), assets: configured, adjust: { configuration in
            configuration.engine.maxAssets = configured.count + ServiceConfiguration.maxAssets
        }) { running in
            let client = try running.client()
            for bar in 1...3 { _ = try await client.request("POST", "/step/\(bar)") }
            for bar in 4...33 {
                let names = (0..<2000).map { "\"F\(bar)X\($0)\"" }.joined(separator: ",")
                let step = try await client.request("POST", "/step/\(bar)", headers: [("Content-Type", "application/json")],
                                                    body: Array("{\"assets\": [\(names)]}".utf8))
                #expect(step.status == 200)
                #expect(step.json["computed"]?.int64Value == 2000)
            }
            #expect(running.service.engine.store.assetCount == configured.count + ServiceConfiguration.maxAssets)
            // The configured assets were never forgotten: their histories go on.
            let after = try await client.request("POST", "/step/34").json
            #expect(after["computed"]?.int64Value == 4)
            let btc = try await client.request("GET", "/features/BTCUSDT/34").json
            #expect(btc["source"]?.stringValue == "live")
            // (a forgotten asset would start again at its first book, depth_quality 1)
            #expect(btc["placement"]?["depth_quality"]?.doubleValue != 1.0)
            // /bars: the configured assets and the last flood's (each with a bar), not 60 000 names.
            let bars = try await client.request("GET", "/bars/34")
            let listed = bars.json["assets"]?.objectValue?.count ?? 0
            #expect(listed <= configured.count + ServiceConfiguration.maxAssets)
            #expect(listed >= configured.count)
            #expect(bars.body.count < 2_000_000)
            // A forgotten name coming back starts afresh, like an asset never seen.
            let back = try await client.request("POST", "/step/35", headers: [("Content-Type", "application/json")],
                                                body: Array(#"{"assets": ["F4X0"]}"#.utf8))
            #expect(back.json["computed"]?.int64Value == 1)
            let fresh = try await client.request("GET", "/features/F4X0/35").json
            #expect(fresh["placement"]?["depth_quality"]?.doubleValue == 1.0)
            #expect(try await client.request("GET", "/features/F4X0/34").json["source"]?.stringValue == "default")
        }
    }

    @Test func aTooSmallBoundIsRefused() throws {
        var configuration = ServiceConfiguration()
        configuration.engine.maxAssets = 100
        #expect(throws: ConfigurationError.self) { _ = try configuration.validated() }
    }
}
