/// What one step did: the body of `POST /step/{bar}`.
public struct StepReport: Sendable, Equatable {
    public var bar: Int64
    public var replayed: Bool
    public var requested: Int
    /// The computed assets with their features, in request order.
    public var computed: [(asset: String, features: AssetFeatures)]
    /// The skipped assets with the reason, in request order.
    public var skipped: [(asset: String, outcome: SnapshotOutcome)]
    public var emptyStreak: Int
    public var durationMs: Double
    public var macro: MacroFeatures?

    public init(bar: Int64, replayed: Bool, requested: Int, computed: [(asset: String, features: AssetFeatures)],
                skipped: [(asset: String, outcome: SnapshotOutcome)], emptyStreak: Int, durationMs: Double,
                macro: MacroFeatures?) {
        self.bar = bar
        self.replayed = replayed
        self.requested = requested
        self.computed = computed
        self.skipped = skipped
        self.emptyStreak = emptyStreak
        self.durationMs = durationMs
        self.macro = macro
    }

    public static func == (lhs: StepReport, rhs: StepReport) -> Bool {
        lhs.bar == rhs.bar && lhs.replayed == rhs.replayed && lhs.requested == rhs.requested
            && lhs.computed.map(\.asset) == rhs.computed.map(\.asset)
            && lhs.computed.map(\.features) == rhs.computed.map(\.features)
            && lhs.skipped.map(\.asset) == rhs.skipped.map(\.asset)
            && lhs.skipped.map(\.outcome) == rhs.skipped.map(\.outcome)
            && lhs.emptyStreak == rhs.emptyStreak && lhs.durationMs == rhs.durationMs && lhs.macro == rhs.macro
    }
}
