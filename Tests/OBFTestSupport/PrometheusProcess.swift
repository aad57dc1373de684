import Foundation
import JSON
import OBFEngine
#if canImport(Glibc)
import Glibc
#endif
import Sockets

/// A real Prometheus server (Debian's `prometheus` package) on a free loopback port, scraping
/// the given targets, with its configuration and storage in a folder of its own. Dropping the
/// handle kills a server still running; `stop()` ends it and removes the folder.
public final class PrometheusProcess: Sendable {
    public let port: Int
    private let child: ChildProcess
    private let folder: URL

    /// The server binary: `OBF_PROMETHEUS`, else `prometheus` on the PATH.
    public static func binary() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["OBF_PROMETHEUS"], FileManager.default.isExecutableFile(atPath: path) { return path }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/prometheus"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Starts `binary` scraping `targets` (host:port) as job `obf` every `scrapeInterval`,
    /// evaluating `ruleFiles`, and waits (up to `timeout`) until it answers `/-/ready`. `jobSettings`
    /// are more lines of the job (e.g. `scheme: https` and its `tls_config`), indented as its keys.
    public static func start(binary: String, targets: [String], scrapeInterval: String = "1s", ruleFiles: [String] = [],
                             jobSettings: [String] = [],
                             timeout: Duration = .seconds(60)) async throws -> PrometheusProcess {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("obf-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let configuration = """
            global:
              scrape_interval: \(scrapeInterval)
              evaluation_interval: \(scrapeInterval)
            rule_files: [\(ruleFiles.map { "\"\($0)\"" }.joined(separator: ", "))]
            scrape_configs:
              - job_name: obf
                static_configs:
                  - targets: [\(targets.map { "\"\($0)\"" }.joined(separator: ", "))]

            """ + jobSettings.map { "    " + $0 }.joined(separator: "\n")
        let configPath = folder.appendingPathComponent("prometheus.yml").path
        try configuration.write(toFile: configPath, atomically: true, encoding: .utf8)
        // A port free a moment ago may be taken before the server binds it: try a few.
        var lastLog = ""
        for _ in 0..<5 {
            let port = try LoopbackPort.free()
            let child = try ChildProcess(binary, [
                "--config.file=\(configPath)", "--storage.tsdb.path=\(folder.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ])
            let server = PrometheusProcess(port: port, child: child, folder: folder)
            if try await server.waitUntilReady(timeout: timeout) { return server }
            lastLog = child.log
            await child.stop(signal: SIGKILL)
        }
        try? FileManager.default.removeItem(at: folder)
        throw MissingTool(description: "prometheus did not become ready: \(lastLog)")
    }

    private init(port: Int, child: ChildProcess, folder: URL) {
        self.port = port
        self.child = child
        self.folder = folder
    }

    private func waitUntilReady(timeout: Duration) async throws -> Bool {
        let end = ContinuousClock.now + timeout
        while child.isRunning && ContinuousClock.now < end {
            if let client = try? TestHTTPClient(port: port), (try? await client.request("GET", "/-/ready"))?.status == 200 {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Everything the server logged so far.
    public var log: String { child.log }

    /// `GET path` against the server's HTTP API, as JSON (`.null` when the body is not JSON).
    public func get(_ path: String) async throws -> JSONValue {
        try await TestHTTPClient(port: port).request("GET", path).json
    }

    /// An instant query's whole answer (`status`, then `data.result` or `error`).
    public func query(_ expression: String) async throws -> JSONValue {
        try await get("/api/v1/query?query=\(Self.percentEncoded(expression))")
    }

    /// `text` percent-encoded for a query string (everything but unreserved characters).
    public static func percentEncoded(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Ends the server (SIGTERM) and removes its folder.
    public func stop() async {
        await child.stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

/// Loopback ports for servers that cannot be told to pick one themselves.
public enum LoopbackPort {
    /// A port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0).
    public static func free() throws -> Int {
        do throws(SocketError) {
            let socket = try ListeningSocket.bind(host: "127.0.0.1", port: 0, backlog: 1, nonBlocking: false)
            socket.close()
            return socket.port
        } catch {
            throw MissingTool(description: "cannot bind 127.0.0.1:0: \(error)")
        }
    }
}
