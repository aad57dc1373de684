import Testing
import Hazelcast

@Suite("HazelcastData text decoding")
struct HazelcastDataTests {
    @Test func decodesStringAndJsonValue() throws {
        let json = #"{"bids":[[1.5,2]],"note":"é☃"}"#
        #expect(try HazelcastData(string: json).decodeText() == HazelcastText(kind: .string, text: json))
        #expect(try HazelcastData(jsonValue: json).decodeText() == HazelcastText(kind: .jsonValue, text: json))
        #expect(try HazelcastData(string: "").decodeText() == HazelcastText(kind: .string, text: ""))
    }

    @Test func rejectsOtherTypes() {
        // Integer 5 as a Java Integer (type id -7).
        let integer = HazelcastData(bytes: hexBytes("00000000 fffffff9 00000005"))
        #expect(throws: HazelcastDataError.unsupportedType(typeId: -7)) { try integer.decodeText() }
    }

    @Test func rejectsShortInput() {
        #expect(throws: HazelcastDataError.tooShort(byteCount: 0)) { try HazelcastData(bytes: []).decodeText() }
        #expect(throws: HazelcastDataError.tooShort(byteCount: 7)) { try HazelcastData(bytes: hexBytes("00000000 ffffff")).decodeText() }
        #expect(throws: HazelcastDataError.tooShort(byteCount: 10)) { try HazelcastData(bytes: hexBytes("00000000 fffffff5 0000")).decodeText() }
        #expect(HazelcastData(bytes: [1, 2]).typeId == nil)
    }

    @Test func rejectsBadLengths() {
        #expect(throws: HazelcastDataError.lengthMismatch(declared: 5, available: 2)) {
            try HazelcastData(bytes: hexBytes("00000000 fffffff5 00000005 6162")).decodeText()
        }
        #expect(throws: HazelcastDataError.lengthMismatch(declared: 1, available: 2)) {
            try HazelcastData(bytes: hexBytes("00000000 fffffff5 00000001 6162")).decodeText()
        }
        #expect(throws: HazelcastDataError.nullString) {
            try HazelcastData(bytes: hexBytes("00000000 fffffff5 ffffffff")).decodeText()
        }
        #expect(throws: HazelcastDataError.lengthMismatch(declared: 2_147_483_647, available: 0)) {
            try HazelcastData(bytes: hexBytes("00000000 ffffff7e 7fffffff")).decodeText()
        }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: HazelcastDataError.invalidUTF8) {
            try HazelcastData(bytes: hexBytes("00000000 fffffff5 00000002 c328")).decodeText()
        }
        // A truncated sequence after ASCII, and a lone continuation byte.
        #expect(throws: HazelcastDataError.invalidUTF8) {
            try HazelcastData(bytes: hexBytes("00000000 fffffff5 00000003 6162e2")).textBytes()
        }
        #expect(throws: HazelcastDataError.invalidUTF8) {
            try HazelcastData(bytes: hexBytes("00000000 ffffff7e 00000001 80")).textBytes()
        }
    }

    @Test func textBytesAreThePayloadUnchanged() throws {
        for text in [#"{"bids":[[1.5,2]]}"#, "caf\u{e9} \u{2603} \u{1F600}", ""] {
            let string = try HazelcastData(string: text).textBytes()
            #expect(string.kind == .string)
            #expect(Array(string.utf8) == Array(text.utf8))
            let json = try HazelcastData(jsonValue: text).textBytes()
            #expect(json.kind == .jsonValue)
            #expect(Array(json.utf8) == Array(text.utf8))
        }
        #expect(throws: HazelcastDataError.unsupportedType(typeId: -7)) {
            try HazelcastData(bytes: hexBytes("00000000 fffffff9 00000005")).textBytes()
        }
    }

    @Test func addressParsing() throws {
        #expect(try HazelcastAddress(parsing: "10.0.0.1") == HazelcastAddress(host: "10.0.0.1", port: 5701))
        #expect(try HazelcastAddress(parsing: " hz.local:5702 ") == HazelcastAddress(host: "hz.local", port: 5702))
        #expect(try HazelcastAddress(parsing: "[::1]:5703") == HazelcastAddress(host: "::1", port: 5703))
        #expect(try HazelcastAddress.parseList("a:1, b") == [HazelcastAddress(host: "a", port: 1), HazelcastAddress(host: "b")])
        for bad in ["", ":5701", "host:0", "host:99999", "host:x", "::1", "[::1", "[::1]x"] {
            #expect(throws: HazelcastError.self, "\(bad)") { try HazelcastAddress(parsing: bad) }
        }
    }
}
