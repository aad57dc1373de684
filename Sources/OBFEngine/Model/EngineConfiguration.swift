/// The constants of features.md §4 plus the engine's retention and staleness limits.
public struct EngineConfiguration: Sendable, Equatable {
    public var imbalanceLookback: Int = 10
    public var depthLookback: Int = 10
    public var cascadeThreshold: Double = 0.05
    public var referenceAlpha: Double = 0.01
    /// Retained bars, per asset and for macro.
    public var maxBars: Int = 500
    /// Seconds after which a valid snapshot counts as stale.
    public var maxSnapshotAge: Double = 10
    /// Seconds of producer clock offset (either way) past which the engine warns (`--max-clock-offset-s`).
    public var maxClockOffset: Double = 2
    /// Consecutive empty steps from which the engine warns and reports not ready.
    public var emptyStreakLimit: Int = 3
    /// Assets known at a time (`--max-assets`); past it the least recently stepped are forgotten.
    public var maxAssets: Int = EngineConfiguration.defaultMaxAssets
    public static let defaultMaxAssets = 10_000

    public init(imbalanceLookback: Int = 10, depthLookback: Int = 10, cascadeThreshold: Double = 0.05,
                referenceAlpha: Double = 0.01, maxBars: Int = 500, maxSnapshotAge: Double = 10,
                emptyStreakLimit: Int = 3) {
        self.imbalanceLookback = imbalanceLookback
        self.depthLookback = depthLookback
        self.cascadeThreshold = cascadeThreshold
        self.referenceAlpha = referenceAlpha
        self.maxBars = maxBars
        self.maxSnapshotAge = maxSnapshotAge
        self.emptyStreakLimit = emptyStreakLimit
    }
}
