import OBFEngine

/// What a step read for one asset, as the record keeps it.
public enum StoredDocument: Sendable, Equatable {
    /// Not read: the read was cut at the step deadline, or the asset's member did not answer.
    case notRead
    /// Read, and not in the map.
    case absent
    /// The document's bytes as read.
    case json([UInt8])
    /// A book the source had already decoded (the live view) or built (the mock source: `parsed`).
    case book(OrderBookSnapshot, parsed: Bool)
    /// A document the source had already found invalid, with why (its bytes were not kept).
    case invalid(InvalidSnapshotReason)
}

/// One recorded step: what it read for each requested asset, when, and the digest of its answer.
public struct StoredStep: Sendable {
    public var bar: Int64
    public var rolloverRequested: Bool
    public var startedSequence: Bool
    public var readCut: Bool
    public var readAt: Double
    public var answeredAt: Double
    public var durationMs: Double
    public var emptyStreak: Int
    public var computed: Int
    public var digest: UInt64
    public var assets: [String]
    public var documents: [StoredDocument]
    /// The judged age of each asset's valid book (nil: none).
    public var ages: [Double?]

    /// The read as the source returned it, with the recorded ages as its clock.
    public var sourceRead: SourceRead {
        var snapshots: [String: RawSnapshot] = [:]
        snapshots.reserveCapacity(assets.count)
        var absent: Set<String> = []
        var ages: [String: Double] = [:]
        ages.reserveCapacity(assets.count)
        for index in assets.indices {
            let asset = assets[index]
            switch documents[index] {
            case .notRead: continue
            case .absent: absent.insert(asset)
            case .json(let bytes): snapshots[asset] = .json(bytes)
            case .book(let book, let parsed): snapshots[asset] = parsed ? .parsed(book) : .decoded(.success(book))
            case .invalid(let reason): snapshots[asset] = .decoded(.failure(reason))
            }
            if let age = self.ages[index] { ages[asset] = age }
        }
        return SourceRead(snapshots: snapshots, clock: .recorded, absent: absent, recordedAges: ages)
    }
}
