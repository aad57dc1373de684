import Foundation
import OBFEngine
import OBFTestSupport
import Testing

/// Malformed requests get the right status and a JSON error, and the server keeps serving.
@Suite struct APIErrorTests {
    func expectError(_ response: TestHTTPResponse, _ status: Int, _ code: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(response.status == status, sourceLocation: sourceLocation)
        #expect(response.json["error"]?["code"]?.stringValue == code, "\(response.text)", sourceLocation: sourceLocation)
        #expect(response.headers["content-type"] == "application/json; charset=utf-8", sourceLocation: sourceLocation)
    }

    @Test func unknownMethodsShareOneMetricsSeries() async throws {
        try await RunningService.with(source: ScriptedSource(), assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            for index in 0..<20 {
                expectError(try await client.request("X\(index)", "/features/BTCUSDT/1"), 405, "method_not_allowed")
            }
            expectError(try await client.request("DELETE", "/features/BTCUSDT/1"), 405, "method_not_allowed")
            let metrics = try await client.request("GET", "/metrics").text
            #expect(!metrics.contains(#"method="X"#))
            #expect(MetricsText.value(metrics, #"obf_http_requests_total{route="/features/{asset}/{bar}",method="other",status="405"}"#) == 20)
            #expect(MetricsText.value(metrics, #"obf_http_requests_total{route="/features/{asset}/{bar}",method="DELETE",status="405"}"#) == 1)
        }
    }

