import OBFEngine

/// The JSON shapes of the API's feature bodies (names are part of the contract).
extension JSONWriter {
    mutating func placement(_ features: AssetFeatures) {
        beginObject()
        field("depth_1pct_usd", features.depth1pctUSD)
        field("depth_quality", features.depthQuality)
        field("fill_probability", features.fillProbability)
        field("spread_proxy_bps", features.spreadProxyBps)
        endObject()
    }

    mutating func signal(_ features: AssetFeatures) {
        beginObject()
        field("imbalance", features.imbalance)
        field("depth_asymmetry", features.depthAsymmetry)
        field("imbalance_ma5", features.imbalanceMA5)
        field("imbalance_persistence", features.imbalancePersistence)
        field("withdrawal_velocity", features.withdrawalVelocity)
        endObject()
    }

    mutating func macro(_ macro: MacroFeatures) {
        beginObject()
        field("median_imbalance", macro.medianImbalance)
        field("agreement_pct", macro.agreementPct)
        field("depth_pressure", macro.depthPressure)
        field("withdrawing_assets", macro.withdrawingAssets)
        field("cascade_regime", macro.cascadeRegime.rawValue)
        field("depth_velocity", macro.depthVelocity)
        field("acceleration", macro.acceleration)
        endObject()
    }

    /// `{asset?, bar, served_bar, source, placement, signal}`.
    mutating func lookup(_ lookup: FeatureLookup, includeAsset: Bool = true) {
        beginObject()
        if includeAsset { field("asset", lookup.asset) }
        field("bar", lookup.bar)
        field("served_bar", lookup.servedBar)
        field("source", lookup.source.rawValue)
        key("placement"); placement(lookup.features)
        key("signal"); signal(lookup.features)
        endObject()
    }

    /// `{bar, served_bar, source, macro}`.
    mutating func macroLookup(_ lookup: MacroLookup) {
        beginObject()
        field("bar", lookup.bar)
        field("served_bar", lookup.servedBar)
        field("source", lookup.source.rawValue)
        key("macro"); macro(lookup.macro)
        endObject()
    }

    /// The body of `POST /step/{bar}`.
    mutating func stepReport(_ report: StepReport, includeFeatures: Bool) {
        beginObject()
        field("bar", report.bar)
        field("replayed", report.replayed)
        field("requested", report.requested)
        field("computed", report.computed.count)
        key("skipped")
        beginObject()
        for item in report.skipped { field(item.asset, item.outcome.rawValue) }
        endObject()
        field("empty_streak", report.emptyStreak)
        field("duration_ms", report.durationMs)
        key("macro")
        if let macro = report.macro { self.macro(macro) } else { null() }
        if includeFeatures {
            key("features")
            beginObject()
            for item in report.computed {
                key(item.asset)
                beginObject()
                key("placement"); placement(item.features)
                key("signal"); signal(item.features)
                endObject()
            }
            endObject()
        }
        endObject()
    }
}
