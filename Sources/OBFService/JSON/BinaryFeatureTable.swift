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
        let rowSize = JSONWriter.featureColumns.count * 8
        var body = [UInt8](repeating: 0x20, count: 8 + padded + report.computed.count * rowSize)
        body.withUnsafeMutableBytes { raw in
            raw.copyBytes(from: magic)
            raw.storeBytes(of: UInt32(truncatingIfNeeded: padded).littleEndian, toByteOffset: 4, as: UInt32.self)
            UnsafeMutableRawBufferPointer(rebasing: raw[8..<(8 + header.count)]).copyBytes(from: header)
            var offset = 8 + padded
            for item in report.computed {
                for value in item.features.tableRow {
                    let bits = (value.isFinite ? value : .nan).bitPattern.littleEndian
                    raw.storeBytes(of: bits, toByteOffset: offset, as: UInt64.self)
                    offset += 8
                }
            }
        }
        return body
    }
}

extension AssetFeatures {
    /// The numbers of a `feature_table` row, in the order of `JSONWriter.featureColumns`.
    var tableRow: [Double] {
        let values = columns
        return JSONWriter.featureTableOrder.map { values[$0] }
    }
}
