import OBFEngine
import OBFHTTP

/// A lower bar without `rollover=true`: 409, with how to start a new sequence.
extension StepError: APIError {
    var status: Int { 409 }

    var code: String {
        switch self {
        case .barRegression: "bar_regression"
        }
    }

    var message: String {
        switch self {
        case .barRegression(let requested, let last):
            "bar \(requested) is below the last stepped bar \(last); "
                + "POST /step/\(requested)?rollover=true starts a new bar sequence"
        }
    }
}

/// What the HTTP server answers by itself (parse errors, limits, timeouts), in the contract's error body.
extension HTTPServerFailure: APIError {}
