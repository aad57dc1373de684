/// The synchronous heart of a step: updates the per-asset and macro histories
/// from the valid, fresh snapshots of one bar and returns that bar's features.
///
/// Assets are addressed by slot (an index the caller assigns once per asset), so a
/// step costs no dictionary look-ups beyond the caller's.
public struct FeatureCalculator: Sendable {
    public let configuration: EngineConfiguration
    public private(set) var assets: [AssetHistory] = []
    public private(set) var macro: MacroHistory

    public init(configuration: EngineConfiguration) {
        self.configuration = configuration
        macro = MacroHistory(configuration: configuration)
    }

    /// Restores saved state (warm restart).
    public init(configuration: EngineConfiguration, assets: [AssetHistory], macro: MacroHistory) {
        self.configuration = configuration
        self.assets = assets
        self.macro = macro
    }

    /// A slot no asset has: counts as an asset never seen.
    public static let unknownSlot = Int.max

    /// Forgets the history of `slot` (it now holds another asset).
    public mutating func reset(slot: Int) {
        guard slot < assets.count else { return }
        assets[slot] = AssetHistory(configuration: configuration)
    }

    /// Makes sure `slot` exists (new assets start with no history).
    public mutating func reserve(slots count: Int) {
        while assets.count < count { assets.append(AssetHistory(configuration: configuration)) }
    }

    /// Computes one asset's features and appends to its histories.
    public mutating func update(slot: Int, with snapshot: OrderBookSnapshot) -> AssetFeatures {
        reserve(slots: slot + 1)
        var bidTotal = 0.0, askTotal = 0.0
        for value in snapshot.bidNotional { bidTotal += value }
        for value in snapshot.askNotional { askTotal += value }
        let depth = bidTotal + askTotal
        let imbalance = FeatureKernels.imbalance(bidTotal: bidTotal, askTotal: askTotal)

        let reference = FeatureKernels.updatedReference(assets[slot].reference, depth: depth,
                                                        alpha: configuration.referenceAlpha)
        assets[slot].reference = reference
        assets[slot].imbalances.append(imbalance)
        assets[slot].depths.append(depth)

        let quality = FeatureKernels.depthQuality(depth: depth, reference: reference)
        let history = assets[slot]
        return AssetFeatures(
            depth1pctUSD: depth,
            depthQuality: quality,
            fillProbability: FeatureKernels.fillProbability(depthQuality: quality),
            spreadProxyBps: FeatureKernels.spreadProxyBps(bid: snapshot.bidNotional, ask: snapshot.askNotional),
            imbalance: imbalance,
            depthAsymmetry: FeatureKernels.depthAsymmetry(bidNearest: snapshot.bidNotional.first ?? 0,
                                                         askNearest: snapshot.askNotional.first ?? 0),
            imbalanceMA5: FeatureKernels.meanOfLast(5, of: history.imbalances),
            imbalancePersistence: FeatureKernels.persistence(lookback: configuration.imbalanceLookback,
                                                             of: history.imbalances),
            withdrawalVelocity: FeatureKernels.withdrawalVelocity(lookback: configuration.depthLookback,
                                                                  of: history.depths))
    }

    /// The macro features over this step's computed assets, or `nil` (state unchanged) when none.
    /// `requestedSlots` are all assets requested in the step: their mean reference feeds `M`.
    public mutating func macroStep(computed: [AssetFeatures], requestedSlots: [Int]) -> MacroFeatures? {
        guard !computed.isEmpty else { return nil }
        var imbalances = [Double]()
        imbalances.reserveCapacity(computed.count)
        var pressure = 0.0
        var withdrawing = 0
        for features in computed {
            imbalances.append(features.imbalance)
            pressure += features.imbalance
            if features.withdrawalVelocity < -configuration.cascadeThreshold { withdrawing += 1 }
        }
        let median = FeatureKernels.median(imbalances)

        var referenceSum = 0.0
        for slot in requestedSlots where slot < assets.count { referenceSum += assets[slot].reference ?? 0 }
        let meanReference = requestedSlots.isEmpty ? 0 : referenceSum / Double(requestedSlots.count)
        macro.meanReferences.append(meanReference)
        let velocity = FeatureKernels.withdrawalVelocity(lookback: configuration.depthLookback,
                                                         of: macro.meanReferences)
        let acceleration = macro.lastDepthVelocity.map { velocity - $0 } ?? 0
        macro.lastDepthVelocity = velocity

        return MacroFeatures(
            medianImbalance: median,
            agreementPct: FeatureKernels.agreementPct(imbalances, median: median),
            depthPressure: pressure,
            withdrawingAssets: withdrawing,
            cascadeRegime: FeatureKernels.cascadeRegime(withdrawing: withdrawing, of: computed.count),
            depthVelocity: velocity,
            acceleration: acceleration)
    }
}
