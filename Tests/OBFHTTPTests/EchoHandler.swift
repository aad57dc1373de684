import Foundation
@testable import OBFHTTP

/// Echoes method, path, query and body as JSON; answers the server's refusals in JSON too. `/deferred?ms=N` answers from a Task after a
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

    func tlsHandshakeCompleted(resumed: Bool) {
        recorder.record(.tlsHandshake(resumed: resumed))
    }

    func tlsRefused(_ reason: TLSRefusal) {
        recorder.record(.tlsRefused(reason))
    }

    /// The server's refusals as `{"error":{"code":...,"message":...}}`, so that tests read their code.
    func response(to failure: HTTPRequestRefusal) -> HTTPResponse {
        let object = ["error": ["code": failure.code, "message": failure.message]]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return .json(Array(data), status: failure.status)
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

extension HTTPResponse {
    /// A JSON body (the test handler's answers).
    static func json(_ body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: body)
    }
}
