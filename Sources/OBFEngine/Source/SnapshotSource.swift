/// What a source returned for one asset in one step.
public enum RawSnapshot: Sendable, Equatable {
    /// A JSON document, to be parsed and validated by the engine.
    case json([UInt8])
    /// An already structured snapshot (the mock source); still validated.
    case parsed(OrderBookSnapshot)
    /// A document the source has already decoded with `SnapshotDecoder` (a valid snapshot),
    /// or why it is not one (also for something it could not even read as JSON, such as a
    /// Hazelcast value of another type); taken as it is.
    case decoded(Result<OrderBookSnapshot, InvalidSnapshotReason>)
}

/// Which clock judges a snapshot's age (features.md §1, service.md `replay`).
public enum StalenessClock: Sendable, Equatable {
    /// The wall clock at the time of the read.
    case wall
    /// The newest timestamp among the valid snapshots served for the step.
    case newestSnapshot
    /// The ages a recorded step judged (`SourceRead.recordedAges`): a replay of the record.
    case recorded
}

/// When the service received a document, as a source that keeps documents between steps
/// (`--hz-read listen`) knows it: a step alone only knows it was there by the step's read.
public struct SnapshotArrival: Sendable, Equatable {
    /// Monotonic nanoseconds (`MonotonicTime`).
    public var at: UInt64
    /// True when the document arrived at `at` (an entry event); false when it arrived no later
    /// than `at` (a batched read found it already in the map).
    public var exact: Bool

    public init(at: UInt64, exact: Bool) {
        self.at = at
        self.exact = exact
    }
}

/// The result of one batched read. Assets absent from `snapshots` are missing.
public struct SourceRead: Sendable {
    public var snapshots: [String: RawSnapshot]
    public var clock: StalenessClock
    /// When documents arrived, for the assets whose source knows it (else the step's read dates them).
    public var arrivals: [String: SnapshotArrival]
    /// Assets the read found absent from the store (read, and not there); an asset missing for
    /// another reason (not read by the deadline) is not in it. A push found later arrived after
    /// this read.
    public var absent: Set<String>
    /// With the `recorded` clock: the judged age of each asset's valid book, in seconds.
    public var recordedAges: [String: Double]

    public init(snapshots: [String: RawSnapshot], clock: StalenessClock = .wall, arrivals: [String: SnapshotArrival] = [:],
                absent: Set<String> = [], recordedAges: [String: Double] = [:]) {
        self.snapshots = snapshots
        self.clock = clock
        self.arrivals = arrivals
        self.absent = absent
        self.recordedAges = recordedAges
    }
}

/// Connection facts a source reports for `/readyz` and the metrics.
public struct SourceStatus: Sendable, Equatable {
    public var connected: Bool
    public var reconnects: Int
    /// Why the source is not connected, when it is not.
    public var detail: String?

    public init(connected: Bool, reconnects: Int = 0, detail: String? = nil) {
        self.connected = connected
        self.reconnects = reconnects
        self.detail = detail
    }
}

/// Where the engine gets the newest snapshot of each asset for a step.
public protocol SnapshotSource: Sendable {
    /// A short name for logs: `mock`, `replay`, `hazelcast`.
    var name: String { get }
    /// Reads the newest snapshot of each asset for `bar`, in one batch.
    /// Must return by `deadline`, and promptly once cancelled (the engine cancels a read that
    /// overruns it); assets not read by then are left out (missing).
    func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant) async -> SourceRead
    /// `read`, recording each snapshot in `progress` as it is read, so that the engine can go on
    /// with those if the read overruns `deadline`. The default ignores `progress`.
    func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant, progress: ReadProgress) async -> SourceRead
    /// The current connection state.
    func status() -> SourceStatus
    /// Releases connections; later reads return nothing.
    func shutdown() async
}

extension SnapshotSource {
    public func read(assets: [String], bar: Int64, deadline: ContinuousClock.Instant, progress: ReadProgress) async -> SourceRead {
        await read(assets: assets, bar: bar, deadline: deadline)
    }
}
