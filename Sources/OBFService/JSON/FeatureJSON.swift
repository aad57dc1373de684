import JSON
import OBFEngine

/// What `?include=` adds to a step's body.
enum StepInclusion: String {
    /// Every computed asset's features as objects.
    case features
    /// Every computed asset's features in one table of numbers (`feature_table`).
    case featureTable = "feature_table"
}

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

    /// `{asset?, bar, served_bar, source, placement, signal}`, copying the features' members
    /// when they were rendered already.
    mutating func lookup(_ rendered: RenderedLookup, includeAsset: Bool = true) {
        let lookup = rendered.lookup
        beginObject()
        if includeAsset { field("asset", lookup.asset) }
        field("bar", lookup.bar)
        field("served_bar", lookup.servedBar)
        field("source", lookup.source.rawValue)
        members(rendered.rendered ?? Self.featureMembers(lookup.features))
        endObject()
    }

    /// `"placement":{…},"signal":{…}`: the members a look-up body holds for `features` (kept
    /// rendered once per served bar by `RenderedFeatures`).
    static func featureMembers(_ features: AssetFeatures) -> [UInt8] {
        var json = JSONWriter(capacity: 360)
        json.beginObject()
        json.key("placement"); json.placement(features)
        json.key("signal"); json.signal(features)
        json.endObject()
        return Array(json.bytes.dropFirst().dropLast())
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

    /// The order of `feature_table`'s columns (openapi.yaml, read by the published clients): the
    /// features' own order (`AssetFeatures.columnNames`) but with `depth_asymmetry` after
    /// `imbalance_persistence`, as indices into it.
    static let featureTableOrder = [0, 1, 2, 3, 4, 6, 7, 5, 8]

    /// The column names of `feature_table`, in the order of each row.
    static let featureColumns = featureTableOrder.map { AssetFeatures.columnNames[$0] }

    /// One asset's features as a row in the order of `featureColumns`, inside an open array.
    mutating func featureRow(_ features: AssetFeatures) {
        for value in features.tableRow { double(value) }
    }

    /// `{columns, assets, values}`: the computed assets' features as one flat table, row after
    /// row (few objects to build for a client that parses it); without `values` when the
    /// numbers follow in binary (`BinaryFeatureTable`).
    mutating func featureTable(_ computed: [(asset: String, features: AssetFeatures)], values: Bool = true) {
        beginObject()
        key("columns"); beginArray(); for name in Self.featureColumns { string(name) }; endArray()
        key("assets"); beginArray(); for item in computed { string(item.asset) }; endArray()
        if values { key("values"); beginArray(); for item in computed { featureRow(item.features) }; endArray() }
        endObject()
    }

    /// The body of `POST /step/{bar}`; `tableValues` false leaves the table's numbers out.
    mutating func stepReport(_ report: StepReport, include: StepInclusion?, tableValues: Bool = true) {
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
        switch include {
        case nil:
            break
        case .featureTable:
            key("feature_table")
            featureTable(report.computed, values: tableValues)
        case .features:
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
