import JSON
import OBFEngine
import OBFRecord

/// How `obf replay` writes each step.
public enum ReplayFormat: String, Sendable, CaseIterable {
    /// One JSON object per step: `{"bar","time","rollover","assets":{…},"macro":…}`, with
    /// `"resumed":{"last_bar":N|null}` after `rollover` on the first step after a (re)start.
    case jsonl
    /// A header, then one row per computed asset of each step (one row with an empty asset for
    /// a step that computed none).
    case csv
}

/// Renders replayed steps with the API's own feature shapes, so that keys and numbers are
/// those the trader was answered.
enum ReplayOutput {
    /// The CSV columns, in order.
    static let csvColumns = ["bar", "time", "rollover", "asset"] + AssetFeatures.columnNames + [
        "median_imbalance", "agreement_pct", "depth_pressure", "withdrawing_assets", "cascade_regime", "depth_velocity",
        "acceleration", "resumed_last_bar",
    ]

    static func header(_ format: ReplayFormat) -> [UInt8] {
        switch format {
        case .jsonl: []
        case .csv: Array((csvColumns.joined(separator: ",") + "\n").utf8)
        }
    }

    static func render(_ step: ReplayedStep, as format: ReplayFormat, into out: inout [UInt8]) {
        switch format {
        case .jsonl: jsonLine(step, into: &out)
        case .csv: csvRows(step, into: &out)
        }
    }

    private static func jsonLine(_ step: ReplayedStep, into out: inout [UInt8]) {
        let report = step.report
        var json = JSONWriter(capacity: 128 + report.computed.count * 400)
        json.beginObject()
        json.field("bar", report.bar)
        json.field("time", step.stored.answeredAt)
        json.field("rollover", step.stored.startedSequence)
        if let resumed = step.resumed {
            json.key("resumed")
            json.beginObject()
            json.field("last_bar", resumed.lastBar)
            json.endObject()
        }
        json.key("assets")
        json.beginObject()
        for item in report.computed {
            json.key(item.asset)
            json.beginObject()
            json.key("placement"); json.placement(item.features)
            json.key("signal"); json.signal(item.features)
            json.endObject()
        }
        json.endObject()
        json.key("macro")
        if let macro = report.macro { json.macro(macro) } else { json.null() }
        json.endObject()
        out.append(contentsOf: json.bytes)
        out.append(UInt8(ascii: "\n"))
    }

    private static func csvRows(_ step: ReplayedStep, into out: inout [UInt8]) {
        let report = step.report
        // Asset names are [A-Za-z0-9] (validated on the way in): no cell needs quoting.
        let prefix = Array("\(report.bar),".utf8) + number(step.stored.answeredAt)
            + Array(",\(step.stored.startedSequence),".utf8)
        var macroCells: [UInt8] = []
        if let macro = report.macro {
            for value in [macro.medianImbalance, macro.agreementPct, macro.depthPressure] {
                macroCells += [UInt8(ascii: ",")] + number(value)
            }
            macroCells += Array(",\(macro.withdrawingAssets),\(macro.cascadeRegime.rawValue),".utf8)
            macroCells += number(macro.depthVelocity) + [UInt8(ascii: ",")] + number(macro.acceleration)
        } else {
            macroCells = Array(String(repeating: ",", count: 7).utf8)
        }
        // After a (re)start: the newest bar the service's caches held, `none` when they were empty.
        macroCells += Array(",\(step.resumed.map { $0.lastBar.map(String.init) ?? "none" } ?? "")".utf8)
        guard !report.computed.isEmpty else {
            let emptyCells = Array(String(repeating: ",", count: AssetFeatures.columnNames.count).utf8)
            out += prefix + emptyCells + macroCells + [UInt8(ascii: "\n")]
            return
        }
        for (asset, features) in report.computed {
            out += prefix + Array(asset.utf8)
            for value in features.columns {
                out += [UInt8(ascii: ",")] + number(value)
            }
            out += macroCells + [UInt8(ascii: "\n")]
        }
    }

    /// A number as the API writes it (shortest form that reads back to the same double).
    private static func number(_ value: Double) -> [UInt8] {
        var json = JSONWriter(capacity: 24)
        json.double(value)
        return json.bytes
    }
}
