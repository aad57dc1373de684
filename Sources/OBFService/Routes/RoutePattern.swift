/// A path template of the API, such as `/features/{asset}/{bar}`: literal segments and named
/// parameters, each parameter one whole segment.
struct RoutePattern: Sendable {
    private enum Segment: Sendable {
        case literal(String)
        case parameter
    }

    /// The template as written; also the `route` label of the HTTP metrics.
    let template: String
    /// The parameter names, in path order.
    let parameterNames: [String]
    private let segments: [Segment]

    init(_ template: String) {
        self.template = template
        var names: [String] = []
        segments = template.split(separator: "/").map { part in
            guard part.first == "{", part.last == "}" else { return .literal(String(part)) }
            names.append(String(part.dropFirst().dropLast()))
            return .parameter
        }
        parameterNames = names
    }

    /// The parameter values when `parts` (a path split at `/`) fits the pattern, else nil.
    func match(_ parts: [Substring]) -> [Substring]? {
        guard parts.count == segments.count else { return nil }
        var values: [Substring] = []
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text): guard part == text else { return nil }
            case .parameter: values.append(part)
            }
        }
        return values
    }

    /// A path split into its segments: `/a/b` → `["a", "b"]`; empty segments are kept (they match nothing).
    static func segments(of path: String) -> [Substring] {
        path.utf8.first == UInt8(ascii: "/") ? path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) : []
    }
}
