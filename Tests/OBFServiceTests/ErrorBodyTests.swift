import JSON
import OBFEngine
import OBFHTTP
@testable import OBFService
import Testing

/// The one rendering of every error the API answers: `HTTPResponse(error:)`.
@Suite struct ErrorBodyTests {
    private struct Sample: APIError {
        var status: Int { 418 }
        var code: String { "sample" }
        var message: String { "quote \" slash \\ line\n tab\t bell\u{07} é" }
        var headers: [(String, String)] { [("X-Sample", "1")] }
    }

    @Test func theBodyIsEscapedJSONWithTheErrorsStatusAndHeaders() {
        let response = HTTPResponse(error: Sample())
        #expect(response.status == 418)
        #expect(String(decoding: response.body, as: UTF8.self)
            == #"{"error":{"code":"sample","message":"quote \" slash \\ line\n tab\t bell\u0007 é"}}"#)
        #expect(response.headers.map(\.0) == ["Content-Type", "X-Sample"])
        #expect(response.headers.first?.1 == "application/json; charset=utf-8")
        let parsed = try? JSONValue.parse(response.body).get()
        #expect(parsed?["error"]?["message"]?.stringValue == Sample().message)
    }

    @Test func everyMappedErrorKeepsItsContractCode() {
        let cases: [(any APIError, Int, String)] = [
            (StepError.barRegression(requested: 2, last: 5), 409, "bar_regression"),
            (StepError.cancelled, 503, "step_cancelled"),
            (RoutingError.notFound(path: "/x"), 404, "not_found"),
            (RoutingError.methodNotAllowed(method: "PUT", template: "/step/{bar}", allowed: ["POST"]), 405,
             "method_not_allowed"),
            (Unauthorized(message: "no"), 401, "unauthorized"),
            (NotReady(reasons: ["a", "b"]), 503, "not_ready"),
            (RequestRejection.badRequest("invalid_bar", "bad"), 400, "invalid_bar"),
        ]
        for (error, status, code) in cases {
            let body = try? JSONValue.parse(HTTPResponse(error: error).body).get()
            #expect(error.status == status && body?["error"]?["code"]?.stringValue == code, "\(error)")
        }
        #expect(RoutingError.methodNotAllowed(method: "PUT", template: "/step/{bar}", allowed: ["POST"]).headers
            .contains { $0 == ("Allow", "POST") })
    }
}