    @Test func badPathsQueriesAndBodies() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [1], ask: [1])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            expectError(try await client.request("GET", "/nope"), 404, "not_found")
            expectError(try await client.request("GET", "/features/BTCUSDT"), 404, "not_found")
            let wrongMethod = try await client.request("GET", "/step/1")
            expectError(wrongMethod, 405, "method_not_allowed")
            #expect(wrongMethod.headers["allow"] == "POST")
            let deleteFeatures = try await client.request("DELETE", "/features/BTCUSDT/1")
            expectError(deleteFeatures, 405, "method_not_allowed")
            #expect(deleteFeatures.headers["allow"] == "GET, HEAD")
            expectError(try await client.request("GET", "/features/BTCUSDT/-1"), 400, "invalid_bar")
            expectError(try await client.request("GET", "/features/BTCUSDT/1.5"), 400, "invalid_bar")
            expectError(try await client.request("GET", "/features/BTCUSDT/9007199254740992"), 400, "invalid_bar")
            expectError(try await client.request("GET", "/macro/abc"), 400, "invalid_bar")
            expectError(try await client.request("GET", "/features/BTC-USDT/1"), 400, "invalid_asset")
            expectError(try await client.request("GET", "/features/\(String(repeating: "A", count: 33))/1"),
                        400, "invalid_asset")
            expectError(try await client.request("GET", "/features/BTCUSDT/1?x=1"), 400, "invalid_query")
            expectError(try await client.request("POST", "/step/1?rollover=maybe"), 400, "invalid_query")
            expectError(try await client.request("POST", "/step/1?include=all"), 400, "invalid_query")
            // The query rule holds on the operations routes too.
            for path in ["/healthz?verbose=1", "/readyz?x", "/metrics?name[]=up"] {
                expectError(try await client.request("GET", path), 400, "invalid_query")
            }
            #expect(try await client.request("GET", "/healthz?").status == 200)
            let json = [("Content-Type", "application/json")]
            expectError(try await client.request("POST", "/step/1", headers: [("Content-Type", "text/plain")],
                                                 body: Array("assets".utf8)), 415, "unsupported_media_type")
            expectError(try await client.request("POST", "/step/1", headers: json, body: Array("{".utf8)),
                        400, "invalid_body")
            expectError(try await client.request("POST", "/step/1", headers: json, body: Array("[]".utf8)),
                        400, "invalid_body")
            expectError(try await client.request("POST", "/step/1", headers: json,
                                                 body: Array(#"{"assets": []}"#.utf8)), 400, "invalid_body")
            expectError(try await client.request("POST", "/step/1", headers: json,
                                                 body: Array(#"{"asset": ["BTCUSDT"]}"#.utf8)), 400, "invalid_body")
            expectError(try await client.request("POST", "/step/1", headers: json,
                                                 body: Array(#"{"assets": ["BTC/USDT"]}"#.utf8)), 400, "invalid_asset")
            let many = (0...2000).map { "\"A\($0)\"" }.joined(separator: ",")
            expectError(try await client.request("POST", "/step/1", headers: json,
                                                 body: Array(#"{"assets": [\#(many)]}"#.utf8)), 400, "invalid_body")
            // Still serving, and nothing was stepped by the refused requests.
            let step = try await client.request("POST", "/step/1")
            #expect(step.status == 200)
            #expect(step.json["replayed"]?.boolValue == false)
        }
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request without Host, or with two, is refused (and the
    /// connection closed); HTTP/1.0 needs none.
    @Test func aRequestWithoutExactlyOneHostIsRefused() async throws {
        try await RunningService.with(source: ScriptedSource(), assets: ["BTCUSDT"]) { running in
            for head in ["GET /healthz HTTP/1.1\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"] {
                let response = try await running.client().raw(Array(head.utf8))
                expectError(response, 400, "bad_request")
                #expect(response.headers["connection"] == "close")
            }
            let old = try await running.client().raw(Array("GET /healthz HTTP/1.0\r\n\r\n".utf8))
            #expect(old.status == 200)
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        try await RunningService.with(source: ScriptedSource()) { running in
            let client = try running.client()
            let get = try await client.request("GET", "/features/BTCUSDT/3")
            let head = try await client.request("HEAD", "/features/BTCUSDT/3")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers["content-length"] == String(get.body.count))
            #expect(try await client.request("GET", "/healthz").json["status"]?.stringValue == "ok")
        }
    }

    @Test func tokenGuardsPostsAndOptionallyReads() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [1], ask: [1])
        try await RunningService.with(source: source, assets: ["BTCUSDT"], adjust: {
            $0.apiToken = "s3cret-token"
            $0.authReads = true
        }) { running in
            let client = try running.client()
            let missing = try await client.request("POST", "/step/1")
            expectError(missing, 401, "unauthorized")
            #expect(missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            expectError(try await client.request("POST", "/step/1", headers: [("Authorization", "Bearer wrong")]),
                        401, "unauthorized")
            expectError(try await client.request("GET", "/features/BTCUSDT/1"), 401, "unauthorized")
            let auth = [("Authorization", "Bearer s3cret-token")]
            #expect(try await client.request("POST", "/step/1", headers: auth).status == 200)
            #expect(try await client.request("GET", "/bars/1", headers: auth).status == 200)
            // Health, readiness and metrics stay open.
            #expect(try await client.request("GET", "/healthz").status == 200)
            #expect(try await client.request("GET", "/readyz").status == 200)
            #expect(try await client.request("GET", "/metrics").status == 200)
            #expect(!running.messages.joined().contains("s3cret-token"))
        }
    }

    @Test func metricsCanBeGuardedToo() async throws {
        try await RunningService.with(source: ScriptedSource(), adjust: {
            $0.apiToken = "metrics-token"
            $0.authMetrics = true
        }) { running in
            let client = try running.client()
            expectError(try await client.request("GET", "/metrics"), 401, "unauthorized")
            let allowed = try await client.request("GET", "/metrics", headers: [("Authorization", "Bearer metrics-token")])
            #expect(allowed.status == 200)
            // Without --auth-reads the feature reads stay open; health and readiness always do.
            #expect(try await client.request("GET", "/features/BTCUSDT/1").status == 200)
            #expect(try await client.request("GET", "/healthz").status == 200)
        }
    }

    @Test func metricsUseTheContractNames() async throws {
        let source = ScriptedSource()
        source.setBook("BTCUSDT", bid: [1], ask: [1])
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            _ = try await client.request("POST", "/step/42")
            _ = try await client.request("GET", "/features/BTCUSDT/42")
            _ = try await client.request("GET", "/features/ETHUSDT/42")
            let response = try await client.request("GET", "/metrics")
            #expect(response.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            let expected: [(String, Double)] = [
                ("obf_steps_total", 1), ("obf_empty_streak", 0), ("obf_last_step_bar", 42), ("obf_retained_bars", 1),
                ("obf_source_connected", 1), ("obf_source_reconnects_total", 0), ("obf_http_connections", 1),
                (#"obf_snapshots_total{result="ok"}"#, 1), ("obf_step_duration_seconds_count", 1),
                ("obf_source_read_duration_seconds_count", 1),
                (#"obf_http_requests_total{route="/features/{asset}/{bar}",method="GET",status="200"}"#, 2),
                (#"obf_http_request_duration_seconds_count{route="/step/{bar}"}"#, 1),
            ]
            for (series, value) in expected {
                #expect(MetricsText.value(text, series) == value, "\(series)")
            }
            #expect((MetricsText.value(text, "obf_last_step_timestamp_seconds") ?? 0) > 1_700_000_000)
            #expect((MetricsText.value(text, "process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((MetricsText.value(text, "process_open_fds") ?? 0) > 2)
            #expect(!text.contains("BTCUSDT"))
        }
    }

    @Test func readinessFollowsTheSourceConnection() async throws {
        let source = ScriptedSource()
        source.setConnected(false)
        try await RunningService.with(source: source) { running in
            let client = try running.client()
            let ready = try await client.request("GET", "/readyz")
            #expect(ready.status == 503)
            #expect(ready.json["error"]?["message"]?.stringValue?.contains("not connected") == true)
            #expect(MetricsText.value(try await client.request("GET", "/metrics").text, "obf_source_connected") == 0)
            source.setConnected(true)
            #expect(try await client.request("GET", "/readyz").status == 200)
        }
    }
}
