import Locking

/// One asset's look-up result (features.md §5).
public struct FeatureLookup: Sendable, Equatable {
    public var asset: String
    public var bar: Int64
    public var servedBar: Int64?
    public var source: LookupSource
    public var features: AssetFeatures
}

/// The macro look-up result.
public struct MacroLookup: Sendable, Equatable {
    public var bar: Int64
    public var servedBar: Int64?
    public var source: LookupSource
    public var macro: MacroFeatures
}

/// A look-up with where it came from: the asset's slot (nil: not known) and the store's epoch
/// then, so that a reader keeping something derived from it (the service's rendered bytes)
/// knows when that is stale.
public struct SlotLookup: Sendable {
    public var lookup: FeatureLookup
    public var slot: Int?
    public var epoch: UInt64
}

/// Step bookkeeping readers need (readiness, metrics).
public struct StoreStatus: Sendable, Equatable {
    public var lastBar: Int64?
    public var emptyStreak: Int
    public var retainedBars: Int
}

/// The bar caches as the last finished step published them.
///
/// Readers (the HTTP `GET`s) and the engine share it through one lock that is held
/// only for a look-up or for publishing a computed step, never during a source read.
public final class FeatureStore: Sendable {
    struct State {
        var assets: AssetSlots
        var assetBars: [BarLog<AssetFeatures>] = []
        /// Bumped whenever published bars can change meaning (a rollover, a restored or taken-over
        /// state, a slot given to another asset): whatever a reader derived from an older epoch is stale.
        var epoch: UInt64 = 0
        var macroBars = BarLog<MacroFeatures>()
        var steppedBars = BarLog<Bool>()
        var lastReport: StepReport?
        var emptyStreak = 0
        var lastStepTime: Double?
        /// The bar of the last step: a step's report is kept until the next one or a rollover.
        var lastBar: Int64? { lastReport?.bar }

        /// Registers the assets of a step (see `AssetSlots`); a reused slot's bars are dropped.
        mutating func slots(forStep names: [String], pin: Bool) -> (slots: [Int?], recycled: [Int]) {
            let result = assets.slots(forStep: names, pin: pin)
            while assetBars.count < assets.count { assetBars.append(BarLog()) }
            for slot in result.recycled { assetBars[slot].removeAll() }
            if !result.recycled.isEmpty { epoch &+= 1 }
            return result
        }

        /// Evicts the oldest stepped bars, from every cache, until at most `maxBars` remain.
        mutating func trim(to maxBars: Int) {
            while steppedBars.count > maxBars, let oldest = steppedBars.oldestBar {
                steppedBars.evict(through: oldest)
                macroBars.evict(through: oldest)
                for slot in assetBars.indices { assetBars[slot].evict(through: oldest) }
            }
        }
    }

    let maxBars: Int
    let state: Locked<State>

    /// `knownAssets` (the configured ones) are registered at once and never forgotten; at most
    /// `maxAssets` assets are known at a time.
    public init(maxBars: Int, maxAssets: Int = EngineConfiguration.defaultMaxAssets, knownAssets: [String] = []) {
        self.maxBars = max(1, maxBars)
        state = Locked(State(assets: AssetSlots(capacity: maxAssets)))
        _ = slots(forStep: knownAssets, pin: true)
    }

    /// The slot of each asset of a step, registering the ones not seen before (and forgetting
    /// the least recently stepped assets when full); `recycled` slots held another asset.
    public func slots(forStep assets: [String], pin: Bool = false) -> (slots: [Int?], recycled: [Int]) {
        state.withLock { $0.slots(forStep: assets, pin: pin) }
    }

    /// Assets known now.
    public var assetCount: Int { state.withLock { $0.assets.count } }

    /// The known assets' names by slot.
    public var assetNames: [String] { state.withLock { $0.assets.names } }

    // MARK: reading

    /// The look-up of `(asset, bar)` (features.md §5), with the asset's slot and the store's epoch.
    public func lookup(asset: String, bar: Int64) -> SlotLookup {
        state.withLock { state in
            let slot = state.assets.slot(of: asset)
            return SlotLookup(lookup: Self.lookup(asset: asset, bar: bar, in: slot.map { state.assetBars[$0] }),
                              slot: slot, epoch: state.epoch)
        }
    }

    /// The look-up (sorted by name) of every asset that has something to say for `bar` (a
    /// retained bar at or below it), of every pinned (configured) asset whatever it has, and
    /// the macro look-up, taken under one lock.
    public func barLookup(bar: Int64, including pinned: Set<String> = []) -> (assets: [SlotLookup], macro: MacroLookup) {
        state.withLock { state in
            var assets: [SlotLookup] = []
            for slot in state.assets.slotsByName {
                let name = state.assets.names[slot]
                let lookup = Self.lookup(asset: name, bar: bar, in: state.assetBars[slot])
                guard lookup.source != .default || pinned.contains(name) else { continue }
                assets.append(SlotLookup(lookup: lookup, slot: slot, epoch: state.epoch))
            }
            return (assets, Self.macroLookup(bar: bar, in: state.macroBars))
        }
    }

