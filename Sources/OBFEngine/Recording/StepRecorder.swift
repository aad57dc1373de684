/// Why a step's record carries a checkpoint: the step does not simply continue the one before it
/// in the same record segment.
public enum CheckpointReason: UInt8, Sendable, Equatable, CaseIterable {
    /// The first step of this process (with whatever state was loaded, or none).
    case start = 1
    /// A saved state was loaded into the engine (`restore`).
    case restored = 2
    /// The engine took over a state another replica wrote (`--state-map`).
    case takenOver = 3
    /// The step starts a new bar sequence.
    case rollover = 4
    /// The recorder asked for one: a new segment (a new hour or day, a full segment) or the first
    /// record after a gap.
    case requested = 5

    /// The word the record's readers print.
    public var name: String {
        switch self {
        case .start: "start"
        case .restored: "restored"
        case .takenOver: "taken over"
        case .rollover: "rollover"
        case .requested: "segment"
        }
    }
}

/// The engine state a step builds on, as a replay needs it to compute that step again.
public struct StepCheckpoint: Sendable, Equatable {
    public var reason: CheckpointReason
    public var rolling: RollingState
    /// The bar of the step before (nil when there was none or it was cleared).
    public var lastBar: Int64?

    public init(reason: CheckpointReason, rolling: RollingState, lastBar: Int64?) {
        self.reason = reason
        self.rolling = rolling
        self.lastBar = lastBar
    }
}

/// Everything one answered new step read and answered: what a recorder keeps of it.
public struct RecordedStep: Sendable {
    public var bar: Int64
    /// What the caller asked for (`?rollover=true`).
    public var rolloverRequested: Bool
    /// True when the step started a new bar sequence (the bar caches were cleared before it).
    public var startedSequence: Bool
    /// The requested assets, in request order.
    public var assets: [String]
    /// What the source returned, as it returned it (documents, absent assets).
    public var read: SourceRead
    /// True when the read was cut at the step deadline (assets not in `read` were not read in time).
    public var readCut: Bool
    /// The judged age in seconds of each requested asset's valid book (nil: no valid book), in request order.
    public var ages: [Double?]
    /// Unix seconds when the read finished (what the ages were judged at) and when the step was answered.
    public var readAt: Double
    public var answeredAt: Double
    /// The answer.
    public var report: StepReport
    /// The state the step built on, when the step does not simply continue the previous record.
    public var checkpoint: StepCheckpoint?

    public init(bar: Int64, rolloverRequested: Bool, startedSequence: Bool, assets: [String], read: SourceRead,
                readCut: Bool, ages: [Double?], readAt: Double, answeredAt: Double, report: StepReport,
                checkpoint: StepCheckpoint?) {
        self.bar = bar
        self.rolloverRequested = rolloverRequested
        self.startedSequence = startedSequence
        self.assets = assets
        self.read = read
        self.readCut = readCut
        self.ages = ages
        self.readAt = readAt
        self.answeredAt = answeredAt
        self.report = report
        self.checkpoint = checkpoint
    }
}

/// Where the engine hands every answered new step (`--record-dir`). The engine knows nothing of
/// how or where it is kept; an implementation must never block or fail the step.
public protocol StepRecorder: Sendable {
    /// True when the next step's record must carry a checkpoint (the recorder starts a new
    /// segment, or lost records); `now` is Unix seconds.
    func wantsCheckpoint(at now: Double) -> Bool
    /// Takes one answered step; returns at once (the writing happens elsewhere).
    func record(_ step: RecordedStep)
}
