import JSON

/// What a day's `index.jsonl` says of one closed segment: one JSON object per line.
public struct SegmentSummary: Sendable, Equatable {
    public var segment: String
    public var firstBar: Int64?
    public var lastBar: Int64?
    public var firstTime: Double?
    public var lastTime: Double?
    public var steps: Int
    public var bytes: Int
    public var tornTail: Bool

    public init(segment: String, firstBar: Int64?, lastBar: Int64?, firstTime: Double?, lastTime: Double?, steps: Int,
                bytes: Int, tornTail: Bool) {
        self.segment = segment
        self.firstBar = firstBar
        self.lastBar = lastBar
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.steps = steps
        self.bytes = bytes
        self.tornTail = tornTail
    }

    /// The summary a line of the index holds; nil for a line that is not one (its segment is
    /// then read to learn its range).
    init?(line: Substring) {
        guard case .success(let object) = JSONValue.parse(String(line)),
              let segment = object["segment"]?.stringValue, let steps = object["steps"]?.int64Value else { return nil }
        self.init(segment: segment, firstBar: object["first_bar"]?.int64Value, lastBar: object["last_bar"]?.int64Value,
                  firstTime: object["first_time"]?.doubleValue, lastTime: object["last_time"]?.doubleValue,
                  steps: Int(steps), bytes: Int(object["bytes"]?.int64Value ?? 0),
                  tornTail: object["torn_tail"]?.boolValue ?? false)
    }

    /// One line of the index (without its newline).
    var line: String {
        var json = JSONWriter(capacity: 200)
        json.beginObject()
        json.field("segment", segment)
        json.field("first_bar", firstBar)
        json.field("last_bar", lastBar)
        json.field("first_time", firstTime)
        json.field("last_time", lastTime)
        json.field("steps", steps)
        json.field("bytes", bytes)
        json.field("torn_tail", tornTail)
        json.endObject()
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
