import Foundation
import JSON
import OBFEngine

/// One line of a replay file: its bytes, and the snapshot decoded from them once at load.
public struct ReplayEntry: Sendable {
    public let line: [UInt8]
    public let snapshot: Result<OrderBookSnapshot, InvalidSnapshotReason>
}

/// A replay file loaded into memory: per asset, its snapshot documents by bar.
///
/// Each line is a snapshot document plus `"asset"` and `"bar"`. Lines that are not
/// JSON objects with a valid asset and a bar `≥ 0` are skipped and counted; a later
/// line for the same asset and bar replaces an earlier one (as a map keeps the last put).
/// Every kept line is decoded once, at load.
public struct ReplayFile: Sendable {
    public private(set) var documents: [String: BarLog<ReplayEntry>] = [:]
    /// The distinct bars of the file, ascending.
    public private(set) var bars: [Int64] = []
    /// The assets of the file, sorted.
    public private(set) var assets: [String] = []
    public private(set) var lineCount = 0
    /// Line numbers (1-based) of the lines that were skipped, with why.
    public private(set) var skippedLines: [(line: Int, reason: String)] = []

    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReplayFileError(path: path, reason: error.localizedDescription)
        }
        self.init(bytes: [UInt8](data))
    }

    public init(bytes: [UInt8]) {
        var byAsset: [String: [(bar: Int64, line: [UInt8])]] = [:]
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Array(rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine)
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            lineCount += 1
            guard case .success(let document) = JSONValue.parse(line), document.objectValue != nil else {
                skippedLines.append((lineNumber, "not a JSON object"))
                continue
            }
            guard let name = document["asset"]?.stringValue, let asset = AssetSymbol.normalized(name) else {
                skippedLines.append((lineNumber, "no valid \"asset\""))
                continue
            }
            guard let bar = document["bar"]?.int64Value, bar >= 0 else {
                skippedLines.append((lineNumber, "no integer \"bar\" >= 0"))
                continue
            }
            byAsset[asset, default: []].append((bar, line))
        }
        for (asset, lines) in byAsset {
            // A stable sort keeps file order within a bar, so the last line of a bar wins below.
            let sorted = lines.enumerated().sorted { ($0.element.bar, $0.offset) < ($1.element.bar, $1.offset) }
            var log = BarLog<ReplayEntry>()
            var index = 0
            while index < sorted.count {
                var last = index
                while last + 1 < sorted.count && sorted[last + 1].element.bar == sorted[index].element.bar { last += 1 }
                let line = sorted[last].element.line
                log.append(bar: sorted[last].element.bar, ReplayEntry(line: line, snapshot: SnapshotDecoder.decode(line)))
                index = last + 1
            }
            documents[asset] = log
        }
        bars = Set(byAsset.values.flatMap { $0.map(\.bar) }).sorted()
        assets = documents.keys.sorted()
    }
}

/// A replay file that cannot be read.
public struct ReplayFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot read replay file \(path): \(reason)" }
}

extension ReplayFile {
    /// The documents of the `tick`-th bar of the file (`nil` past the last), in the producer's format.
    /// A line that is not a valid snapshot is pushed as it is, so consumers see it as invalid.
    public func documents(forTick tick: Int64, restamp: Bool,
                          now: Double = Date().timeIntervalSince1970) -> [(asset: String, json: String)]? {
        guard tick >= 0, tick < Int64(bars.count) else { return nil }
        let bar = bars[Int(tick)]
        return assets.compactMap { asset in
            guard let entry = documents[asset]?.newest(atOrBelow: bar), entry.bar == bar else { return nil }
            switch entry.value.snapshot {
            case .success(var snapshot):
                if restamp { snapshot.timestamp = now }
                return (asset, ProducerDocument.json(snapshot, sequence: bar, asset: asset))
            case .failure:
                return (asset, String(decoding: entry.value.line, as: UTF8.self))
            }
        }
    }
}
