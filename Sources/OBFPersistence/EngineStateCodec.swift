import JSON
import OBFEngine

/// The state file's JSON form. Numbers are written in shortest round-trip form and read
/// back exactly, so a restored engine computes bit-for-bit what an uninterrupted one would.
public enum EngineStateCodec {
    /// Bumped whenever the layout changes; a file of another version is not loaded.
    public static let formatVersion = 1
    static let formatName = "obf-engine-state"

    public static func encode(_ state: EngineState) -> [UInt8] {
        var json = JSONWriter(capacity: 4096 + state.assets.count * 64 * max(1, state.steppedBars.count))
        json.beginObject()
        json.field("format", formatName)
        json.field("version", formatVersion)
        json.field("imbalance_lookback", state.imbalanceLookback)
        json.field("depth_lookback", state.depthLookback)
        json.field("last_bar", state.lastBar)
        json.field("empty_streak", state.emptyStreak)
        json.field("last_step_time", state.lastStepTime)
        json.key("stepped_bars"); json.beginArray(); state.steppedBars.forEach { json.int($0) }; json.endArray()
        json.key("macro")
        json.beginObject()
        json.macroHistoryFields(state.macro)
        json.key("bars"); json.beginArray()
        for entry in state.macroBars { json.beginArray(); json.int(entry.bar); json.numbers(entry.value.numbers); json.endArray() }
        json.endArray()
        json.endObject()
        json.key("assets")
        json.beginArray()
        for asset in state.assets {
            json.beginObject()
            json.field("name", asset.name)
            json.field("reference", asset.history.reference)
            json.key("imbalances"); json.numbers(Array(asset.history.imbalances))
            json.key("depths"); json.numbers(Array(asset.history.depths))
            json.key("bars"); json.beginArray()
            for entry in asset.bars { json.beginArray(); json.int(entry.bar); json.numbers(entry.value.columns); json.endArray() }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.key("last_report")
        if let report = state.lastReport { encode(report, into: &json) } else { json.null() }
        json.clockOffsetsField(state.clockOffsets)
        json.endObject()
        return json.bytes
    }

    package static func encode(_ report: StepReport, into json: inout JSONWriter) {
        json.beginObject()
        json.field("bar", report.bar)
        json.field("requested", report.requested)
        json.field("empty_streak", report.emptyStreak)
        json.field("duration_ms", report.durationMs)
        json.key("computed"); json.beginArray()
        for item in report.computed { json.beginArray(); json.string(item.asset); json.numbers(item.features.columns); json.endArray() }
        json.endArray()
        json.key("skipped"); json.beginArray()
        for item in report.skipped { json.beginArray(); json.string(item.asset); json.string(item.outcome.rawValue); json.endArray() }
        json.endArray()
        json.key("macro")
        if let macro = report.macro { json.numbers(macro.numbers) } else { json.null() }
        json.endObject()
    }

    /// Decodes a state file; every inconsistency is an error naming what is wrong.
    public static func decode(_ bytes: [UInt8]) throws(StateFileError) -> EngineState {
        do throws(StateDocumentError) {
            return try decodeDocument(bytes)
        } catch {
            throw .invalid(error)
        }
    }

    private static func decodeDocument(_ bytes: [UInt8]) throws(StateDocumentError) -> EngineState {
        let reader = StateDocumentReader()
        let root = try reader.document(bytes, format: formatName, version: formatVersion,
                                       describedAs: "an obf engine state file")
        let (imbalanceLookback, depthLookback) = try reader.lookbacks(root)
        let macroValue = root["macro"]
        let macro = try reader.macroHistory(macroValue, depthLookback: depthLookback)
        let macroBars = try reader.entries(macroValue?["bars"], "macro.bars", MacroFeatures.init(numbers:))
        var assets: [EngineState.Asset] = []
        for item in try reader.array(root["assets"], "assets") {
            guard let name = item["name"]?.stringValue, AssetSymbol.isValid(name) else { throw .corrupt("an asset without a valid name") }
            let history = try reader.history(of: name, reference: item["reference"], imbalances: item["imbalances"],
                                             depths: item["depths"], lookbacks: (imbalanceLookback, depthLookback))
            assets.append(.init(name: name, history: history,
                                bars: try reader.entries(item["bars"], "\(name).bars", AssetFeatures.init(columns:))))
        }
        guard Set(assets.map(\.name)).count == assets.count else { throw .corrupt("an asset appears twice") }
        let stepped = try reader.array(root["stepped_bars"], "stepped_bars").map { value throws(StateDocumentError) in
            try reader.bar(value, "stepped_bars")
        }
        guard zip(stepped, stepped.dropFirst()).allSatisfy({ $0 < $1 }) else { throw .corrupt("stepped bars not increasing") }
        let lastBar = try reader.optionalBar(root["last_bar"], "last_bar")
        let lastReport = try reader.report(root["last_report"])
        guard lastBar == lastReport?.bar else { throw .corrupt("last_bar disagrees with last_report") }
        return EngineState(
            imbalanceLookback: imbalanceLookback, depthLookback: depthLookback, assets: assets, macro: macro,
            macroBars: macroBars, steppedBars: stepped, lastBar: lastBar,
            emptyStreak: try reader.int(root["empty_streak"], "empty_streak"),
            lastStepTime: try reader.optionalNumber(root["last_step_time"], "last_step_time"),
            lastReport: lastReport, clockOffsets: try reader.clockOffsets(root["clock_offsets"]))
    }
}

extension JSONWriter {
    /// The fields of the macro history, inside an object the caller opened.
    package mutating func macroHistoryFields(_ macro: MacroHistory) {
        key("mean_references"); numbers(Array(macro.meanReferences))
        field("last_depth_velocity", macro.lastDepthVelocity)
    }
}

extension MacroFeatures {
    package static let regimes: [CascadeRegime] = [.calm, .stress, .cascade]

