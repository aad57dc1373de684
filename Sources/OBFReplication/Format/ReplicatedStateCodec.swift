import JSON
import OBFEngine
import OBFPersistence

/// The pointer to an engine's current replicated state: small, so that replicas compare and
/// set it at every step.
public struct ReplicatedHead: Sendable, Equatable {
    /// Counts the states written for the engine, each one more than the one it replaced.
    public var sequence: Int64
    /// The key of the rolling state (`ReplicatedRolling`).
    public var stateKey: String
    /// The last stepped bar, nil before the first step.
    public var lastBar: Int64?
    /// Who wrote it (a replica's random token, for logs).
    public var writer: String

    public init(sequence: Int64, stateKey: String, lastBar: Int64?, writer: String) {
        self.sequence = sequence
        self.stateKey = stateKey
        self.lastBar = lastBar
        self.writer = writer
    }
}

/// The rolling state as replicated, with the keys of the retained bars' reports.
public struct ReplicatedRolling: Sendable, Equatable {
    public struct Bar: Sendable, Equatable {
        public var bar: Int64
        public var key: String

        public init(bar: Int64, key: String) {
            self.bar = bar
            self.key = key
        }
    }

    public var sequence: Int64
    public var rolling: RollingState
    /// The retained bars, oldest first, each with the key of its report.
    public var bars: [Bar]

    public init(sequence: Int64, rolling: RollingState, bars: [Bar]) {
        self.sequence = sequence
        self.rolling = rolling
        self.bars = bars
    }
}

/// The JSON forms of the replicated state: the head, the rolling state and one report per bar.
/// Numbers are written in shortest round-trip form and read back exactly, as in the state file.
public enum ReplicatedStateCodec {
    /// Bumped whenever a layout changes; a replica never reads or overwrites a newer one.
    public static let formatVersion = 1
    static let headFormat = "obf-replicated-head"
    static let rollingFormat = "obf-replicated-state"
    static let barFormat = "obf-replicated-bar"

    // MARK: Head

    public static func encode(_ head: ReplicatedHead) -> [UInt8] {
        var json = JSONWriter(capacity: 160)
        json.beginObject()
        json.field("format", headFormat)
        json.field("version", formatVersion)
        json.field("sequence", head.sequence)
        json.field("state", head.stateKey)
        json.field("last_bar", head.lastBar)
        json.field("writer", head.writer)
        json.endObject()
        return json.bytes
    }

    private static func headDocument(_ bytes: [UInt8]) throws(StateDocumentError) -> ReplicatedHead {
        let root = try open(bytes, format: headFormat)
        let reader = StateDocumentReader()
        guard let key = root["state"]?.stringValue, !key.isEmpty else { throw .corrupt("head names no state") }
        let lastBar = try reader.optionalBar(root["last_bar"], "last_bar")
        return ReplicatedHead(sequence: try sequence(root), stateKey: key, lastBar: lastBar,
                              writer: root["writer"]?.stringValue ?? "")
    }

    // MARK: Rolling state

    public static func encode(_ state: ReplicatedRolling) -> [UInt8] {
        let rolling = state.rolling
        var json = JSONWriter(capacity: 1024 + rolling.assets.count * 480 + state.bars.count * 48)
        json.beginObject()
        json.field("format", rollingFormat)
        json.field("version", formatVersion)
        json.field("sequence", state.sequence)
        json.field("imbalance_lookback", rolling.imbalanceLookback)
        json.field("depth_lookback", rolling.depthLookback)
        json.field("max_bars", rolling.maxBars)
        json.field("empty_streak", rolling.emptyStreak)
        json.field("last_step_time", rolling.lastStepTime)
        json.key("macro")
        json.beginObject()
        json.macroHistoryFields(rolling.macro)
        json.endObject()
        json.key("assets")
        json.beginArray()
        for asset in rolling.assets {
            json.beginArray()
            json.string(asset.name)
            json.optionalDouble(asset.history.reference)
            json.numbers(Array(asset.history.imbalances))
            json.numbers(Array(asset.history.depths))
            json.endArray()
        }
        json.endArray()
        json.key("bars")
        json.beginArray()
        for bar in state.bars {
            json.beginArray(); json.int(bar.bar); json.string(bar.key); json.endArray()
        }
        json.endArray()
        json.clockOffsetsField(rolling.clockOffsets)
        json.endObject()
        return json.bytes
    }

