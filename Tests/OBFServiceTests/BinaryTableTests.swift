import Foundation
import JSON
import OBFEngine
@testable import OBFService
import OBFTestSupport
import Testing

/// The binary form of a step's answer (`Accept: application/octet-stream`), over a real socket:
/// its layout, its doubles against the JSON table's, and when it is chosen.
@Suite struct BinaryTableTests {
    static let binary = [("Accept", "application/octet-stream")]

    func feed(_ source: ScriptedSource, _ assets: [String], scale: Double) {
        for (index, asset) in assets.enumerated() {
            let bid = [500_000.0, 400_000, 300_000, 200_000, 100_000].map { $0 * scale * Double(index + 1) }
            source.setBook(asset, bid: bid, ask: [450_000.0, 350_000, 250_000, 150_000, 50_000])
        }
    }

    /// The header's JSON and the doubles of a binary answer, checking the layout on the way.
    func decode(_ body: [UInt8]) throws -> (header: JSONValue, values: [Double]) {
        #expect(Array(body.prefix(4)) == Array("OBFT".utf8))
        let length = body[4..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(length % 8 == 0 && 8 + length <= body.count)
        let header = try JSONValue.parse(Array(body[8..<(8 + length)])).get()
        let doubles = body[(8 + length)...]
        #expect(doubles.count % 8 == 0)
        let values = stride(from: doubles.startIndex, to: doubles.endIndex, by: 8).map { start in
            Double(bitPattern: doubles[start..<(start + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) })
        }
        return (header, values)
    }

    @Test func theBinaryTableCarriesTheDoublesOfTheJSONTable() async throws {
        let source = ScriptedSource()
        let assets = ["BTCUSDT", "ETHUSDT", "SOLUSDT"]
        try await RunningService.with(source: source, assets: assets) { running in
            let client = try running.client()
            for bar in 1...4 {
                feed(source, assets, scale: 1 + Double(bar) / 10)
                let answer = try await client.request("POST", "/step/\(bar)", headers: Self.binary)
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type") == "application/octet-stream")
                let (header, values) = try decode(answer.body)
                // The same step as JSON (a replay of the stored one).
                let json = try await client.request("POST", "/step/\(bar)?include=feature_table").json
                let table = json["feature_table"]
                #expect(header["feature_table"]?["columns"] == table?["columns"])
                #expect(header["feature_table"]?["assets"] == table?["assets"])
                #expect(header["feature_table"]?["values"] == nil)
                #expect(values == table?["values"]?.arrayValue?.compactMap(\.doubleValue))
                #expect(values.count == 27)
                for name in ["bar", "requested", "computed", "skipped", "empty_streak", "macro"] {
                    #expect(header[name] == json[name], "\(name)")
                }
                #expect(header["replayed"]?.boolValue == false && json["replayed"]?.boolValue == true)
            }
        }
    }

    @Test func aStepWithoutBooksHasNoRows() async throws {
        try await RunningService.with(source: ScriptedSource(), assets: ["BTCUSDT"]) { running in
            let answer = try await running.client().request("POST", "/step/1", headers: Self.binary)
            let (header, values) = try decode(answer.body)
            #expect(values.isEmpty && header["computed"]?.int64Value == 0)
            #expect(header["feature_table"]?["assets"]?.arrayValue?.isEmpty == true)
            #expect(header["skipped"]?["BTCUSDT"]?.stringValue == "missing")
        }
    }

    @Test func theAcceptFieldsChooseTheForm() async throws {
        let source = ScriptedSource()
        feed(source, ["BTCUSDT"], scale: 1)
        try await RunningService.with(source: source, assets: ["BTCUSDT"]) { running in
            let client = try running.client()
            let cases: [(accept: String?, binary: Bool)] = [
                (nil, false), ("*/*", false), ("application/json", false), ("text/html", false),
                ("application/octet-stream", true), ("APPLICATION/Octet-Stream", true),
                ("application/json;q=0.5, application/octet-stream", true),
                ("application/json, application/octet-stream;q=0.9", false),
                ("application/*;q=0.2, application/octet-stream;q=0.3", true),
                ("*/*;q=0.1, application/octet-stream", true),
                ("application/octet-stream;q=0", false),
            ]
            for (bar, item) in cases.enumerated() {
                let headers = item.accept.map { [("Accept", $0)] } ?? []
                let answer = try await client.request("POST", "/step/\(bar + 1)", headers: headers)
                #expect(answer.status == 200)
                #expect(answer.body.starts(with: Array("OBFT".utf8)) == item.binary, "\(item.accept ?? "none")")
                #expect(answer.header("Content-Type")?.hasPrefix(item.binary ? "application/octet-stream"
                                                                             : "application/json") == true)
            }
            let refused = try await client.request("POST", "/step/99?include=features", headers: Self.binary)
            #expect(refused.status == 400 && refused.json["error"]?["code"]?.stringValue == "invalid_query")
            #expect(refused.header("Content-Type") == "application/json; charset=utf-8")
            let table = try await client.request("POST", "/step/99?include=feature_table", headers: Self.binary)
            #expect(table.status == 200 && table.body.starts(with: Array("OBFT".utf8)))
        }
    }

    @Test func mediaRangesAreReadAsRFC9110Says() {
        let ranges = ["text/html, application/*;q=0.4", " application/octet-stream ; charset=x ; q=0.7 "]
            .flatMap { $0.split(separator: ",") }.compactMap(MediaRange.init)
        #expect(ranges.count == 3)
        #expect(MediaRange.quality(of: "application/octet-stream", in: ranges) == 0.7)
        #expect(MediaRange.quality(of: "application/json", in: ranges) == 0.4)
        #expect(MediaRange.quality(of: "image/png", in: ranges) == 0)
        #expect(MediaRange("nonsense") == nil && MediaRange("a/b;q=2") == nil && MediaRange("/json") == nil)
    }
}
