/// The API's routes, matched from a raw path without allocation-heavy parsing.
enum Route: Equatable {
    case step(bar: Substring)
    case features(asset: Substring, bar: Substring)
    case macro(bar: Substring)
    case bars(bar: Substring)
    case metrics, healthz, readyz
    case unknown

    /// The template used as the `route` metric label (never the raw path).
    var template: String {
        switch self {
        case .step: "/step/{bar}"
        case .features: "/features/{asset}/{bar}"
        case .macro: "/macro/{bar}"
        case .bars: "/bars/{bar}"
        case .metrics: "/metrics"
        case .healthz: "/healthz"
        case .readyz: "/readyz"
        case .unknown: "unmatched"
        }
    }

    /// Every template, `unmatched` included.
    static let templates = [Route.step(bar: ""), .features(asset: "", bar: ""), .macro(bar: ""), .bars(bar: ""),
                            .metrics, .healthz, .readyz, .unknown].map(\.template)

    /// The methods the route accepts (for 405 and `Allow`).
    var allowedMethods: [String] {
        switch self {
        case .step: ["POST"]
        case .unknown: []
        default: ["GET", "HEAD"]
        }
    }

    init(path: String) {
        let parts = path.utf8.first == UInt8(ascii: "/")
            ? path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) : []
        switch (parts.count, parts.first) {
        case (2, "step"): self = .step(bar: parts[1])
        case (3, "features"): self = .features(asset: parts[1], bar: parts[2])
        case (2, "macro"): self = .macro(bar: parts[1])
        case (2, "bars"): self = .bars(bar: parts[1])
        case (1, "metrics"): self = .metrics
        case (1, "healthz"): self = .healthz
        case (1, "readyz"): self = .readyz
        default: self = .unknown
        }
    }
}
