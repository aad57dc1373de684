/// One validated order-book snapshot of one asset (features.md §1).
///
/// `bidNotional`/`askNotional` hold USD notional per band, nearest band first;
/// both have the same length `L` (1…50). Depth arrays are validated but unused.
public struct OrderBookSnapshot: Sendable, Equatable {
    /// Unix seconds.
    public var timestamp: Double
    public var bidNotional: [Double]
    public var askNotional: [Double]
    public var bidDepth: [Double]?
    public var askDepth: [Double]?
    /// What the producer said of the write (`_push_seq`, `_pushed_at`), when the document said it:
    /// how freshness is judged without trusting the producer's clock (features.md §1).
    public var provenance: SnapshotProvenance

    public init(timestamp: Double, bidNotional: [Double], askNotional: [Double],
                bidDepth: [Double]? = nil, askDepth: [Double]? = nil, provenance: SnapshotProvenance = SnapshotProvenance()) {
        self.timestamp = timestamp
        self.provenance = provenance
        self.bidNotional = bidNotional
        self.askNotional = askNotional
        self.bidDepth = bidDepth
        self.askDepth = askDepth
    }
}

/// Why a snapshot was rejected. The raw value is the short reason used in logs.
public enum InvalidSnapshotReason: String, Sendable, Equatable, CaseIterable {
    case notJSON = "not valid JSON"
    case notObject = "not a JSON object"
    case missingTimestamp = "timestamp missing"
    case badTimestamp = "timestamp unparseable"
    case missingNotional = "notional array missing"
    case badArray = "array not a list of finite numbers >= 0"
    case lengthMismatch = "bid and ask arrays differ in length"
    case badLength = "band count outside 1...50"
    case badEncoding = "value is not a JSON string document"
    case tooLarge = "document larger than 1 MiB"
    case tooDeep = "JSON nested deeper than 64 levels"
    case duplicateField = "snapshot field given twice"
}

/// How one asset fared in one step.
public enum SnapshotOutcome: String, Sendable, Equatable, CaseIterable {
    case ok, missing, stale, invalid
}

/// What the producer says about when it wrote a document (`_push_seq`, `_pushed_at`), when it
/// says it: used to order two copies of one asset's document and to measure delivery lag.
public struct SnapshotProvenance: Sendable, Equatable {
    /// The producer's sequence number of the write.
    public var pushSequence: Int64?
    /// Unix seconds when the producer wrote it.
    public var pushedAt: Double?

    public init(pushSequence: Int64? = nil, pushedAt: Double? = nil) {
        self.pushSequence = pushSequence
        self.pushedAt = pushedAt
    }
}
