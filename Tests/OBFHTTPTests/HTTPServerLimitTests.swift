import HTTPTestClient
import TestTiming
import Testing
import SeededRandom
@testable import OBFHTTP

/// Sends `request`, expects `status` with the JSON `code`, `Connection: close`, then the close.
private func expectRefusal(port: Int, _ request: String, status: Int, code: String) throws {
    let client = try TestHTTPClient(port: port)
    try client.send(request)
    let response = try client.readResponse()
    #expect(response.status == status, "\(request.prefix(60))")
    #expect(response.errorCode == code)
    #expect(response.header("Connection") == "close")
    #expect(response.header("Content-Type") == "application/json; charset=utf-8")
    #expect(Int(response.header("Content-Length") ?? "") == response.body.count)
    #expect(client.isClosedByServer())
}

@Suite("Limits and malformed requests")
struct HTTPServerLimitTests {
    /// A handler that leaves the server's refusals to the default rendering.
    private struct PlainHandler: HTTPHandler {
        func handle(_ request: HTTPRequest) -> HTTPHandlerResult { .response(HTTPResponse(status: 204)) }
    }

    @Test func aRefusalIsPlainTextUnlessTheHandlerRendersIt() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), handler: PlainHandler(),
                                logger: .init(label: "test"))
        let port = try server.start()
        let response = try await blocking { () -> TestHTTPResponse in
            let client = try TestHTTPClient(port: port)
            try client.send("GET / HTTP/1.1\r\n\r\n")
            return try client.readResponse()
        }
        await server.shutdown()
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.text.hasSuffix("\n") && response.text.contains("Host"))
    }

    @Test func headersOverTheLimitGet431() async throws {
        try await withTestServer({ $0.maxHeaderBytes = 1024; $0.maxHeaderCount = 10 }) { server in
            try await blocking {
                let big = String(repeating: "v", count: 2000)
                try expectRefusal(port: server.port, "GET / HTTP/1.1\r\nHost: test\r\nX-Big: \(big)\r\n\r\n",
                                  status: 431, code: "headers_too_large")
                let many = (0..<11).map { "X-H\($0): 1\r\n" }.joined()
                try expectRefusal(port: server.port, "GET / HTTP/1.1\r\n\(many)\r\n", status: 431, code: "headers_too_large")
                let fields = (0..<10).map { "X-H\($0): \(String(repeating: "a", count: 100))\r\n" }.joined()
                try expectRefusal(port: server.port, "GET / HTTP/1.1\r\n\(fields)\r\n", status: 431, code: "headers_too_large")
                #expect(server.recorder.answers.contains { $0 == (431, "headers_too_large") })
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func hugeHeaderWithDefaultLimitsIsRefusedEarly() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send("GET / HTTP/1.1\r\nX-Huge: ")
                // The server answers once the limit is passed; the rest of the header may meet a closed socket.
                try? client.send(String(repeating: "x", count: 128 * 1024))
                let response = try client.readResponse()
                #expect(response.status == 431)
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func requestLineOverTheLimitGets414() async throws {
        try await withTestServer({ $0.maxHeaderBytes = 1024 }) { server in
            try await blocking {
                let path = "/" + String(repeating: "p", count: 2000)
                try expectRefusal(port: server.port, "GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n", status: 414, code: "uri_too_long")
                #expect(try normalRequest(port: server.port, path: "/" + String(repeating: "p", count: 900)).status == 200)
            }
        }
    }

    @Test func declaredBodyOverTheLimitGets413() async throws {
        try await withTestServer({ $0.maxBodyBytes = 1024 }) { server in
            try await blocking {
                try expectRefusal(port: server.port, "POST /x HTTP/1.1\r\nHost: test\r\nContent-Length: 2000\r\n\r\n",
                                  status: 413, code: "body_too_large")
                try expectRefusal(port: server.port,
                                  "POST /x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                                  status: 413, code: "body_too_large")
                let client = try TestHTTPClient(port: server.port)
                try client.send("POST /x HTTP/1.1\r\nHost: test\r\nContent-Length: 1024\r\n\r\n" + String(repeating: "b", count: 1024))
                #expect(try client.readResponse().json["body_length"] as? Int == 1024)
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func chunkedBodyOverTheLimitGets413() async throws {
        try await withTestServer({ $0.maxBodyBytes = 1024 }) { server in
            try await blocking {
                let chunk = "200\r\n" + String(repeating: "c", count: 512) + "\r\n"
                try expectRefusal(port: server.port,
                                  "POST /x HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk + chunk + chunk + "0\r\n\r\n",
                                  status: 413, code: "body_too_large")
                try expectRefusal(port: server.port,
                                  "POST /x HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
                                  status: 413, code: "body_too_large")
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func conflictingFramingGets400() async throws {
        try await withTestServer { server in
            try await blocking {
                let cases = [
                    "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                    "POST /x HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                    "POST /x HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
                    "POST /x HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                    "POST /x HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                    "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                    "POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                    "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                    "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                    "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
                ]
                for request in cases {
                    try expectRefusal(port: server.port, request, status: 400, code: "bad_request")
                }
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func malformedHeadsGet400() async throws {
        try await withTestServer { server in
            try await blocking {
                let cases = [
                    "GET / HTTP/2.0\r\n\r\n",
                    "GET / HTTP/1.1 extra\r\n\r\n",
                    "GET /\r\n\r\n",
                    "GET  / HTTP/1.1\r\n\r\n",
                    "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
                    "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost : x\r\n\r\n",
                    "GET / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n",
                    "GET / HTTP/1.1\r\nX: a\u{7F}b\r\n\r\n",
                    "hello world\r\n\r\n",
                ]
                for request in cases {
                    try expectRefusal(port: server.port, request, status: 400, code: "bad_request")
                }
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func randomGarbageGets400() async throws {
        try await withTestServer { server in
            try await blocking {
                var generator = SplitMix64(seed: 42)
                for _ in 0..<5 {
                    var garbage = (0..<512).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                    garbage[0] = 0x16  // never a method character, whatever the seed
                    let client = try TestHTTPClient(port: server.port)
                    try? client.send(garbage)
                    let response = try client.readResponse()
                    #expect(response.status == 400)
                    #expect(response.errorCode == "bad_request")
                    #expect(client.isClosedByServer())
                }
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func postAnnouncingABodyWithoutLengthGets411() async throws {
        try await withTestServer { server in
            try await blocking {
                for method in ["POST", "PUT", "PATCH"] {
                    try expectRefusal(port: server.port,
                                      "\(method) /x HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n\r\n",
                                      status: 411, code: "length_required")
                }
                // Without Content-Length or chunked framing there is no body (RFC 9112 6.3), as `curl -X POST` sends.
                let client = try TestHTTPClient(port: server.port)
                try client.send("POST /step/1 HTTP/1.1\r\nHost: test\r\n\r\n")
                let empty = try client.readResponse()
                #expect(empty.status == 200)
                #expect(empty.json["body_length"] as? Int == 0)
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func stalledRequestGets408() async throws {
        try await withTestServer({ $0.headerReadTimeout = .milliseconds(300) }) { server in
            try await blocking {
                try expectRefusal(port: server.port, "GET / HTTP/1.1\r\nHost: te", status: 408, code: "request_timeout")
                try expectRefusal(port: server.port, "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc",
                                  status: 408, code: "request_timeout")
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func idleKeepAliveConnectionIsClosedSilently() async throws {
        try await withTestServer({ $0.idleTimeout = .milliseconds(300) }) { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                #expect(try client.readResponse().status == 200)
                #expect(client.isClosedByServer())
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func connectionFloodGets503() async throws {
        try await withTestServer({ $0.maxConnections = 8 }) { server in
            try await blocking {
                var clients: [TestHTTPClient] = []
                for _ in 0..<8 {
                    let client = try TestHTTPClient(port: server.port)
                    try client.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                    #expect(try client.readResponse().status == 200)
                    clients.append(client)
                }
                #expect(server.server.connectionCount == 8)
                let extra = try TestHTTPClient(port: server.port)
                try? extra.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                let refused = try extra.readResponse()
                #expect(refused.status == 503)
                #expect(refused.errorCode == "too_many_connections")
                #expect(refused.header("Connection") == "close")
                #expect(extra.isClosedByServer())
                #expect(server.recorder.answers.contains { $0 == (503, "too_many_connections") })

                clients.removeAll()
                #expect(eventuallyBlocking { server.server.connectionCount == 0 })
                #expect(server.recorder.connectionCounts.max() == 8)
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }
}
