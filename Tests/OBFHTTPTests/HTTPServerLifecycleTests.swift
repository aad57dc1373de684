import Foundation
import HTTPTestClient
import TestTiming
import Testing
@testable import OBFHTTP

@Suite("Disconnects and shutdown")
struct HTTPServerLifecycleTests {
    @Test func clientVanishingBeforeItsResponseDoesNotHurtTheServer() async throws {
        try await withTestServer { server in
            try await blocking {
                do {
                    let client = try TestHTTPClient(port: server.port)
                    try client.send("GET /deferred?ms=30 HTTP/1.1\r\nHost: test\r\n\r\n")
                }
                do {
                    let client = try TestHTTPClient(port: server.port)
                    try client.send("GET /big HTTP/1.1\r\nHost: test\r\n\r\n")
                    client.reset()
                }
                do {
                    let client = try TestHTTPClient(port: server.port)
                    try client.send(String(repeating: "GET /big HTTP/1.1\r\nHost: test\r\n\r\n", count: 20))
                }
                do {
                    let client = try TestHTTPClient(port: server.port)
                    try client.send("POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial")
                    client.reset()
                }
                usleep(100_000)
                #expect(try normalRequest(port: server.port).status == 200)
                #expect(eventuallyBlocking { server.server.connectionCount == 0 })
            }
        }
    }

    @Test func shutdownAnswersADeferredRequestInFlight() async throws {
        try await withTestServer { server in
            let stopping = try await blocking { () -> Task<Void, Never> in
                let client = try TestHTTPClient(port: server.port)
                try client.send("GET /deferred?ms=300 HTTP/1.1\r\nHost: test\r\n\r\n")
                let idle = try TestHTTPClient(port: server.port)
                try idle.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                #expect(try idle.readResponse().status == 200)
                // Shutdown begins once the deferred request is in flight (on a loaded machine
                // the server may not have read it yet).
                #expect(eventuallyBlocking { server.recorder.deferredStarted == 1 })
                let stopping = Task { await server.server.shutdown() }
                #expect(idle.isClosedByServer())
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.json["deferred"] as? Bool == true)
                #expect(response.header("Connection") == "close")
                #expect(client.isClosedByServer())
                return stopping
            }
            await stopping.value
            #expect(server.server.connectionCount == 0)
            #expect(throws: TestHTTPClientError.self) { try TestHTTPClient(port: server.port) }
        }
    }

    @Test func resetClientCancelsItsDeferredWork() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send("GET /deferred?ms=60000 HTTP/1.1\r\nHost: test\r\n\r\n")
                #expect(eventuallyBlocking { server.recorder.deferredStarted == 1 })
                client.reset()
                #expect(eventuallyBlocking { server.recorder.deferredCancelled == 1 })
                #expect(eventuallyBlocking { server.recorder.events == [.deferredStarted, .deferredCancelled, .deferredReturned] })
                #expect(try normalRequest(port: server.port).status == 200)
                #expect(eventuallyBlocking { server.server.connectionCount == 0 })
            }
        }
    }

    @Test func halfClosedClientStillGetsItsDeferredResponse() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send("GET /deferred?ms=1000 HTTP/1.1\r\nHost: test\r\n\r\n")
                #expect(eventuallyBlocking { server.recorder.deferredStarted == 1 })
                // EOF while the work runs: the client may still read, so the work goes on.
                client.shutdownWrite()
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.json["deferred"] as? Bool == true)
                #expect(client.isClosedByServer())
                #expect(server.recorder.events == [.deferredStarted, .deferredReturned])
            }
        }
    }

    @Test func shutdownCancelsDeferredWorkAtTheDeadlineAndWaitsForIt() async throws {
        try await withTestServer({ $0.shutdownGrace = .milliseconds(300) }) { server in
            let stopping = try await blocking { () -> Task<Void, Never> in
                // A minute of work that, once cancelled, still takes a while before it returns.
                let client = try TestHTTPClient(port: server.port)
                try client.send("GET /deferred?ms=60000&after_cancel=300 HTTP/1.1\r\nHost: test\r\n\r\n")
                #expect(eventuallyBlocking { server.recorder.deferredStarted == 1 })
                let stopping = Task {
                    await server.server.shutdown()
                    server.recorder.record(.shutdownReturned)
                }
                // Closed at the deadline, without a response.
                #expect(client.isClosedByServer())
                return stopping
            }
            await stopping.value
            #expect(server.recorder.events
                    == [.deferredStarted, .deferredCancelled, .deferredReturned, .shutdownReturned])
            #expect(server.server.connectionCount == 0)
        }
    }

    @Test func shutdownWithoutStartAndTwiceIsHarmless() async throws {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0), handler: EchoHandler(recorder: TestRecorder()),
            logger: .init(label: "test"))
        await server.shutdown()
        await server.shutdown()
        #expect(throws: HTTPServerSetupError.self) { try server.start() }
    }

    @Test func bindFailureIsAClearError() async throws {
        try await withTestServer { server in
            let second = HTTPServer(
                configuration: HTTPServerConfiguration(port: server.port), handler: EchoHandler(recorder: TestRecorder()),
                logger: .init(label: "test"))
            let error = try #require(throws: HTTPServerSetupError.self) { try second.start() }
            #expect(error.errno == EADDRINUSE)
            #expect(error.description.contains("in use"))
            #expect(try await blocking { try normalRequest(port: server.port) }.status == 200)
        }
    }
}