    public func macroLookup(bar: Int64) -> MacroLookup {
        state.withLock { state in Self.macroLookup(bar: bar, in: state.macroBars) }
    }

    public func status() -> StoreStatus {
        state.withLock { state in
            StoreStatus(lastBar: state.lastBar, emptyStreak: state.emptyStreak, retainedBars: state.steppedBars.count)
        }
    }

    /// Unix seconds when the last step finished.
    public var lastStepTime: Double? { state.withLock { $0.lastStepTime } }

    /// The report of the last step, for an idempotent repeat.
    public var lastReport: StepReport? { state.withLock { $0.lastReport } }

    private static func lookup(asset: String, bar: Int64, in log: BarLog<AssetFeatures>?) -> FeatureLookup {
        guard let entry = log?.newest(atOrBelow: bar) else {
            return FeatureLookup(asset: asset, bar: bar, servedBar: nil, source: .default, features: .neutral)
        }
        return FeatureLookup(asset: asset, bar: bar, servedBar: entry.bar,
                             source: entry.bar == bar ? .live : .fallback, features: entry.value)
    }

    private static func macroLookup(bar: Int64, in log: BarLog<MacroFeatures>) -> MacroLookup {
        guard let entry = log.newest(atOrBelow: bar) else {
            return MacroLookup(bar: bar, servedBar: nil, source: .default, macro: .neutral)
        }
        return MacroLookup(bar: bar, servedBar: entry.bar, source: entry.bar == bar ? .live : .fallback,
                           macro: entry.value)
    }

    // MARK: publishing (the engine only)

    /// Publishes one finished step: its features, its macro entry and its report; evicts past `maxBars`.
    /// `slots` are those of `report.computed`, in its order (nil: an asset not held, skipped).
    func publish(report: StepReport, slots: [Int?], at time: Double) {
        state.withLock { state in
            for (item, slot) in zip(report.computed, slots) {
                if let slot { state.assetBars[slot].append(bar: report.bar, item.features) }
            }
            if let macro = report.macro { state.macroBars.append(bar: report.bar, macro) }
            state.steppedBars.append(bar: report.bar, true)
            state.trim(to: maxBars)
            state.lastReport = report
            state.emptyStreak = report.emptyStreak
            state.lastStepTime = time
        }
    }

    /// The bars, assets and bookkeeping as plain values, with `histories` (by slot) merged in.
    /// The conversion runs on a copy taken under the lock (the caches are copy-on-write), so
    /// the look-ups of concurrent `GET`s wait only for the copy.
    func export(histories: [AssetHistory], macro: MacroHistory, configuration: EngineConfiguration) -> EngineState {
        let state = self.state.withLock { $0 }
        let assets = state.assets.names.indices.map { slot in
            EngineState.Asset(
                name: state.assets.names[slot],
                history: slot < histories.count ? histories[slot] : AssetHistory(configuration: configuration),
                bars: state.assetBars[slot].entries)
        }
        return EngineState(
            imbalanceLookback: configuration.imbalanceLookback, depthLookback: configuration.depthLookback,
            assets: assets, macro: macro, macroBars: state.macroBars.entries, steppedBars: Array(state.steppedBars.heldBars),
            lastBar: state.lastBar, emptyStreak: state.emptyStreak, lastStepTime: state.lastStepTime,
            lastReport: state.lastReport)
    }

    /// Replaces everything with `saved` (at start-up, before any step); returns the histories by slot.
    func restore(_ saved: EngineState) -> [AssetHistory] {
        state.withLock { state in
            let epoch = state.epoch &+ 1
            state = State(assets: AssetSlots(capacity: state.assets.capacity))
            state.epoch = epoch
            // More saved assets than room (a smaller --max-assets): the first ones are kept.
            let kept = saved.assets.prefix(state.assets.capacity)
            let (slots, _) = state.slots(forStep: kept.map(\.name), pin: false)
            for (asset, slot) in zip(kept, slots) {
                guard let slot else { continue }
                for entry in asset.bars { state.assetBars[slot].append(bar: entry.bar, entry.value) }
            }
            for entry in saved.macroBars { state.macroBars.append(bar: entry.bar, entry.value) }
            for bar in saved.steppedBars { state.steppedBars.append(bar: bar, true) }
            // A smaller --max-bars than when the file was written: keep the newest.
            state.trim(to: maxBars)
            state.emptyStreak = saved.emptyStreak
            state.lastStepTime = saved.lastStepTime
            state.lastReport = saved.lastReport
            return kept.map(\.history)
        }
    }

    /// Sets the step bookkeeping (after taking over another replica's steps).
    func setBookkeeping(emptyStreak: Int, lastStepTime: Double?) {
        state.withLock { state in
            state.emptyStreak = emptyStreak
            state.lastStepTime = lastStepTime
        }
    }

    /// Clears every bar cache (a rollover); histories elsewhere are kept.
    func clearBars() {
        state.withLock { state in
            for slot in state.assetBars.indices { state.assetBars[slot].removeAll() }
            state.epoch &+= 1
            state.macroBars.removeAll()
            state.steppedBars.removeAll()
            state.lastReport = nil
        }
    }
}
