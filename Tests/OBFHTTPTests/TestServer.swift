import Foundation
import HTTPTestClient
import Logging
@testable import OBFHTTP
import TestTiming

struct TestServer {
    let server: HTTPServer
    let port: Int
    let recorder: TestRecorder
}

/// Starts a server on an ephemeral port, runs `body`, then shuts it down. Its timeouts are
/// ones only a hang reaches (`TestBounds.unchecked`); a test of a timeout sets that one itself.
func withTestServer(
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: (TestServer) async throws -> Void
) async throws {
    var configuration = HTTPServerConfiguration(
        host: "127.0.0.1", port: 0, headerReadTimeout: TestBounds.unchecked, idleTimeout: TestBounds.unchecked,
        shutdownGrace: TestBounds.unchecked, eventLoopCount: 2)
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

/// A plain GET on a fresh connection; returns its response.
@available(*, noasync, message: "blocks its thread: call it in blocking { }")
func normalRequest(port: Int, path: String = "/ok") throws -> TestHTTPResponse {
    let client = try TestHTTPClient(port: port)
    try client.send("GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n")
    return try client.readResponse()
}
