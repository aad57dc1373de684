import Foundation
import HTTPTestClient
import Testing
@testable import OBFHTTP

@Suite("HTTP/1.1 protocol behaviour over real sockets")
struct HTTPServerProtocolTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                for index in 0..<5 {
                    try client.send("GET /item/\(index)?n=\(index) HTTP/1.1\r\nHost: test\r\n\r\n")
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.json["path"] as? String == "/item/\(index)")
                    #expect(response.json["query"] as? String == "n=\(index)")
                    #expect(response.header("Connection") == nil)
                    #expect(response.headerCount("Content-Length") == 1)
                    #expect(response.header("Content-Type") == "application/json; charset=utf-8")
                }
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send(
                    "GET /first HTTP/1.1\r\nHost: test\r\n\r\n"
                        + "GET /deferred?ms=50 HTTP/1.1\r\nHost: test\r\n\r\n"
                        + "POST /third HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc")
                let first = try client.readResponse()
                let second = try client.readResponse()
                let third = try client.readResponse()
                #expect(first.json["path"] as? String == "/first")
                #expect(second.json["path"] as? String == "/deferred")
                #expect(second.json["deferred"] as? Bool == true)
                #expect(third.json["path"] as? String == "/third")
                #expect(third.json["body"] as? String == "abc")
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func pipelinedLargeResponsesWaitForTheReader() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                let count = 30
                try client.send(String(repeating: "GET /big?bytes=100000 HTTP/1.1\r\nHost: test\r\n\r\n", count: count)
                    + "GET /deferred?ms=5 HTTP/1.1\r\nHost: test\r\n\r\nGET /last HTTP/1.1\r\nHost: test\r\n\r\n")
                usleep(200_000)  // let the server fill the socket and hold the rest back
                for _ in 0..<count {
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.body.count == 100_000)
                }
                #expect(try client.readResponse().json["deferred"] as? Bool == true)
                #expect(try client.readResponse().json["path"] as? String == "/last")
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func requestDribbledOneBytePerWrite() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.sendDribbled("POST /dribble HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.json["body"] as? String == "hello")
                try client.sendDribbled(
                    "\r\nPOST /chunks HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n")
                let chunked = try client.readResponse()
                #expect(chunked.json["body"] as? String == "abc")
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func chunkedBodyIsDecoded() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send(
                    "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=value\r\nhello\r\n"
                        + "1\r\n \r\n"
                        + "A\r\n0123456789\r\n"
                        + "0\r\nX-Checksum: abc\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.json["body"] as? String == "hello 0123456789")
                #expect(response.json["body_length"] as? Int == 16)
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func expectContinueGetsContinueThenTheResponse() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                let interim = try client.readResponse()
                #expect(interim.status == 100)
                try client.send("hello")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.json["body"] as? String == "hello")

                let tooLarge = try TestHTTPClient(port: server.port)
                try tooLarge.send(
                    "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 999999\r\nExpect: 100-continue\r\n\r\n")
                let refused = try tooLarge.readResponse()
                #expect(refused.status == 413)
                #expect(refused.errorCode == "body_too_large")
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func headHasContentLengthButNoBody() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send("HEAD /thing HTTP/1.1\r\nHost: test\r\n\r\n")
                let head = try client.readResponse(headOnly: true)
                #expect(head.status == 200)
                let length = try #require(Int(head.header("Content-Length") ?? ""))
                #expect(length > 0)
                // Were any body bytes sent, they would corrupt this next response.
                try client.send("GET /after HTTP/1.1\r\nHost: test\r\n\r\n")
                let next = try client.readResponse()
                #expect(next.status == 200)
                #expect(next.json["path"] as? String == "/after")

                try client.send("HEAD /deferred HTTP/1.1\r\nHost: test\r\n\r\nGET /last HTTP/1.1\r\nHost: test\r\n\r\n")
                let deferredHead = try client.readResponse(headOnly: true)
                #expect(Int(deferredHead.header("Content-Length") ?? "") ?? 0 > 0)
                #expect(try client.readResponse().json["path"] as? String == "/last")
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func http10ClosesByDefaultAndKeepsAliveOnRequest() async throws {
        try await withTestServer { server in
            try await blocking {
                let plain = try TestHTTPClient(port: server.port)
                try plain.send("GET /old HTTP/1.0\r\n\r\n")
                let response = try plain.readResponse()
                #expect(response.status == 200)
                #expect(response.json["version"] as? String == "1.0")
                #expect(response.header("Connection") == "close")
                #expect(plain.isClosedByServer())

                let persistent = try TestHTTPClient(port: server.port)
                for _ in 0..<2 {
                    try persistent.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    let kept = try persistent.readResponse()
                    #expect(kept.status == 200)
                    #expect(kept.header("Connection") == "keep-alive")
                }
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                try client.send("GET /bye HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.header("Connection") == "close")
                #expect(client.isClosedByServer())
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }

    @Test func methodsWithoutBodyNeedNoLength() async throws {
        try await withTestServer { server in
            try await blocking {
                let client = try TestHTTPClient(port: server.port)
                for method in ["GET", "DELETE", "OPTIONS"] {
                    try client.send("\(method) /x HTTP/1.1\r\nHost: test\r\n\r\n")
                    let response = try client.readResponse()
                    #expect(response.status == 200)
                    #expect(response.json["method"] as? String == method)
                }
                #expect(try normalRequest(port: server.port).status == 200)
            }
        }
    }
}