    package var numbers: [Double] {
        [medianImbalance, agreementPct, depthPressure, Double(withdrawingAssets),
         Double(Self.regimes.firstIndex(of: cascadeRegime) ?? 0), depthVelocity, acceleration]
    }

    package init?(numbers n: [Double]) {
        guard n.count == 7, let withdrawing = Int(exactly: n[3]), let regime = Int(exactly: n[4]),
              Self.regimes.indices.contains(regime) else { return nil }
        self.init(medianImbalance: n[0], agreementPct: n[1], depthPressure: n[2], withdrawingAssets: withdrawing,
                  cascadeRegime: Self.regimes[regime], depthVelocity: n[5], acceleration: n[6])
    }
}

/// Typed reading of the state documents' JSON (the state file's and the replicated ones), each
/// failure naming the field.
package struct StateDocumentReader {
    package init() {}

    /// A document of `format` at `version`, parsed: what every codec checks first.
    package func document(_ bytes: [UInt8], format: String, version: Int, describedAs what: String)
        throws(StateDocumentError) -> JSONValue {
        guard case .success(let root) = JSONValue.parse(bytes, maxDepth: 16, maxBytes: Int.max) else {
            throw .corrupt("not valid JSON (truncated or damaged)")
        }
        guard root["format"]?.stringValue == format else { throw .corrupt("not \(what)") }
        guard let found = root["version"]?.int64Value else { throw .corrupt("no format version") }
        guard found == Int64(version) else { throw .unsupportedVersion(Int(found)) }
        return root
    }

    /// The imbalance and depth lookbacks of `root`, each at least 1.
    package func lookbacks(_ root: JSONValue) throws(StateDocumentError) -> (imbalance: Int, depth: Int) {
        let imbalance = try int(root["imbalance_lookback"], "imbalance_lookback")
        let depth = try int(root["depth_lookback"], "depth_lookback")
        guard imbalance >= 1, depth >= 1 else { throw .corrupt("lookbacks must be at least 1") }
        return (imbalance, depth)
    }

    /// Asset `name`'s histories from their three parts.
    package func history(of name: String, reference: JSONValue?, imbalances: JSONValue?, depths: JSONValue?,
                 lookbacks: (imbalance: Int, depth: Int)) throws(StateDocumentError) -> AssetHistory {
        AssetHistory(
            reference: try optionalNumber(reference, "\(name).reference"),
            imbalances: RollingWindow(capacity: lookbacks.imbalance, values: try numbers(imbalances, "\(name).imbalances")),
            depths: RollingWindow(capacity: lookbacks.depth, values: try numbers(depths, "\(name).depths")))
    }

    /// A bar, or nil for an absent or null value.
    package func optionalBar(_ value: JSONValue?, _ name: String) throws(StateDocumentError) -> Int64? {
        value?.isNull == false ? try bar(value, name) : nil
    }

    package func array(_ value: JSONValue?, _ name: String) throws(StateDocumentError) -> [JSONValue] {
        guard let array = value?.arrayValue else { throw .corrupt("\(name) is not a list") }
        return array
    }

    package func number(_ value: JSONValue?, _ name: String) throws(StateDocumentError) -> Double {
        guard let number = value?.doubleValue, number.isFinite else { throw .corrupt("\(name) is not a finite number") }
        return number
    }

    package func optionalNumber(_ value: JSONValue?, _ name: String) throws(StateDocumentError) -> Double? {
        if value?.isNull == true { return nil }
        return try number(value, name)
    }

    package func int(_ value: JSONValue?, _ name: String) throws(StateDocumentError) -> Int {
        guard let number = value?.int64Value, number >= 0, number <= Int64(Int32.max) else {
            throw .corrupt("\(name) is not a small whole number")
        }
        return Int(number)
    }

    package func bar(_ value: JSONValue?, _ name: String) throws(StateDocumentError) -> Int64 {
        guard let bar = value?.int64Value, bar >= 0, bar < (1 << 53) else { throw .corrupt("\(name) is not a bar") }
        return bar
    }

    package func numbers(_ value: JSONValue?, _ name: String) throws(StateDocumentError) -> [Double] {
        try array(value, name).map { item throws(StateDocumentError) in try number(item, name) }
    }

    /// The macro history written by `JSONWriter.macroHistoryFields`.
    package func macroHistory(_ value: JSONValue?, depthLookback: Int) throws(StateDocumentError) -> MacroHistory {
        MacroHistory(
            meanReferences: RollingWindow(capacity: depthLookback,
                                          values: try numbers(value?["mean_references"], "macro.mean_references")),
            lastDepthVelocity: try optionalNumber(value?["last_depth_velocity"], "macro.last_depth_velocity"))
    }

    package func entries<Value>(_ value: JSONValue?, _ name: String, _ make: ([Double]) -> Value?)
        throws(StateDocumentError) -> [BarEntry<Value>] {
        var entries: [BarEntry<Value>] = []
        for item in try array(value, name) {
            let parts = try array(item, name)
            guard let first = parts.first else { throw .corrupt("\(name) has an empty entry") }
            let bar = try bar(first, name)
            guard let value = make(try numbers(parts.count == 2 ? parts[1] : nil, name)) else {
                throw .corrupt("\(name) has an entry of the wrong size")
            }
            if let last = entries.last, last.bar >= bar { throw .corrupt("\(name) not in increasing bar order") }
            entries.append(BarEntry(bar: bar, value: value))
        }
        return entries
    }

    package func report(_ value: JSONValue?) throws(StateDocumentError) -> StepReport? {
        guard let value, !value.isNull else { return nil }
        var computed: [(asset: String, features: AssetFeatures)] = []
        for item in try array(value["computed"], "last_report.computed") {
            guard let asset = item[0]?.stringValue,
                  let features = AssetFeatures(columns: try numbers(item[1], "last_report.computed")) else {
                throw .corrupt("last_report.computed has a bad entry")
            }
            computed.append((asset, features))
        }
        var skipped: [(asset: String, outcome: SnapshotOutcome)] = []
        for item in try array(value["skipped"], "last_report.skipped") {
            guard let asset = item[0]?.stringValue, let outcome = item[1]?.stringValue.flatMap(SnapshotOutcome.init(rawValue:))
            else { throw .corrupt("last_report.skipped has a bad entry") }
            skipped.append((asset, outcome))
        }
        let macro: MacroFeatures?
        if value["macro"]?.isNull == true {
            macro = nil
        } else {
            guard let decoded = MacroFeatures(numbers: try numbers(value["macro"], "last_report.macro")) else {
                throw .corrupt("last_report.macro has the wrong size")
            }
            macro = decoded
        }
        return StepReport(bar: try bar(value["bar"], "last_report.bar"), replayed: false,
                          requested: try int(value["requested"], "last_report.requested"), computed: computed,
                          skipped: skipped, emptyStreak: try int(value["empty_streak"], "last_report.empty_streak"),
                          durationMs: try number(value["duration_ms"], "last_report.duration_ms"), macro: macro)
    }
}
