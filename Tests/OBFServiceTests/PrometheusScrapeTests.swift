import Foundation
import JSON
import OBFEngine
import OBFTestSupport
import Testing

/// A real Prometheus (Debian's package) scrapes a real `obf serve`: the exposition is what a
/// real scraper accepts, the metric names of docker/alerts.yml and of the Grafana dashboard are
/// the ones the service exports, every dashboard query runs, and every alerting rule evaluates.
@Suite struct PrometheusScrapeTests {
    static let alertRules = ExternalProcess.packageRoot.appendingPathComponent("docker/alerts.yml").path
    static let dashboard = ExternalProcess.packageRoot.appendingPathComponent("docker/grafana/dashboards/obf.json").path
    /// Far from the few seconds two 1 s scrapes take, however loaded the machine.
    static let patience = Duration.seconds(60)

    /// Records a failure (never a silent skip) when the prometheus binary is missing.
    static func requirePrometheus() -> String? {
        guard let binary = PrometheusProcess.binary() else {
            Issue.record("""
                No prometheus binary on the PATH (nor in OBF_PROMETHEUS). Run the project's test command \
                (it installs Debian's prometheus package), or apt-get install prometheus.
                """)
            return nil
        }
        return binary
    }

    @Test func aRealPrometheusScrapesTheServiceAndRunsTheAlertsAndTheDashboard() async throws {
        guard let binary = Self.requirePrometheus() else { return }
        let server = try await ServeProcess.start([])
        let prometheus: PrometheusProcess
        do {
            prometheus = try await PrometheusProcess.start(binary: binary, targets: ["127.0.0.1:\(server.port)"],
                                                           ruleFiles: [Self.alertRules])
        } catch {
            await server.stop()
            throw error
        }
        do {
            try await checkScrape(server: server, prometheus: prometheus)
        } catch {
            Issue.record("prometheus log: \(prometheus.log)")
            await prometheus.stop()
            await server.stop()
            throw error
        }
        await prometheus.stop()
        #expect(await server.stop() == 0)
    }

    private func checkScrape(server: ServeProcess, prometheus: PrometheusProcess) async throws {
        let client = try TestHTTPClient(port: server.port)
        let quantile = #"histogram_quantile(0.99, sum by (le) (rate(obf_step_duration_seconds_bucket{job="obf"}[1m])))"#
        // Steps go on while Prometheus scrapes, so the histogram's rate has something to show.
        var bar = 0
        var steps: Double?
        var p99: Double?
        let end = ContinuousClock.now + Self.patience
        while ContinuousClock.now < end && (steps == nil || p99 == nil) {
            #expect(try await client.request("POST", "/step/\(bar)").status == 200)
            bar += 1
            steps = try await Self.value(prometheus.query(#"obf_steps_total{job="obf"}"#)).flatMap { $0 >= 1 ? $0 : nil }
            p99 = try await Self.value(prometheus.query(quantile)).flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
            try await Task.sleep(for: .milliseconds(200))
        }
        let stepsSeen = try #require(steps, "Prometheus never returned obf_steps_total")
        #expect(stepsSeen <= Double(bar))
        let p99Seen = try #require(p99, "Prometheus never returned a step duration quantile")
        // The largest finite bucket is 1 s; a mock step takes well under it.
        #expect(p99Seen <= 1)
        #expect(try await Self.value(prometheus.query(#"up{job="obf"}"#)) == 1)

        // Every metric the alerts and the dashboard query is one the service exports.
        let exported = Set(try await prometheus.get("/api/v1/label/__name__/values")["data"]?.arrayValue?
            .compactMap(\.stringValue) ?? [])
        let dashboardText = try String(contentsOfFile: Self.dashboard, encoding: .utf8)
        let expressions = Self.dashboardExpressions(dashboardText)
        let ruleExpressions = Self.ruleExpressions(try String(contentsOfFile: Self.alertRules, encoding: .utf8))
        for (file, queries) in [("alerts.yml", ruleExpressions), ("obf.json", expressions)] {
            let used = Set(queries.joined(separator: "\n").matches(of: /\b(?:obf|process)_[a-z0-9_]+/).map { String($0.output) })
            #expect(!used.isEmpty)
            for name in used.sorted() {
                #expect(exported.contains(name), "\(file) queries \(name), which obf serve does not export")
            }
        }

        // Every dashboard query runs, with the variables Grafana would fill in.
        #expect(expressions.count >= 20)
        for expression in expressions {
            let concrete = expression.replacingOccurrences(of: "$instance", with: ".*")
                .replacingOccurrences(of: "$__rate_interval", with: "1m")
            let answer = try await prometheus.query(concrete)
            #expect(answer["status"]?.stringValue == "success", "\(concrete): \(answer["error"]?.stringValue ?? "?")")
        }

        // Every alerting rule has been evaluated against the service's series without an error.
        var rules: [JSONValue] = []
        let evaluated = ContinuousClock.now + Self.patience
        repeat {
            rules = (try await prometheus.get("/api/v1/rules")["data"]?["groups"]?.arrayValue ?? [])
                .flatMap { $0["rules"]?.arrayValue ?? [] }
            if !rules.isEmpty && rules.allSatisfy({ $0["health"]?.stringValue != "unknown" }) { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < evaluated
        #expect(rules.count == ruleExpressions.count)
        for rule in rules {
            #expect(rule["health"]?.stringValue == "ok",
                    "\(rule["name"]?.stringValue ?? "?"): \(rule["lastError"]?.stringValue ?? "not evaluated")")
        }
    }

    /// The first sample's value of an instant query's answer.
    static func value(_ answer: JSONValue) -> Double? {
        answer["data"]?["result"]?[0]?["value"]?[1]?.stringValue.flatMap(Double.init)
    }

    /// The `expr` of every rule of a rules file (one line, or the indented lines below `expr: >-`).
    static func ruleExpressions(_ text: String) -> [String] {
        var expressions: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("expr:") {
                if let current { expressions.append(current.joined(separator: " ")) }
                current = [trimmed.dropFirst("expr:".count)]
            } else if current != nil, trimmed.hasPrefix("for:") || trimmed.hasPrefix("labels:") {
                expressions.append(current?.joined(separator: " ") ?? "")
                current = nil
            } else if current != nil {
                current?.append(trimmed)
            }
        }
        return expressions
    }

    /// Every `expr` of the dashboard's panels.
    static func dashboardExpressions(_ text: String) -> [String] {
        let dashboard = (try? JSONValue.parse(text).get()) ?? .null
        return (dashboard["panels"]?.arrayValue ?? []).flatMap { panel in
            (panel["targets"]?.arrayValue ?? []).compactMap { $0["expr"]?.stringValue }
        }
    }
}
