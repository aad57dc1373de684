import Foundation
import Locking
import Logging
@testable import OBFHTTP

/// What the test handler saw of the server's own answers, of the connection gauge and of its deferred work.
final class TestRecorder: Sendable {
    /// A step of deferred work, or one a test records beside them to check their order.
    enum Event: Equatable, Sendable {
        case deferredStarted
        /// The work found its task cancelled when its sleep ended.
        case deferredCancelled
        case deferredReturned
        case shutdownReturned
    }

    private struct Record {
        var answered: [(Int, String)] = []
        var counts: [Int] = []
        var events: [Event] = []
    }
    private let record = Locked(Record())

    func recordAnswer(_ status: Int, _ code: String) {
        record.withLock { $0.answered.append((status, code)) }
    }

    func recordCount(_ count: Int) {
        record.withLock { $0.counts.append(count) }
    }

    func record(_ event: Event) {
        record.withLock { $0.events.append(event) }
    }

    /// Deferred requests whose work has begun (they are in flight).
    var deferredStarted: Int { count(of: .deferredStarted) }
    var deferredCancelled: Int { count(of: .deferredCancelled) }

    var answers: [(Int, String)] { record.withLock { $0.answered } }
    var connectionCounts: [Int] { record.withLock { $0.counts } }
    var events: [Event] { record.withLock { $0.events } }

    private func count(of event: Event) -> Int {
        record.withLock { $0.events.count { $0 == event } }
    }
}

/// Echoes method, path, query and body as JSON. `/deferred?ms=N` answers from a Task after a
/// cancellable sleep of N ms; once cancelled it ignores the cancellation for `after_cancel` ms more
/// (`/deferred?ms=N&after_cancel=M`). `/big?bytes=N` answers N bytes (1 MiB by default).
struct EchoHandler: HTTPHandler {
    let recorder: TestRecorder

    func handle(_ request: HTTPRequest) -> HTTPHandlerResult {
        switch request.path {
        case "/deferred":
            let delay = Self.parameter("ms", of: request) ?? 20
            let afterCancel = Self.parameter("after_cancel", of: request) ?? 0
            let recorder = self.recorder
            return .deferred {
                recorder.record(.deferredStarted)
                try? await Task.sleep(for: .milliseconds(delay))
                if Task.isCancelled {
                    recorder.record(.deferredCancelled)
                    // A wait the cancellation does not end: a detached task is not cancelled with this one.
                    await Task.detached { try? await Task.sleep(for: .milliseconds(afterCancel)) }.value
                }
                recorder.record(.deferredReturned)
                return .json(Self.echo(request, extra: ["deferred": true]))
            }
        case "/big":
            let size = Self.parameter("bytes", of: request) ?? 1 << 20
            return .response(HTTPResponse(status: 200, body: [UInt8](repeating: 0x61, count: size)))
        default:
            return .response(.json(Self.echo(request, extra: [:])))
        }
    }

    /// The integer value of `name` in the query, if it has one.
    private static func parameter(_ name: String, of request: HTTPRequest) -> Int? {
        for pair in (request.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return Int(parts[1]) }
        }
        return nil
    }

    func connectionsChanged(to count: Int) {
        recorder.recordCount(count)
    }

    func serverAnswered(status: Int, code: String) {
        recorder.recordAnswer(status, code)
    }

    static func echo(_ request: HTTPRequest, extra: [String: Any]) -> [UInt8] {
        var object: [String: Any] = [
            "method": request.method,
            "path": request.path,
            "query": request.query ?? NSNull(),
            "body_length": request.body.count,
            "body": String(decoding: request.body, as: UTF8.self),
            "version": request.version == .http10 ? "1.0" : "1.1",
        ]
        object.merge(extra) { $1 }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data)
    }
}

struct TestServer {
    let server: HTTPServer
    let port: Int
    let recorder: TestRecorder
}

/// Starts a server on an ephemeral port with short limits, runs `body`, then shuts it down.
func withTestServer(
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (TestServer) async throws -> Void
) async throws {
    var configuration = HTTPServerConfiguration(
        host: "127.0.0.1", port: 0, headerReadTimeout: .seconds(2), idleTimeout: .seconds(5),
        shutdownGrace: .seconds(2), eventLoopCount: 2)
    configure(&configuration)
    var logger = Logger(label: "obf.http.test")
    logger.logLevel = .warning
    let recorder = TestRecorder()
    let server = HTTPServer(configuration: configuration, handler: EchoHandler(recorder: recorder), logger: logger)
    let port = try server.start()
    do {
        try await body(TestServer(server: server, port: port, recorder: recorder))
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

/// Runs blocking socket code on a thread of its own, so neither the cooperative pool (deferred
/// handlers) nor Dispatch's global queues (`Task.sleep` timers) are held up by it.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}

/// A plain GET on a fresh connection; returns its response.
func normalRequest(port: Int, path: String = "/ok") throws -> TestResponse {
    let client = try TestClient(port: port)
    try client.send("GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n")
    return try client.readResponse()
}

/// Polls `condition` every 10 ms for up to `timeout`.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
