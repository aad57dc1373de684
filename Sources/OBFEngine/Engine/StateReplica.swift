/// One new step, as a replica writes it: its report and the rolling state after it.
public struct ReplicatedStep: Sendable {
    public var report: StepReport
    public var rolling: RollingState
    /// The step began a new bar sequence (a rollover cleared the bars before it).
    public var startedSequence: Bool

    public init(report: StepReport, rolling: RollingState, startedSequence: Bool) {
        self.report = report
        self.rolling = rolling
        self.startedSequence = startedSequence
    }
}

/// A state the engine takes over from the shared copy.
public enum ReplicaAdoption: Sendable {
    /// The shared copy continues this engine's bars: these steps follow its last one, and the
    /// rolling state is the one after them.
    case continuation(reports: [StepReport], rolling: RollingState)
    /// Anything else: the whole state replaces the engine's.
    case whole(EngineState)
}

/// What the engine does before a step.
public enum ReplicaPreparation: Sendable {
    /// The engine holds what the shared copy holds.
    case current
    /// The shared copy is ahead (or this engine's local steps lost to a newer one): take it.
    case adopt(ReplicaAdoption)
    /// The shared copy lacks this engine's state (empty, unreadable, or behind after an outage):
    /// the engine writes all of it (`writeAll`).
    case writeAll
    /// The shared copy cannot be reached (or not used): the step goes on locally.
    case unavailable
}

/// How a commit of a step ended.
public enum ReplicaCommit: Sendable {
    /// Written: the step is in the shared copy.
    case committed
    /// Another replica's step came first: this state replaces the engine's, and the step is
    /// answered from it.
    case superseded(ReplicaAdoption)
    /// Not written (unreachable): the engine keeps its local step and reconciles later.
    case deferred
}

/// Where the engine's state is kept for other replicas (`--state-map`): every new step is
/// written there before it is answered, and a replica takes over a state that is ahead of it.
/// Calls come from the engine, one at a time (between or inside steps).
public protocol StateReplica: Sendable {
    /// Before a step (and at start-up): compares the shared copy with what this replica last
    /// wrote or took.
    func prepare() async -> ReplicaPreparation
    /// Writes a new step.
    func commit(_ step: ReplicatedStep) async -> ReplicaCommit
    /// Writes the whole state (after `prepare` answered `.writeAll`).
    func writeAll(_ state: EngineState, maxBars: Int) async -> ReplicaCommit
}
