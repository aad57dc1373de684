import JSON
import OBFEngine

/// The `application/octet-stream` answer of `POST /step/{bar}` (openapi.yaml, "BinaryStepReport"):
///
/// - bytes 0–3: `OBFT`;
/// - bytes 4–7: `H`, the header's length, a little-endian UInt32 and a multiple of 8;
/// - `H` bytes: the JSON body of `?include=feature_table` without `feature_table.values`,
///   padded with spaces;
/// - then the values: one row of `feature_table.columns.count` little-endian IEEE-754 doubles
///   per asset of `feature_table.assets`, in that order, row after row (NaN where the JSON form
///   writes `null`); nothing after them.
///
/// The client reads the numbers with one copy, and the server writes no number as text.
enum BinaryFeatureTable {
    static let mediaType = "application/octet-stream"
    static let magic = Array("OBFT".utf8)

    /// The whole body for `report`.
    static func body(_ report: StepReport) -> [UInt8] {
        var json = JSONWriter(capacity: 512 + report.computed.count * 24)
        json.stepReport(report, include: .featureTable, tableValues: false)
        let header = json.bytes
        let padded = (header.count + 7) / 8 * 8
        let columns = JSONWriter.featureColumns.count
        var body: [UInt8] = []
        body.reserveCapacity(8 + padded + report.computed.count * columns * 8)
        body.append(contentsOf: magic)
        appendLittleEndian(UInt32(truncatingIfNeeded: padded), to: &body)
        body.append(contentsOf: header)
        body.append(contentsOf: repeatElement(0x20, count: padded - header.count))
        for item in report.computed {
            for value in item.features.tableRow {
                appendLittleEndian(value.isFinite ? value.bitPattern : Double.nan.bitPattern, to: &body)
            }
        }
        return body
    }

    private static func appendLittleEndian<Word: FixedWidthInteger>(_ word: Word, to body: inout [UInt8]) {
        withUnsafeBytes(of: word.littleEndian) { body.append(contentsOf: $0) }
    }
}

extension AssetFeatures {
    /// The numbers of a `feature_table` row, in the order of `JSONWriter.featureColumns`.
    var tableRow: [Double] {
        [depth1pctUSD, depthQuality, fillProbability, spreadProxyBps, imbalance, imbalanceMA5, imbalancePersistence,
         depthAsymmetry, withdrawalVelocity]
    }
}
