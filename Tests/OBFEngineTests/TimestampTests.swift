import JSON
@testable import OBFEngine
import Testing

@Suite struct TimestampTests {
    // Expected values from Python 3: the whole seconds from
    // `datetime(..., tzinfo=timezone(timedelta(minutes=offset))).timestamp()`,
    // the fraction (first 9 digits) added exactly with `fractions.Fraction`,
    // then `repr(float(...))` (correctly rounded).
    static let valid: [(String, Double)] = [
        ("2026-03-26T12:34:56Z", 1774528496.0),                        // fraction length 0
        ("2026-03-26T12:34:56.7Z", 1774528496.7),                      // 1
        ("2026-03-26T12:34:56.789+00:00", 1774528496.789),             // 3
        ("2026-03-26T12:34:56.789000+00:00", 1774528496.789),          // 6
        ("2026-03-26T18:04:56.123456+05:30", 1774528496.123456),       // 6, +05:30
        ("2026-03-26T04:34:56.123456789-08:00", 1774528496.1234567),   // 9, −08:00
        ("2026-03-26T14:34:56.123456789012+0200", 1774528496.1234567), // 12, +0200
        ("2026-03-26 12:34:56.789z", 1774528496.789),                  // space, z
        ("2026-03-26t12:34:56.789-00:00", 1774528496.789),             // t, −00:00
        ("2026-01-01T00:30:00+23:59", 1767141060.0),                   // largest offset
        ("2024-02-29T00:00:00Z", 1709164800.0),                        // leap day
        ("2000-02-29T23:59:59.999999999Z", 951868800.0),               // leap day of a 400-year
        ("1970-01-01T00:00:00Z", 0.0),
        ("1969-12-31T23:59:59.5Z", -0.5),
        ("1900-01-01T00:00:00.000000001Z", -2208988800.0),
        ("9999-12-31T23:59:59.999999999Z", 253402300800.0),
        ("0001-01-01T00:00:00Z", -62135596800.0),
    ]

    @Test(arguments: valid)
    func parsesToExpectedUnixSeconds(_ text: String, _ expected: Double) {
        let parsed = ISO8601Timestamp.parse(text)
        #expect(parsed?.bitPattern == expected.bitPattern, "\(text) → \(String(describing: parsed))")
    }

    @Test func nanosecondsKeepFullPrecision() {
        // Python: float(Fraction(1774528496789123456, 10**9)) == 1774528496.7891235
        #expect(ISO8601Timestamp.parse("2026-03-26T12:34:56.789123456Z") == 1774528496.7891235)
        // Digits after the ninth do not change the value (truncated, not rounded).
        #expect(ISO8601Timestamp.parse("2026-03-26T12:34:56.7891234569999Z") == 1774528496.7891235)
    }

    @Test func producerBookkeepingTimestamp() {
        // Python: datetime(2026,3,26,12,34,56,901000,tzinfo=timezone.utc).timestamp() == 1774528496.901
        #expect(ISO8601Timestamp.parse("2026-03-26T12:34:56.901000+00:00") == 1774528496.901)
    }