    private static func rollingDocument(_ bytes: [UInt8]) throws(StateDocumentError) -> ReplicatedRolling {
        let reader = StateDocumentReader()
        let root = try open(bytes, format: rollingFormat)
        let (imbalanceLookback, depthLookback) = try reader.lookbacks(root)
        let macro = try reader.macroHistory(root["macro"], depthLookback: depthLookback)
        var assets: [RollingState.Asset] = []
        for item in try reader.array(root["assets"], "assets") {
            let parts = try reader.array(item, "assets")
            guard parts.count == 4, let name = parts[0].stringValue, AssetSymbol.isValid(name) else {
                throw .corrupt("an asset entry without a valid name")
            }
            let history = try reader.history(of: name, reference: parts[1], imbalances: parts[2], depths: parts[3],
                                             lookbacks: (imbalanceLookback, depthLookback))
            assets.append(RollingState.Asset(name: name, history: history))
        }
        guard Set(assets.map(\.name)).count == assets.count else { throw .corrupt("an asset appears twice") }
        var bars: [ReplicatedRolling.Bar] = []
        for item in try reader.array(root["bars"], "bars") {
            let parts = try reader.array(item, "bars")
            guard parts.count == 2, let key = parts[1].stringValue else { throw .corrupt("a bar entry without a key") }
            let bar = try reader.bar(parts[0], "bars")
            if let last = bars.last, last.bar >= bar { throw .corrupt("bars not in increasing order") }
            bars.append(.init(bar: bar, key: key))
        }
        let rolling = RollingState(
            imbalanceLookback: imbalanceLookback, depthLookback: depthLookback,
            maxBars: try reader.int(root["max_bars"], "max_bars"), assets: assets, macro: macro,
            emptyStreak: try reader.int(root["empty_streak"], "empty_streak"),
            lastStepTime: try reader.optionalNumber(root["last_step_time"], "last_step_time"),
            clockOffsets: try reader.clockOffsets(root["clock_offsets"]))
        return ReplicatedRolling(sequence: try sequence(root), rolling: rolling, bars: bars)
    }

    // MARK: One bar

    public static func encode(_ report: StepReport) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + report.computed.count * 220)
        json.beginObject()
        json.field("format", barFormat)
        json.field("version", formatVersion)
        json.key("report")
        EngineStateCodec.encode(report, into: &json)
        json.endObject()
        return json.bytes
    }

    private static func reportDocument(_ bytes: [UInt8]) throws(StateDocumentError) -> StepReport {
        let root = try open(bytes, format: barFormat)
        guard let report = try StateDocumentReader().report(root["report"]) else { throw .corrupt("a bar without its report") }
        return report
    }

    // MARK: Shared

    public static func decodeHead(_ bytes: [UInt8]) throws(ReplicatedStateError) -> ReplicatedHead {
        do throws(StateDocumentError) { return try headDocument(bytes) } catch { throw ReplicatedStateError(error) }
    }

    public static func decodeRolling(_ bytes: [UInt8]) throws(ReplicatedStateError) -> ReplicatedRolling {
        do throws(StateDocumentError) { return try rollingDocument(bytes) } catch { throw ReplicatedStateError(error) }
    }

    public static func decodeReport(_ bytes: [UInt8]) throws(ReplicatedStateError) -> StepReport {
        do throws(StateDocumentError) { return try reportDocument(bytes) } catch { throw ReplicatedStateError(error) }
    }


    private static func open(_ bytes: [UInt8], format: String) throws(StateDocumentError) -> JSONValue {
        try StateDocumentReader().document(bytes, format: format, version: formatVersion, describedAs: "an \(format) document")
    }

    private static func sequence(_ root: JSONValue) throws(StateDocumentError) -> Int64 {
        guard let sequence = root["sequence"]?.int64Value, sequence >= 1 else { throw .corrupt("no sequence number") }
        return sequence
    }
}
