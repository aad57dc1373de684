// The service tests reach the HTTP test client through this module, as they always have.
@_exported import HTTPTestClient
import JSON

extension TestHTTPResponse {
    /// The body as JSON, or `.null` when it is not JSON.
    public var json: JSONValue { (try? JSONValue.parse(body).get()) ?? .null }
}
