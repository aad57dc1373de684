import JSON
@testable import OBFEngine
import Testing

@Suite struct SnapshotDecoderTests {
    typealias F = SnapshotFixtures

    @Test func workedSnapshotDecodesExactly() throws {
        let snapshot = try F.decode(F.worked).get()
        #expect(snapshot.timestamp == F.workedTimestamp)
        #expect(snapshot.bidNotional == F.workedNotional)
        #expect(snapshot.askNotional == F.workedNotional)
        #expect(snapshot.bidDepth == F.workedDepth)
        #expect(snapshot.askDepth == F.workedDepth)
        // Bit-exact against the standard library's reading of the same text.
        #expect(snapshot.bidDepth?.map(\.bitPattern) == ["0.123", "0.456", "0.789", "1.012", "1.234"]
            .compactMap { Double($0)?.bitPattern })
    }

    @Test func decodeEntryPointsAgree() throws {
        let bytes = Array(F.worked.utf8)
        let fromBytes = SnapshotDecoder.decode(bytes)
        #expect(SnapshotDecoder.decode(F.worked) == fromBytes)
        #expect(bytes.withUnsafeBufferPointer { SnapshotDecoder.decode($0) } == fromBytes)
        #expect(SnapshotDecoder.decode(try JSONValue.parse(bytes).get()) == fromBytes)
    }

    @Test func numericTimestamps() throws {
        let integer = try F.decode(F.document([("timestamp", "1774528496")])).get()
        #expect(integer.timestamp == 1774528496)
        let fractional = try F.decode(F.document([("timestamp", "1774528496.789")])).get()
        #expect(fractional.timestamp == 1774528496.789)
        let exponent = try F.decode(F.document([("timestamp", "1.774528496789e9")])).get()
        #expect(exponent.timestamp == 1774528496.789)
        #expect(F.reason(F.document([("timestamp", "1e400")])) == .badTimestamp)
        #expect(F.reason(F.document([("timestamp", "-1e400")])) == .badTimestamp)
    }

    @Test func isoTimestampsWithOffsets() throws {
        for text in ["2026-03-26T12:34:56.789Z", "2026-03-26T18:04:56.789+05:30",
                     "2026-03-26T04:34:56.789-08:00", "2026-03-26T14:34:56.789+0200"] {
            let snapshot = try F.decode(F.document([("timestamp", "\"\(text)\"")])).get()
            #expect(snapshot.timestamp == 1774528496.789, "\(text)")
        }
        // An escaped timestamp string is unescaped before parsing.
        let escaped = try F.decode(F.document([("timestamp", #""2026-03-26T12:34:56.789\u002B00:00""#)])).get()
        #expect(escaped.timestamp == 1774528496.789)
    }

    static let invalid: [(String, String, InvalidSnapshotReason)] = [
        ("not JSON", "hello", .notJSON),
        ("empty", "", .notJSON),
        ("whitespace only", "  \n ", .notJSON),
        ("truncated", String(SnapshotFixtures.worked.dropLast(3)), .notJSON),
        ("trailing garbage", SnapshotFixtures.document() + " x", .notJSON),
        ("two documents", SnapshotFixtures.document() + SnapshotFixtures.document(), .notJSON),
        ("array at top level", "[1, 2, 3]", .notObject),
        ("string at top level", "\"{}\"", .notObject),
        ("number at top level", "42", .notObject),
        ("null at top level", "null", .notObject),
        ("truncated array at top level", "[1, 2", .notJSON),
        ("empty object", "{}", .missingTimestamp),
        ("missing timestamp", SnapshotFixtures.document([("timestamp", nil)]), .missingTimestamp),
        ("unparseable timestamp", SnapshotFixtures.document([("timestamp", "\"yesterday\"")]), .badTimestamp),
        ("naive timestamp", SnapshotFixtures.document([("timestamp", "\"2026-03-26T12:34:56.789\"")]), .badTimestamp),
        ("impossible date", SnapshotFixtures.document([("timestamp", "\"2026-02-29T00:00:00Z\"")]), .badTimestamp),
        ("null timestamp", SnapshotFixtures.document([("timestamp", "null")]), .badTimestamp),
        ("boolean timestamp", SnapshotFixtures.document([("timestamp", "true")]), .badTimestamp),
        ("array timestamp", SnapshotFixtures.document([("timestamp", "[1]")]), .badTimestamp),
        ("numeric text timestamp", SnapshotFixtures.document([("timestamp", "\"1774528496\"")]), .badTimestamp),
        ("missing bid", SnapshotFixtures.document([("bid_notional", nil)]), .missingNotional),
        ("missing ask", SnapshotFixtures.document([("ask_notional", nil)]), .missingNotional),
        ("null bid", SnapshotFixtures.document([("bid_notional", "null")]), .badArray),
        ("number as bid", SnapshotFixtures.document([("bid_notional", "5")]), .badArray),
        ("object as ask", SnapshotFixtures.document([("ask_notional", "{\"0\": 1}")]), .badArray),
        ("length mismatch", SnapshotFixtures.document([("ask_notional", "[1, 2]")]), .lengthMismatch),
        ("L = 0", SnapshotFixtures.document([("bid_notional", "[]"), ("ask_notional", "[]")]), .badLength),
        ("L = 51", SnapshotFixtures.document([
            ("bid_notional", "[" + Array(repeating: "1", count: 51).joined(separator: ",") + "]"),
            ("ask_notional", "[" + Array(repeating: "1", count: 51).joined(separator: ",") + "]"),
        ]), .badLength),
        ("negative", SnapshotFixtures.document([("bid_notional", "[1, -2, 3]")]), .badArray),
        ("tiny negative", SnapshotFixtures.document([("ask_notional", "[1, 2, -1e-300]")]), .badArray),
        ("NaN token", SnapshotFixtures.document([("bid_notional", "[1, NaN, 3]")]), .notJSON),
        ("Infinity token", SnapshotFixtures.document([("bid_notional", "[1, Infinity, 3]")]), .notJSON),
        ("-Infinity token", SnapshotFixtures.document([("ask_notional", "[1, -Infinity, 3]")]), .notJSON),
        ("overflow to infinity", SnapshotFixtures.document([("bid_notional", "[1, 1e400, 3]")]), .badArray),
        ("string in array", SnapshotFixtures.document([("bid_notional", "[1, \"2\", 3]")]), .badArray),
        ("null in array", SnapshotFixtures.document([("bid_notional", "[1, null, 3]")]), .badArray),
        ("bool in array", SnapshotFixtures.document([("ask_notional", "[1, true, 3]")]), .badArray),
        ("nested array", SnapshotFixtures.document([("ask_notional", "[1, [2], 3]")]), .badArray),
        ("object in array", SnapshotFixtures.document([("ask_notional", "[1, {}, 3]")]), .badArray),
        ("short depth", SnapshotFixtures.document([("bid_depth", "[1, 2]")]), .lengthMismatch),
        ("long depth", SnapshotFixtures.document([("ask_depth", "[1, 2, 3, 4]")]), .lengthMismatch),
        ("empty depth", SnapshotFixtures.document([("ask_depth", "[]")]), .lengthMismatch),
        ("negative depth", SnapshotFixtures.document([("bid_depth", "[1, -2, 3]")]), .badArray),
        ("string in depth", SnapshotFixtures.document([("ask_depth", "[1, \"2\", 3]")]), .badArray),
        ("depth not an array", SnapshotFixtures.document([("bid_depth", "\"x\"")]), .badArray),
        ("depth overflow", SnapshotFixtures.document([("bid_depth", "[1, 2, 1e309]")]), .badArray),
        ("duplicate timestamp", SnapshotFixtures.document([("timestamp", "1, \"timestamp\": 2")]), .duplicateField),
        ("duplicate bid", SnapshotFixtures.document([("bid_notional", "[1, 2, 3], \"bid_notional\": [1, 2, 3]")]), .duplicateField),
        ("duplicate via escape", SnapshotFixtures.document([("\\u0061sk_notional", "[4, 5, 6]")]), .duplicateField),
        ("duplicate null depth", SnapshotFixtures.document([("bid_depth", "null, \"bid_depth\": null")]), .duplicateField),
        ("syntax error after a bad field", SnapshotFixtures.document([("timestamp", "\"bad\""), ("x", "[1,]")]), .notJSON),
    ]

    @Test(arguments: invalid)
    func invalidSnapshots(_ name: String, _ text: String, _ expected: InvalidSnapshotReason) {
        #expect(F.reason(text) == expected, "\(name): \(text)")
        // The structured path agrees whenever the document parses.
        if case .success(let value) = JSONValue.parse(Array(text.utf8)) {
            #expect(SnapshotDecoder.decode(value) == .failure(expected), "\(name) (JSONValue)")
        }
    }

    @Test func invalidUTF8Bytes() {
        var bytes = Array(F.document([("_note", "\"ab\"")]).utf8)
        let index = bytes.firstIndex(of: UInt8(ascii: "b")) ?? 0
        bytes[index] = 0xFF
        #expect(SnapshotDecoder.decode(bytes) == .failure(.notJSON))
    }

    @Test func everyDecodingReasonIsReachable() {
        var seen = Set(Self.invalid.map(\.2))
        seen.insert(.tooDeep)   // deepNestingIsRejectedWithoutCrashing
        seen.insert(.tooLarge)  // sizeGuard
        // Every reason the decoder can give; `badEncoding` belongs to sources
        // (a stored value that is not a JSON string at all).
        let decoderReasons: Set<InvalidSnapshotReason> = [
            .notJSON, .notObject, .missingTimestamp, .badTimestamp, .missingNotional, .badArray,
            .lengthMismatch, .badLength, .tooLarge, .tooDeep, .duplicateField,
        ]
        #expect(seen == decoderReasons)
        #expect(Set(InvalidSnapshotReason.allCases.map(\.rawValue)).count == InvalidSnapshotReason.allCases.count)
    }

    @Test func validEdgeCases() throws {
        // -0.0 counts as ≥ 0; zero everywhere is fine.
        let zeros = try F.decode(F.document([("bid_notional", "[-0.0, 0, 0e5]"), ("ask_notional", "[0, -0, 0.0]")])).get()
        #expect(zeros.bidNotional == [0, 0, 0])
        // L = 1 and L = 50 are the bounds.
        let one = try F.decode(F.document([("bid_notional", "[1]"), ("ask_notional", "[2]")])).get()
        #expect(one.bidNotional == [1] && one.askNotional == [2])
        let fifty = "[" + (1...50).map(String.init).joined(separator: ", ") + "]"
        let many = try F.decode(F.document([("bid_notional", fifty), ("ask_notional", fifty)])).get()
        #expect(many.bidNotional.count == 50 && many.bidNotional.last == 50)
        // Depth arrays are optional, each on its own; an explicit null is absent.
        let oneDepth = try F.decode(F.document([("bid_depth", "[0.1, 0.2, 0.3]")])).get()
        #expect(oneDepth.bidDepth == [0.1, 0.2, 0.3] && oneDepth.askDepth == nil)
        let nullDepth = try F.decode(F.document([("bid_depth", "null"), ("ask_depth", " null ")])).get()
        #expect(nullDepth.bidDepth == nil && nullDepth.askDepth == nil)
        // Members in any order, whitespace anywhere.
        let reordered = try F.decode("""
        \n\t{ "ask_notional" : [ 4 , 5 , 6 ] ,\r\n "timestamp" : 12.5 , "bid_notional":[1,2,3] }\n
        """).get()
        #expect(reordered == OrderBookSnapshot(timestamp: 12.5, bidNotional: [1, 2, 3], askNotional: [4, 5, 6]))
    }

    @Test func unknownFieldsAreIgnored() throws {
        let plain = try F.decode(F.document()).get()
        let noisy = try F.decode(F.document([
            ("_pushed_at", "\"2026-03-26T12:34:56.901000+00:00\""),
            ("_push_seq", "1711453296901"),
            ("_note", #""caf\u00e9 \ud83d\ude00 \"quoted\" back\\slash \/ \b\f\n\r\t é€😀""#),
            ("日本語", #"[1, -2.5e-3, {"nested": [null, true, false, {"deep": []}]}, "x"]"#),
            ("Timestamp", "\"not the timestamp\""),
            ("bid_notional_extra", "null"),
            ("", "{}"),
            ("_big", "1e400"),
            ("_neg", "[-1, -2]"),
        ])).get()
        #expect(noisy.provenance == SnapshotProvenance(pushSequence: 1711453296901, pushedAt: 1774528496.901))
        var bare = noisy
        bare.provenance = plain.provenance
        #expect(bare == plain)
        // Duplicates of unknown keys are ignored too (unlike the generic parser).
        let duplicates = "{\"u\": 1, \"u\": 2, " + F.document().dropFirst()
        #expect(F.reason(duplicates) == nil)
    }

    @Test func escapedKnownKeysAreRecognised() throws {
        let text = #"{"\u0074imestamp": 1, "bid\u005Fnotional": [1], "ask_notional": [2], "\u0062id_depth": [3]}"#
        #expect(try F.decode(text).get() == OrderBookSnapshot(timestamp: 1, bidNotional: [1], askNotional: [2], bidDepth: [3]))
    }

    @Test func deepNestingIsRejectedWithoutCrashing() {
        // The top-level object is level 1, so an unknown member may nest 63 more.
        let allowed = String(repeating: "[", count: 63) + String(repeating: "]", count: 63)
        #expect(F.reason(F.document([("_deep", allowed)])) == nil)
        let tooDeep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(F.reason(F.document([("_deep", tooDeep)])) == .tooDeep)
        let objects = String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 100)
        #expect(F.reason(F.document([("_deep", objects)])) == .tooDeep)
        #expect(F.reason(String(repeating: "[", count: 500_000)) == .tooDeep)
        #expect(F.reason("{\"x\":" + String(repeating: "[", count: 500_000)) == .tooDeep)
        #expect(F.reason(F.document([("bid_notional", "[[[[" + String(repeating: "[", count: 100))])) == .tooDeep)
    }

    @Test func sizeGuard() {
        let padding = String(repeating: " ", count: SnapshotDecoder.maxBytes)
        #expect(F.reason(F.document() + padding) == .tooLarge)
        let fits = F.document()
        #expect(F.reason(fits + String(repeating: " ", count: SnapshotDecoder.maxBytes - fits.utf8.count)) == nil)
    }

    @Test func validateStructuredSnapshots() {
        let good = OrderBookSnapshot(timestamp: 1, bidNotional: [1, 2], askNotional: [3, 4],
                                     bidDepth: [0.1, 0.2], askDepth: nil)
        #expect(SnapshotDecoder.validate(good) == nil)
        var s = good
        s.timestamp = .nan
        #expect(SnapshotDecoder.validate(s) == .badTimestamp)
        s = good
        s.timestamp = .infinity
        #expect(SnapshotDecoder.validate(s) == .badTimestamp)
        s = good
        s.askNotional = [3]
        #expect(SnapshotDecoder.validate(s) == .lengthMismatch)
        s = good
        s.bidNotional = []
        s.askNotional = []
        s.bidDepth = nil
        #expect(SnapshotDecoder.validate(s) == .badLength)
        s = good
        s.bidNotional = Array(repeating: 1, count: 51)
        s.askNotional = Array(repeating: 1, count: 51)
        s.bidDepth = nil
        #expect(SnapshotDecoder.validate(s) == .badLength)
        for bad in [-1, .nan, .infinity, -.infinity, -Double.leastNonzeroMagnitude] {
            s = good
            s.askNotional = [3, bad]
            #expect(SnapshotDecoder.validate(s) == .badArray, "\(bad)")
            s = good
            s.bidDepth = [bad, 1]
            #expect(SnapshotDecoder.validate(s) == .badArray, "\(bad)")
        }
        s = good
        s.askDepth = [1, 2, 3]
        #expect(SnapshotDecoder.validate(s) == .lengthMismatch)
        s = good
        s.bidNotional = [-0.0, 0]
        #expect(SnapshotDecoder.validate(s) == nil)
    }

    @Test func provenanceIsReadButNeverInvalidates() {
        func provenance(_ text: String) -> (Bool, SnapshotProvenance) {
            var text = text
            let (result, provenance) = text.withUTF8 { SnapshotDecoder.decodeWithProvenance($0) }
            return ((try? result.get()) != nil, provenance)
        }
        let base = #""timestamp": 1700000000.5, "bid_notional": [1], "ask_notional": [2]"#
        let full = provenance("{\(base), \"_push_seq\": 42, \"_pushed_at\": \"2023-11-14T22:13:21+00:00\"}")
        #expect(full.0)
        #expect(full.1 == SnapshotProvenance(pushSequence: 42, pushedAt: 1_700_000_001))
        let numeric = provenance("{\(base), \"_pushed_at\": 1700000000.25}")
        #expect(numeric.1 == SnapshotProvenance(pushSequence: nil, pushedAt: 1_700_000_000.25))
        // Malformed provenance is ignored, never a reason to skip the snapshot.
        let odd = provenance("{\(base), \"_push_seq\": \"7\", \"_pushed_at\": [1]}")
        #expect(odd.0)
        #expect(odd.1 == SnapshotProvenance())
        // An invalid snapshot still reports its provenance.
        let invalid = provenance(#"{"_push_seq": 3, "bid_notional": [1], "ask_notional": [2]}"#)
        #expect(!invalid.0)
        #expect(invalid.1.pushSequence == 3)
    }
}