    @Test(arguments: [
        "2026-03-26T12:34:56",            // naive: offset required
        "2026-03-26T12:34:56.789",        // naive with fraction
        "2026-02-29T00:00:00Z",           // 2026 is not a leap year
        "1900-02-29T00:00:00Z",           // century, not a leap year
        "2024-02-30T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-03-26T24:00:00Z",
        "2026-03-26T12:60:00Z",
        "2026-03-26T12:34:60Z",           // no leap seconds
        "2026-03-26T12:34:56+24:00",
        "2026-03-26T12:34:56+05:60",
        "2026-03-26T12:34:56+05",         // ±HH alone is not accepted
        "2026-03-26T12:34:56+5:30",
        "2026-03-26T12:34:56+05:3",
        "2026-03-26T12:34:56+05:30:00",
        "2026-03-26T12:34:56.Z",          // fraction needs a digit
        "2026-03-26T12:34:56,5Z",
        "2026-03-26X12:34:56Z",
        "2026-03-26T12:34:56ZZ",
        " 2026-03-26T12:34:56Z",
        "2026-03-26T12:34:56Z ",
        "26-03-26T12:34:56Z",
        "2026-3-26T12:34:56Z",
        "2026/03/26T12:34:56Z",
        "+2026-03-26T12:34:56Z",
        "2026-03-26T12:34:56.1a2Z",
        "2026-03-26T12:34:56-",
        "",
        "Z",
        "2026-03-26",
    ])
    func rejects(_ text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil, "\(text)")
    }

    @Test func leapDays() {
        #expect(ISO8601Timestamp.parse("2024-02-29T12:00:00Z") != nil)
        #expect(ISO8601Timestamp.parse("2000-02-29T12:00:00Z") != nil)
        #expect(ISO8601Timestamp.parse("2100-02-29T12:00:00Z") == nil)
        #expect(ISO8601Timestamp.parse("2023-02-29T12:00:00Z") == nil)
        // The day after a leap day is one day later.
        let leap = ISO8601Timestamp.parse("2024-02-29T00:00:00Z")
        let march = ISO8601Timestamp.parse("2024-03-01T00:00:00Z")
        #expect(leap.map { $0 + 86_400 } == march)
    }

    @Test func offsetsNameTheSameInstant() {
        let instants = [
            "2026-03-26T12:34:56.789Z",
            "2026-03-26T12:34:56.789+00:00",
            "2026-03-26T18:04:56.789+05:30",
            "2026-03-26T18:04:56.789+0530",
            "2026-03-26T04:34:56.789-08:00",
            "2026-03-26T14:34:56.789+0200",
            "2026-03-27T12:33:56.789+23:59",
        ].map { ISO8601Timestamp.parse($0) }
        #expect(instants.allSatisfy { $0 == 1774528496.789 })
    }

    @Test func bytesAndStringAgree() {
        let text = "2026-03-26T12:34:56.789000+00:00"
        #expect(ISO8601Timestamp.parse(Array(text.utf8)) == ISO8601Timestamp.parse(text))
    }

    @Test func civilDaysRoundTrip() {
        #expect(ISO8601Timestamp.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(ISO8601Timestamp.daysFromCivil(year: 2000, month: 3, day: 1) == 11_017)
        var day = ISO8601Timestamp.daysFromCivil(year: 0, month: 1, day: 1)
        let last = ISO8601Timestamp.daysFromCivil(year: 9999, month: 12, day: 31)
        var previous = (year: -1, month: 12, day: 31)
        var failures = 0
        while day <= last {
            let civil = ISO8601Timestamp.civilFromDays(day)
            if ISO8601Timestamp.daysFromCivil(year: civil.year, month: civil.month, day: civil.day) != day {
                failures += 1
            }
            // Consecutive days are consecutive calendar dates.
            if civil.day == 1 {
                let monthLength = ISO8601Timestamp.daysInMonth(year: previous.year, month: previous.month)
                if previous.day != monthLength || civil.month != previous.month % 12 + 1 { failures += 1 }
            } else if civil.day != previous.day + 1 || civil.month != previous.month {
                failures += 1
            }
            previous = civil
            day += 1
        }
        #expect(failures == 0)
        #expect(previous.year == 9999 && previous.month == 12 && previous.day == 31)
    }

    /// Integer seconds and fraction combine with one correct rounding, over
    /// the whole supported range (checked against `Double(String)`).
    @Test func combineIsCorrectlyRounded() {
        var random = SnapshotFixtures.Random(seed: 7)
        for _ in 0..<20_000 {
            let seconds = Int64.random(in: -62_167_219_200...253_402_300_799, using: &random)
            let digits = Int.random(in: 1...9, using: &random)
            let scale = Int64(DecimalConversion.integerPowers[digits])
            let fraction = Int64.random(in: 0..<scale, using: &random)
            let got = ISO8601Timestamp.combine(seconds: seconds, fraction: fraction, digits: digits)
            func padded(_ value: Int64) -> String {
                let text = String(value)
                return String(repeating: "0", count: digits - text.count) + text
            }
            // For negative seconds, s + f/10^k = −((|s| − 1) + (10^k − f)/10^k).
            let expected = seconds >= 0 || fraction == 0
                ? Double("\(seconds).\(padded(fraction))")
                : Double("-\(seconds.magnitude - 1).\(padded(scale - fraction))")
            #expect(got?.bitPattern == expected?.bitPattern, "\(seconds) \(fraction) \(digits)")
        }
    }

    @Test func formatRoundTrips() {
        #expect(ISO8601Timestamp.format(1774528496.789) == "2026-03-26T12:34:56.789000+00:00")
        #expect(ISO8601Timestamp.format(0, fractionDigits: 0) == "1970-01-01T00:00:00+00:00")
        #expect(ISO8601Timestamp.format(-0.5, fractionDigits: 3) == "1969-12-31T23:59:59.500+00:00")
        #expect(ISO8601Timestamp.format(.nan) == nil)
        #expect(ISO8601Timestamp.format(1e300) == nil)
        var random = SnapshotFixtures.Random(seed: 11)
        for _ in 0..<2_000 {
            let micros = Int64.random(in: -62_135_596_800_000_000...253_402_300_799_999_999, using: &random)
            let seconds = Double(micros) / 1e6
            guard let text = ISO8601Timestamp.format(seconds) else {
                Issue.record("format failed for \(seconds)")
                continue
            }
            #expect(ISO8601Timestamp.parse(text) == seconds, "\(text)")
        }
    }
}
