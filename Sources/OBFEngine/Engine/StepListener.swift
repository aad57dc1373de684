/// Why a step's record carries a checkpoint: the step does not simply continue the one before it
/// in the same record segment.
public enum CheckpointReason: UInt8, Sendable, Equatable {
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

/// One new step as the engine published it: what it read, how it judged each book, what it
/// answered, and the state it built on when it does not simply continue the step before. This is
/// all that the metrics, the state file and the record see of a step.
public struct PublishedStep: Sendable {
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
    /// How long the source read took, in seconds.
    public var readSeconds: Double
    /// The judged age in seconds of each requested asset's valid book (nil: no valid book), in request order.
    public var ages: [Double?]
    /// Counts by outcome, for every requested asset.
    public var outcomes: [SnapshotOutcome: Int]
    /// The producers' clock offsets (the judged ages are `ages`).
    public var clock: ClockObservation
    /// Unix seconds when the read finished (what the ages were judged at) and when the step was answered.
    public var readAt: Double
    public var answeredAt: Double
    /// The answer.
    public var report: StepReport
    /// Bars held in the caches after the step.
    public var retainedBars: Int
    /// The state the step built on, when a listener takes checkpoints and the step does not simply
    /// continue the one before.
    public var checkpoint: StepCheckpoint?
}

/// What sees every new step after the engine published it and before it is answered: the
/// service's metrics, its state file, the step record. The engine knows nothing of what they
/// keep or where; a listener is called on the engine actor, so it must never block or fail the
/// step (it hands any work elsewhere). Idempotent repeats and steps another replica superseded
/// are not new steps and are not heard.
public protocol StepListener: Sendable {
    /// True for a listener that keeps whole histories and so needs checkpoints (the record).
    var takesCheckpoints: Bool { get }
    /// True when the next step must carry a checkpoint (a new record segment, or lost records);
    /// `now` is Unix seconds.
    func wantsCheckpoint(at now: Double) -> Bool
    /// Takes one new step; returns at once.
    func stepPublished(_ step: PublishedStep)
}

extension StepListener {
    public var takesCheckpoints: Bool { false }
    public func wantsCheckpoint(at now: Double) -> Bool { false }
}
