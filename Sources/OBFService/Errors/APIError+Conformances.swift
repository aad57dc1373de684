import OBFEngine
import OBFHTTP

/// A lower bar without `rollover=true`: 409, with how to start a new sequence. A step cancelled
/// before it began (its connection closed, or the server stopped waiting): 503.
extension StepError: APIError {
    var status: Int {
        switch self {
        case .barRegression: 409
        case .cancelled: 503
        }
    }

    var code: String {
        switch self {
        case .barRegression: "bar_regression"
        case .cancelled: "step_cancelled"
        }
    }

    var message: String {
        switch self {
        case .barRegression(let requested, let last):
            "bar \(requested) is below the last stepped bar \(last); "
                + "POST /step/\(requested)?rollover=true starts a new bar sequence"
        case .cancelled:
            "the step was cancelled before it began; nothing was computed"
        }
    }
}

/// What the HTTP server answers by itself (parse errors, limits, timeouts), in the contract's error body.
extension HTTPRequestRefusal: APIError {}
