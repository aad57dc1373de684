/// The engine's rolling state without its retained bars: what changes at every step besides
/// the step's own features.
public struct RollingState: Sendable, Equatable {
    /// One asset's name and histories.
    public struct Asset: Sendable, Equatable {
        public var name: String
        public var history: AssetHistory

        public init(name: String, history: AssetHistory) {
            self.name = name
            self.history = history
        }
    }

    public var imbalanceLookback: Int
    public var depthLookback: Int
    public var maxBars: Int
    public var assets: [Asset]
    public var macro: MacroHistory
    public var emptyStreak: Int
    public var lastStepTime: Double?
    /// The producers' estimated clock offsets by asset (seconds, producer minus service).
    public var clockOffsets: [String: Double]

    public init(imbalanceLookback: Int, depthLookback: Int, maxBars: Int, assets: [Asset], macro: MacroHistory,
                emptyStreak: Int, lastStepTime: Double?, clockOffsets: [String: Double] = [:]) {
        self.clockOffsets = clockOffsets
        self.imbalanceLookback = imbalanceLookback
        self.depthLookback = depthLookback
        self.maxBars = maxBars
        self.assets = assets
        self.macro = macro
        self.emptyStreak = emptyStreak
        self.lastStepTime = lastStepTime
    }
}

extension EngineState {
    /// The state of an engine whose rolling part is `rolling` and whose retained bars are those
    /// of `reports` (oldest first; the last one is the last step's): each computed asset's
    /// features and the macro features under the report's bar, as the engine publishes them.
    /// Bars of assets `rolling` does not hold are left out (the engine forgot those assets).
    public init(rolling: RollingState, reports: [StepReport]) {
        var bars: [String: [BarEntry<AssetFeatures>]] = [:]
        var macroBars: [BarEntry<MacroFeatures>] = []
        for report in reports {
            for item in report.computed { bars[item.asset, default: []].append(BarEntry(bar: report.bar, value: item.features)) }
            if let macro = report.macro { macroBars.append(BarEntry(bar: report.bar, value: macro)) }
        }
        self.init(
            imbalanceLookback: rolling.imbalanceLookback, depthLookback: rolling.depthLookback,
            assets: rolling.assets.map { Asset(name: $0.name, history: $0.history, bars: bars[$0.name] ?? []) },
            macro: rolling.macro, macroBars: macroBars, steppedBars: reports.map(\.bar), lastBar: reports.last?.bar,
            emptyStreak: rolling.emptyStreak, lastStepTime: rolling.lastStepTime, lastReport: reports.last,
            clockOffsets: rolling.clockOffsets)
    }

    /// The inverse of `init(rolling:reports:)`'s reports: one report per retained bar, oldest
    /// first; the last is the last step's own.
    public var retainedReports: [StepReport] {
        var computed: [Int64: [(asset: String, features: AssetFeatures)]] = [:]
        for asset in assets {
            for entry in asset.bars { computed[entry.bar, default: []].append((asset.name, entry.value)) }
        }
        var macros: [Int64: MacroFeatures] = [:]
        for entry in macroBars { macros[entry.bar] = entry.value }
        return steppedBars.map { bar in
            if let last = lastReport, last.bar == bar { return last }
            let items = computed[bar] ?? []
            return StepReport(bar: bar, replayed: false, requested: items.count, computed: items, skipped: [],
                              emptyStreak: 0, durationMs: 0, macro: macros[bar])
        }
    }
}

extension RollingState {
    /// The rolling part of `state` (its histories and bookkeeping), keeping at most `maxBars` bars.
    public init(_ state: EngineState, maxBars: Int) {
        self.init(imbalanceLookback: state.imbalanceLookback, depthLookback: state.depthLookback, maxBars: maxBars,
                  assets: state.assets.map { Asset(name: $0.name, history: $0.history) }, macro: state.macro,
                  emptyStreak: state.emptyStreak, lastStepTime: state.lastStepTime, clockOffsets: state.clockOffsets)
    }
}
