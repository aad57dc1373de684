import JSON
import OBFEngine

/// The producers' clock offsets by asset (producer's clock minus the service's, seconds) in the
/// state file and the replicated state: an optional `clock_offsets` object, so a restarted or
/// taking-over replica dates books it has not seen arrive as this one did (features.md §1).
/// Readers that predate it ignore it; a file without it carries none.
extension JSONWriter {
    package mutating func clockOffsetsField(_ offsets: [String: Double]) {
        key("clock_offsets")
        beginObject()
        for (asset, offset) in offsets.sorted(by: { $0.key < $1.key }) where offset.isFinite { field(asset, offset) }
        endObject()
    }
}

extension StateDocumentReader {
    package func clockOffsets(_ value: JSONValue?) throws(StateDocumentError) -> [String: Double] {
        guard let value, !value.isNull else { return [:] }
        guard let members = value.objectValue else { throw .corrupt("clock_offsets is not an object") }
        var offsets: [String: Double] = [:]
        for (asset, member) in members {
            guard AssetSymbol.isValid(asset) else { throw .corrupt("clock_offsets names an invalid asset") }
            let offset = try number(member, "clock_offsets")
            guard offset.isFinite else { throw .corrupt("clock_offsets holds a non-finite number") }
            offsets[asset] = offset
        }
        return offsets
    }
}
