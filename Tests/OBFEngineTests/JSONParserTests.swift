import JSON
@testable import OBFEngine
import Testing

@Suite struct JSONParserTests {
    static func parse(_ text: String) -> Result<JSONValue, JSONParseError> {
        JSONValue.parse(Array(text.utf8))
    }

    static func kind(_ text: String) -> JSONParseError.Kind? {
        kind(of: parse(text))
    }

    static func kind(of result: Result<JSONValue, JSONParseError>) -> JSONParseError.Kind? {
        if case .failure(let error) = result { return error.kind }
        return nil
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try Self.parse(#"""
         {"a": [1, -2.5, 3e2, 0, -0, true, false, null, "x", {}, []], "b": {"c": {"d": "e"}}, "": 1}
        """#).get()
        #expect(value == .object([
            "a": .array([.number(1), .number(-2.5), .number(300), .number(0), .number(-0.0),
                         .bool(true), .bool(false), .null, .string("x"), .object([:]), .array([])]),
            "b": .object(["c": .object(["d": .string("e")])]),
            "": .number(1),
        ]))
        #expect(value["b"]?["c"]?["d"]?.stringValue == "e")
        #expect(value["a"]?[1]?.doubleValue == -2.5)
        #expect(value["a"]?[4]?.doubleValue?.sign == .minus)
        #expect(value["a"]?[99] == nil)
        #expect(value[""]?.int64Value == 1)
    }

    @Test func scalarsAtTopLevel() throws {
        #expect(try Self.parse("3").get() == .number(3))
        #expect(try Self.parse(" \"s\" ").get() == .string("s"))
        #expect(try Self.parse("null").get() == .null)
        #expect(try Self.parse("\t\r\n true \n").get() == .bool(true))
    }

    @Test func stringEscapes() throws {
        let value = try Self.parse(#"["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u20AC", "\ud83d\ude00", "\u0000", "é€😀"]"#).get()
        #expect(value == .array([
            .string("\"\\/\u{08}\u{0C}\n\r\t"),
            .string("Aé€"),
            .string("😀"),
            .string("\u{0}"),
            .string("é€😀"),
        ]))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{\"a\":}", "{a:1}",
        "{'a':1}", "[1 2]", "[1] [2]", "[1]x", "01", "-", "-01", "1.", ".5", "1e", "1e+", "+1", "0x10",
        "NaN", "Infinity", "-Infinity", "nan", "tru", "nul", "falsey", "True", "\"abc", "\"\\x\"",
        "\"\\u12\"", "\"\\u12G4\"", "\"\t\"", "\"\n\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
        "\"\\ud800x\"", "[1]\u{0}", "\u{0}", "//c\n1", "/*c*/1", "[\"a\"\"b\"]",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(Self.kind(text) == .syntax, "\(text.debugDescription)")
        let validated = Array(text.utf8).withUnsafeBufferPointer { JSONValue.validate($0) }
        #expect(validated?.kind == .syntax, "\(text.debugDescription)")
    }

    @Test func rejectsInvalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],                 // never valid
            [0x22, 0xC0, 0xAF, 0x22],           // overlong
            [0x22, 0xE0, 0x80, 0xAF, 0x22],     // overlong 3-byte
            [0x22, 0xED, 0xA0, 0x80, 0x22],     // UTF-16 surrogate encoded
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
            [0x22, 0xC3, 0x22],                 // truncated sequence
            [0x22, 0x80, 0x22],                 // stray continuation
            [0xC3, 0xA9],                       // non-ASCII outside a string
        ]
        for bytes in cases {
            if case .failure(let error) = JSONValue.parse(bytes) {
                #expect(error.kind == .syntax)
            } else {
                Issue.record("accepted \(bytes)")
            }
        }
        #expect(JSONValue.parse([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == .success(.string("😀")))
    }

    @Test func byteOrderMarkIsIgnored() {
        #expect(JSONValue.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .success(.array([.number(1)])))
    }

    @Test func duplicateKeysAreRejected() {
        #expect(Self.kind(#"{"a":1,"a":2}"#) == .duplicateKey)
        #expect(Self.kind(#"{"a":{"b":1,"b":1}}"#) == .duplicateKey)
        // Escapes are compared after decoding.
        #expect(Self.kind(#"{"a":1,"\u0061":2}"#) == .duplicateKey)
    }

    @Test func depthLimit() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(Self.kind(ok) == nil)
        #expect(Self.kind(deep) == .tooDeep)
        let objects = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(Self.kind(objects) == .tooDeep)
        // A million unclosed brackets fail fast at the limit, without recursion.
        let huge = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect((try? JSONValue.parse(huge).get()) == nil)
        #expect(Self.kind(of: JSONValue.parse(Array("[[1]]".utf8), maxDepth: 1)) == .tooDeep)
    }

    @Test func sizeLimit() {
        let text = Array("[1]".utf8)
        #expect(Self.kind(of: JSONValue.parse(text, maxBytes: 2)) == .tooLarge)
        #expect(JSONValue.parse(text, maxBytes: 3) == .success(.array([.number(1)])))
    }

    @Test func errorOffsetPointsAtTheProblem() {
        if case .failure(let error) = Self.parse("[1, 2, x]") {
            #expect(error.offset == 7)
        } else {
            Issue.record("accepted")
        }
        if case .failure(let error) = Self.parse("[1, 2") {
            #expect(error.offset == 5)
        } else {
            Issue.record("accepted")
        }
    }

    @Test func stringAndBytesAgree() {
        let text = #"{"k": ["v", 1.5, {"n": null}]}"#
        #expect(JSONValue.parse(text) == JSONValue.parse(Array(text.utf8)))
    }

    @Test func overflowingNumbersBecomeInfinite() throws {
        #expect(try Self.parse("1e400").get() == .number(.infinity))
        #expect(try Self.parse("-1e400").get() == .number(-.infinity))
        #expect(try Self.parse("1e-400").get() == .number(0))
        #expect(try Self.parse("1e99999999999999999999999").get() == .number(.infinity))
        #expect(try Self.parse("0e99999999999999999999999").get() == .number(0))
    }
}
