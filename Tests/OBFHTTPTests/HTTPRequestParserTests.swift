import Testing
@testable import OBFHTTP

private let limits = HTTPRequestParser.Limits(maxHeaderBytes: 1024, maxHeaderCount: 20, maxBodyBytes: 1024)

private enum Outcome: Equatable {
    case request(method: String, target: String, path: String, query: String?, body: String, keepAlive: Bool)
    case continueExpected
    case failure(Int)
}

/// Feeds `text` in pieces split at `splits` and collects every event but `needMore`.
private func parse(_ text: String, splits: [Int] = []) -> [Outcome] {
    let bytes = Array(text.utf8)
    var parser = HTTPRequestParser(limits: limits)
    var buffer: [UInt8] = []
    var start = 0
    var outcomes: [Outcome] = []
    var cuts = splits + [bytes.count]
    var from = 0
    cuts.sort()
    for cut in cuts {
        buffer.append(contentsOf: bytes[from..<cut])
        from = cut
        loop: while true {
            let event = buffer.withUnsafeBufferPointer { parser.parse($0, from: &start) }
            switch event {
            case .needMore:
                break loop
            case .continueExpected:
                outcomes.append(.continueExpected)
            case .request(let request, let keepAlive):
                outcomes.append(.request(
                    method: request.method, target: request.target, path: request.path, query: request.query,
                    body: String(decoding: request.body, as: UTF8.self), keepAlive: keepAlive))
            case .failure(let failure):
                outcomes.append(.failure(failure.status))
                return outcomes
            }
        }
    }
    return outcomes
}

@Suite("Request parser")
struct HTTPRequestParserTests {
    @Test func parsesTargetPathAndQuery() {
        #expect(parse("GET /step/5?rollover=true HTTP/1.1\r\nHost: x\r\n\r\n") == [
            .request(method: "GET", target: "/step/5?rollover=true", path: "/step/5", query: "rollover=true", body: "", keepAlive: true),
        ])
        #expect(parse("GET /a?b?c HTTP/1.1\r\nHost: x\r\n\r\n") == [
            .request(method: "GET", target: "/a?b?c", path: "/a", query: "b?c", body: "", keepAlive: true),
        ])
    }

    @Test func everySplitPointGivesTheSameResult() {
        let text = "POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
            + "4;ext=1\r\nwiki\r\n5\r\npedia\r\n0\r\nTrailer: x\r\n\r\n"
            + "GET /next HTTP/1.0\n\n"
        let expected: [Outcome] = [
            .continueExpected,
            .request(method: "POST", target: "/u", path: "/u", query: nil, body: "wikipedia", keepAlive: true),
            .request(method: "GET", target: "/next", path: "/next", query: nil, body: "", keepAlive: false),
        ]
        #expect(parse(text) == expected)
        for split in 1..<text.utf8.count {
            #expect(parse(text, splits: [split]) == expected, "split at \(split)")
        }
        #expect(parse(text, splits: Array(1..<text.utf8.count)) == expected)
    }

    @Test func headerLookupIgnoresCase() {
        var parser = HTTPRequestParser(limits: limits)
        let bytes = Array("GET / HTTP/1.1\r\nHost: x\r\ncontent-TYPE: a\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n".utf8)
        var start = 0
        let event = bytes.withUnsafeBufferPointer { parser.parse($0, from: &start) }
        guard case .request(let request, _) = event else {
            Issue.record("no request: \(event)")
            return
        }
        #expect(request.headers["Content-Type"] == "a")
        #expect(request.headers.values("X-MULTI") == ["1", "2"])
        #expect(request.headers.all.count == 4)
        #expect(request.headers["missing"] == nil)
        #expect(start == bytes.count)
    }

    @Test func limitsAreCheckedBeforeTheLineEnds() {
        #expect(parse("GET /" + String(repeating: "a", count: 2000)) == [.failure(414)])
        #expect(parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 2000)) == [.failure(431)])
        #expect(parse("\u{16}\u{03}\u{01}") == [.failure(400)])
        #expect(parse("\r") == [])
        #expect(parse("GE") == [])
    }

    /// RFC 9112 §3.2: a Host field is required in HTTP/1.1, and never more than one.
    @Test func hostIsRequiredInHTTP11AndAtMostOnce() {
        #expect(parse("GET / HTTP/1.1\r\n\r\n") == [.failure(400)])
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n") == [.failure(400)])
        #expect(parse("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n") == [.failure(400)])
        // Refused before the body is read, and before an interim 100 is promised.
        #expect(parse("POST / HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello") == [.failure(400)])
        // HTTP/1.0 does not need it; an empty value is a valid one (a target without authority).
        #expect(parse("GET / HTTP/1.0\r\n\r\n") == [
            .request(method: "GET", target: "/", path: "/", query: nil, body: "", keepAlive: false),
        ])
        #expect(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n") == [
            .request(method: "GET", target: "/", path: "/", query: nil, body: "", keepAlive: true),
        ])
        // Framing errors keep their own status.
        #expect(parse("POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n") == [.failure(413)])
    }

    @Test func persistenceFollowsVersionAndConnection() {
        func keepAlive(_ head: String) -> Bool? {
            guard case .request(_, _, _, _, _, let keepAlive)? = parse(head + "\r\n").first else { return nil }
            return keepAlive
        }
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: x\r\n") == true)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, CLOSE\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\n") == false)
        #expect(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n") == true)
    }
}

@Suite("Response serialisation")
struct HTTPResponseSerializerTests {
    private func render(_ response: HTTPResponse, headOnly: Bool = false, keepAlive: Bool = true, http10: Bool = false) -> (String, Bool) {
        var out: [UInt8] = []
        let stays = HTTPResponseSerializer.append(
            response, headOnly: headOnly, keepAlive: keepAlive, http10: http10, dateLine: [], to: &out)
        return (String(decoding: out, as: UTF8.self), stays)
    }

    @Test func writesStatusHeadersLengthAndBody() {
        let (text, stays) = render(.json(Array("{}".utf8)))
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n{}")
        #expect(stays)
    }

    @Test func headKeepsTheLengthAndDropsTheBody() {
        let (text, _) = render(HTTPResponse(status: 404, body: Array("missing".utf8)), headOnly: true)
        #expect(text == "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\n")
    }

    @Test func connectionHeaderFollowsPersistence() {
        #expect(render(HTTPResponse(status: 200), keepAlive: false).0.contains("Connection: close\r\n"))
        #expect(render(HTTPResponse(status: 200), http10: true).0.contains("Connection: keep-alive\r\n"))
        let (text, stays) = render(HTTPResponse(status: 200, headers: [("connection", "close"), ("Content-Length", "99")]))
        #expect(!stays)
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        #expect(render(HTTPResponse(status: 204)).0 == "HTTP/1.1 204 No Content\r\n\r\n")
    }

    @Test func headerValuesCannotSplitTheResponse() {
        let (text, _) = render(HTTPResponse(status: 200, headers: [("X-A", "1\r\nInjected: yes")]))
        #expect(text.contains("X-A: 1  Injected: yes\r\n"))
    }
}
