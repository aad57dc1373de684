import JSON
import OBFEngine
import OBFHTTP

/// The optional body of `POST /step/{bar}`: `{"assets": ["BTCUSDT", ...]}`.
enum StepBody {
    /// The assets named in the body (upper-cased, duplicates dropped, order kept), or `nil` without a body.
    static func assets(from request: HTTPRequest, limit: Int) throws(RequestRejection) -> [String]? {
        guard !request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return nil }
        let contentType = request.headers["Content-Type"]?.lowercased() ?? ""
        guard contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) == "application/json"
        else {
            throw RequestRejection(status: 415, code: "unsupported_media_type",
                                   message: "the step body must be application/json")
        }
        guard case .success(let document) = JSONValue.parse(request.body) else {
            throw .badRequest("invalid_body", "the step body is not valid JSON")
        }
        guard let object = document.objectValue else {
            throw .badRequest("invalid_body", #"the step body must be an object like {"assets": ["BTCUSDT"]}"#)
        }
        if let unknown = object.keys.first(where: { $0 != "assets" }) {
            throw .badRequest("invalid_body", "unknown field '\(unknown.prefix(40))' in the step body")
        }
        guard let list = object["assets"]?.arrayValue else {
            throw .badRequest("invalid_body", "'assets' must be an array of asset names")
        }
        guard !list.isEmpty else { throw .badRequest("invalid_body", "'assets' must not be empty") }
        guard list.count <= limit else {
            throw .badRequest("invalid_body", "'assets' names \(list.count) assets; at most \(limit) are allowed")
        }
        var seen = Set<String>()
        var assets: [String] = []
        assets.reserveCapacity(list.count)
        for item in list {
            guard let name = item.stringValue, let asset = AssetSymbol.normalized(name) else {
                throw .badRequest("invalid_asset", "every asset must be a string matching ^[A-Za-z0-9]{1,32}$")
            }
            if seen.insert(asset).inserted { assets.append(asset) }
        }
        return assets
    }
}
