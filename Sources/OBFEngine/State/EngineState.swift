/// Everything the engine keeps across steps, as plain values: what a state file holds.
public struct EngineState: Sendable, Equatable {
    /// One asset's rolling state and retained bars.
    public struct Asset: Sendable, Equatable {
        public var name: String
        public var history: AssetHistory
        public var bars: [BarEntry<AssetFeatures>]

        public init(name: String, history: AssetHistory, bars: [BarEntry<AssetFeatures>]) {
            self.name = name
            self.history = history
            self.bars = bars
        }
    }

    public var imbalanceLookback: Int
    public var depthLookback: Int
    public var assets: [Asset]
    public var macro: MacroHistory
    public var macroBars: [BarEntry<MacroFeatures>]
    public var steppedBars: [Int64]
    public var lastBar: Int64?
    public var emptyStreak: Int
    public var lastStepTime: Double?
    /// The last step's report, so a repeat of that bar after a restart is still idempotent.
    public var lastReport: StepReport?
    /// The producers' estimated clock offsets by asset (seconds, producer minus service).
    public var clockOffsets: [String: Double] = [:]

    public init(imbalanceLookback: Int, depthLookback: Int, assets: [Asset], macro: MacroHistory,
                macroBars: [BarEntry<MacroFeatures>], steppedBars: [Int64], lastBar: Int64?, emptyStreak: Int,
                lastStepTime: Double?, lastReport: StepReport?, clockOffsets: [String: Double] = [:]) {
        self.imbalanceLookback = imbalanceLookback
        self.depthLookback = depthLookback
        self.assets = assets
        self.macro = macro
        self.macroBars = macroBars
        self.steppedBars = steppedBars
        self.lastBar = lastBar
        self.emptyStreak = emptyStreak
        self.lastStepTime = lastStepTime
        self.lastReport = lastReport
        self.clockOffsets = clockOffsets
    }
}

/// A value stored for one bar.
public struct BarEntry<Value: Sendable & Equatable>: Sendable, Equatable {
    public var bar: Int64
    public var value: Value

    public init(bar: Int64, value: Value) {
        self.bar = bar
        self.value = value
    }
}
