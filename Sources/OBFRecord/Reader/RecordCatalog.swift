import Foundation

/// The segments of one record directory, oldest first, with what each day's index says of the
/// closed ones (so that a replay of a range opens only the segments that overlap it).
public struct RecordCatalog: Sendable {
    /// One segment file and, when it is closed and indexed, its summary.
    public struct Entry: Sendable {
        public var path: String
        public var summary: SegmentSummary?
    }

    public var directory: String
    public var entries: [Entry]

    /// Lists `directory` (`DIR/YYYY-MM-DD/…`); throws when it is not a readable directory.
    public init(directory: String) throws(RecordFormatError) {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RecordFormatError("\(directory): not a record directory")
        }
        var entries: [Entry] = []
        for day in RecordFiles.list(directory) where day.count == 10 {
            let dayPath = "\(directory)/\(day)"
            let summaries = Self.index(of: dayPath)
            let names = RecordFiles.list(dayPath)
            let compressed = Set(names.filter { $0.hasSuffix(RecordLayout.compressedExtension) })
            for name in names {
                // A raw segment whose compressed copy was finished is the same segment.
                if name.hasSuffix(RecordLayout.rawExtension), compressed.contains(name + ".gz") { continue }
                guard name.hasSuffix(RecordLayout.rawExtension) || name.hasSuffix(RecordLayout.compressedExtension) else { continue }
                let key = name.hasSuffix(".gz") ? name : name + ".gz"
                entries.append(Entry(path: "\(dayPath)/\(name)", summary: summaries[key]))
            }
        }
        self.entries = entries
    }

    /// The summaries in `day/index.jsonl` by segment file name (an unreadable line is ignored:
    /// that segment is then read to learn its range).
    static func index(of day: String) -> [String: SegmentSummary] {
        guard let text = try? String(contentsOfFile: "\(day)/\(RecordLayout.indexName)", encoding: .utf8) else { return [:] }
        var summaries: [String: SegmentSummary] = [:]
        for line in text.split(separator: "\n") {
            if let summary = SegmentSummary(line: line) { summaries[summary.segment] = summary }
        }
        return summaries
    }
}
