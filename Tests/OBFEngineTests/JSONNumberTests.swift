import JSON
@testable import OBFEngine
import Testing

/// Numbers must convert exactly as `Double(String)` (a correctly rounded
/// strtod) does, bit for bit, including the sign of zero.
@Suite struct JSONNumberTests {
    static func number(_ text: String) -> Double? {
        if case .success(.number(let x)) = JSONValue.parse(Array(text.utf8)) { return x }
        return nil
    }

    static func expectExact(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let got = number(text)
        let expected = Double(text)
        #expect(got != nil && got?.bitPattern == expected?.bitPattern,
                "\(text): got \(String(describing: got)), expected \(String(describing: expected))",
                sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        "0", "-0", "0.0", "-0.0", "0e10", "-0e-10", "1", "-1", "0.1", "0.2", "0.3", "1.5", "123456789",
        "1234567.0", "0.123", "1.012", "1711453296901", "1774528496.789",
        "9007199254740992", "9007199254740993", "9007199254740995", "9007199254740993.0000000001",
        "18446744073709551615", "18446744073709551616", "99999999999999999999", "12345678901234567890123",
        "1e22", "1e23", "1e-22", "1e-23", "8.5e-5", "4.35", "2.675",
        "2.2250738585072011e-308", "2.2250738585072014e-308", "1.7976931348623157e308",
        "1.7976931348623158e308", "1.7976931348623159e308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400", "1e400", "-1e400",
        "0.000000000000000000000000000001", "100000000000000000000000000000000e-32",
        "7.038531e-26", "9.109383632e-31", "6.02214076e23", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
        "123456789012345678e-19", "1234567890123456789e-19", "1234567890123456789e19", "5e-324",
        "0.1e1", "1E5", "1e+5", "1E-5",
    ])
    func knownHardCases(_ text: String) {
        Self.expectExact(text)
    }

    /// Random decimal strings of every shape the grammar allows.
    @Test func randomDecimalsMatchStandardLibrary() {
        var random = SnapshotFixtures.Random(seed: 42)
        func digits(_ count: Int, leadingNonZero: Bool) -> String {
            var s = ""
            for i in 0..<count {
                let low = (i == 0 && leadingNonZero) ? 1 : 0
                s.append(Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(Int.random(in: low...9, using: &random)))))
            }
            return s
        }
        for round in 0..<6_000 {
            var text = Bool.random(using: &random) ? "-" : ""
            let integerDigits = Int.random(in: 0...(round % 3 == 0 ? 25 : 17), using: &random)
            text += integerDigits == 0 ? "0" : digits(integerDigits, leadingNonZero: true)
            if Bool.random(using: &random) {
                text += "." + digits(Int.random(in: 1...(round % 3 == 1 ? 30 : 19), using: &random), leadingNonZero: false)
            }
            if Bool.random(using: &random) {
                text += ["e", "E", "e+", "e-", "E-"].randomElement(using: &random) ?? "e"
                let magnitude = round % 4 == 0 ? Int.random(in: 0...400, using: &random)
                                               : Int.random(in: 0...25, using: &random)
                text += String(magnitude)
            }
            Self.expectExact(text)
        }
    }

    /// Values near halfway between two Doubles, where a lossy conversion errs.
    @Test func nearHalfwayValues() {
        var random = SnapshotFixtures.Random(seed: 4242)
        for _ in 0..<3_000 {
            // A random double in a wide range, then the exact decimal halfway
            // to its neighbour, nudged a little either way.
            let x = Double(sign: .plus, exponent: Int.random(in: -60...60, using: &random),
                           significand: Double.random(in: 1..<2, using: &random))
            let mid = (x + x.nextUp) / 2 // not exact; its text is close enough to halfway
            for text in [String(describing: x), String(describing: mid), String(describing: x.nextUp)] {
                Self.expectExact(text)
            }
            // 17–19 significant digits with small exponents exercise the 128-bit path.
            let mantissa = UInt64.random(in: 10_000_000_000_000_000...9_999_999_999_999_999_999, using: &random)
            let exponent = Int.random(in: -19...19, using: &random)
            Self.expectExact("\(mantissa)e\(exponent)")
        }
    }

    @Test func widePathRoundsHalfToEven() {
        // 2^53 + 1 is exactly halfway between 2^53 and 2^53 + 2: ties to even.
        #expect(DecimalConversion.convert(mantissa: 9_007_199_254_740_993, exponent: 0) == 9_007_199_254_740_992)
        // 2^53 + 3 is halfway between 2^53 + 2 and 2^53 + 4: ties to even (4).
        #expect(DecimalConversion.convert(mantissa: 9_007_199_254_740_995, exponent: 0) == 9_007_199_254_740_996)
        #expect(DecimalConversion.quotient(10, dividedBy: 4) == 2.5)
        #expect(DecimalConversion.quotient(1, dividedBy: 3) == 1.0 / 3.0)
    }
}
