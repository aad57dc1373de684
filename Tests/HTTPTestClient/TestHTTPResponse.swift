import Foundation

/// A response as `TestHTTPClient` read it off the wire.
public struct TestHTTPResponse: Sendable {
    public var status: Int
    /// The header fields in the order received, with their names as sent.
    public var fields: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, fields: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.fields = fields
        self.body = body
    }

    /// Parses a response head: the status line and the header fields, without the blank line.
    init(head: String) throws {
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw TestHTTPClientError(description: "bad status line: \(statusLine)")
        }
        var fields: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw TestHTTPClientError(description: "bad header: \(line)") }
            fields.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        self.init(status: status, fields: fields, body: [])
    }

    /// The header fields by lower-cased name; of a repeated field, the last.
    public var headers: [String: String] {
        Dictionary(fields.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
    }

    /// The value of the first field named `name`, in any case.
    public func header(_ name: String) -> String? {
        fields.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// How many fields are named `name`, in any case.
    public func headerCount(_ name: String) -> Int {
        fields.count { $0.name.lowercased() == name.lowercased() }
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// 1xx, 204 and 304 responses end with their head (RFC 9110 6.4.1).
    var hasBody: Bool {
        status >= 200 && status != 204 && status != 304
    }
}
