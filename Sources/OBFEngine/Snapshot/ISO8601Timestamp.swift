#if canImport(Glibc)
import JSON
import Glibc // libm: rounding used by Double → Int64 conversions
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ISO-8601 / RFC 3339 timestamps with an explicit UTC offset, to and from
/// Unix seconds.
///
/// Accepted form: `YYYY-MM-DD` `T`|`t`|space `HH:MM:SS`, then optionally `.`
/// and one or more fraction digits, then `Z`, `z`, `±HH:MM` or `±HHMM`.
/// The offset is required: a local time without one is ambiguous. The date
/// must exist in the proleptic Gregorian calendar (years 0000…9999); hours
/// 00…23, minutes 00…59, seconds 00…59 (no leap second), offset hours
/// 00…23 and offset minutes 00…59. Fraction digits after the ninth
/// (nanoseconds) must be digits but do not change the value.
///
/// The result is the Double nearest to the exact instant (integer seconds and
/// fraction combined in one correctly rounded step).
public enum ISO8601Timestamp {
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    public static func parse(_ bytes: [UInt8]) -> Double? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let base = bytes.baseAddress else { return nil }
        return parse(base: base, count: bytes.count)
    }

    static func parse(base: UnsafePointer<UInt8>, count: Int) -> Double? {
        // The shortest form is `YYYY-MM-DDTHH:MM:SSZ` (20 bytes).
        guard count >= 20 else { return nil }
        // A non-digit reads as a large negative number, so any field that
        // contains one fails its range check.
        @inline(__always) func digit(_ i: Int) -> Int {
            let d = (i < count ? base[i] : 0) &- UInt8(ascii: "0")
            return d < 10 ? Int(d) : -(1 << 40)
        }
        @inline(__always) func two(_ i: Int) -> Int { digit(i) * 10 + digit(i + 1) }
        @inline(__always) func at(_ i: Int) -> UInt8 { i < count ? base[i] : 0 }

        let year = two(0) * 100 + two(2)
        let month = two(5)
        let day = two(8)
        let hour = two(11)
        let minute = two(14)
        let second = two(17)
        guard year >= 0, at(4) == UInt8(ascii: "-"), at(7) == UInt8(ascii: "-"),
              at(13) == UInt8(ascii: ":"), at(16) == UInt8(ascii: ":") else { return nil }
        let separator = at(10)
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
              || separator == UInt8(ascii: " ") else { return nil }
        guard month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month),
              hour >= 0, hour <= 23, minute >= 0, minute <= 59, second >= 0, second <= 59
        else { return nil }

        var p = 19
        var fraction: Int64 = 0     // the first ≤ 9 fraction digits
        var fractionDigits = 0
        if at(p) == UInt8(ascii: ".") {
            p += 1
            let first = p
            while true {
                let d = digit(p)
                guard d >= 0 else { break }
                if fractionDigits < 9 {
                    fraction = fraction * 10 + Int64(d)
                    fractionDigits += 1
                }
                p += 1
            }
            guard p > first else { return nil }
        }

        var offsetSeconds = 0
        let sign = at(p)
        if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
            p += 1
        } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let offsetHour = two(p + 1)
            var minuteAt = p + 3
            if at(minuteAt) == UInt8(ascii: ":") { minuteAt += 1 }
            let offsetMinute = two(minuteAt)
            guard offsetHour >= 0, offsetHour <= 23, offsetMinute >= 0, offsetMinute <= 59 else { return nil }
            offsetSeconds = offsetHour * 3600 + offsetMinute * 60
            if sign == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
            p = minuteAt + 2
        } else {
            return nil
        }
        guard p == count else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds)
        return combine(seconds: seconds, fraction: fraction, digits: fractionDigits)
    }

    /// `seconds + fraction / 10^digits`, rounded once. `0 ≤ fraction < 10^digits`, digits ≤ 9.
    static func combine(seconds: Int64, fraction: Int64, digits: Int) -> Double? {
        var fraction = fraction
        var digits = digits
        while digits > 0 && fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        if digits == 0 { return Double(seconds) }
        let scale = Int64(DecimalConversion.integerPowers[digits])
        // Fast path: the whole value as one integer ≤ 2^53, divided once.
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: scale)
        if !overflow {
            let total = scaled &+ fraction
            if total.magnitude <= 1 << 53 {
                return Double(total) / DecimalConversion.exactPowers[digits]
            }
        }
        // Exact path: |value| · 10^digits as a 128-bit integer.
        let magnitude: UInt128
        if seconds >= 0 {
            magnitude = UInt128(seconds) * UInt128(scale) + UInt128(fraction)
        } else {
            magnitude = UInt128(seconds.magnitude) * UInt128(scale) - UInt128(fraction)
        }
        guard let value = DecimalConversion.quotient(magnitude, dividedBy: UInt128(scale)) else { return nil }
        return seconds >= 0 ? value : -value
    }

    /// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00` (the form a
    /// Python producer's `isoformat()` writes), with `fractionDigits` (0…9)
    /// digits after the point and none (and no point) when it is 0. Nil for a
    /// non-finite value or a year outside 0000…9999.
    public static func format(_ unixSeconds: Double, fractionDigits: Int = 6) -> String? {
        guard unixSeconds.isFinite, (0...9).contains(fractionDigits) else { return nil }
        let scale = Int64(DecimalConversion.integerPowers[fractionDigits])
        guard let ticks = Int64(exactly: (unixSeconds * Double(scale)).rounded()) else { return nil }
        var seconds = ticks / scale
        var fraction = ticks % scale
        if fraction < 0 {
            fraction += scale
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = civilFromDays(Int(days))
        guard (0...9999).contains(year) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        func append(_ value: Int, width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var v = value
            var i = width - 1
            while i >= 0 {
                digits[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                v /= 10
                i -= 1
            }
            out.append(contentsOf: digits)
        }
        append(year, width: 4)
        out.append(UInt8(ascii: "-"))
        append(month, width: 2)
        out.append(UInt8(ascii: "-"))
        append(day, width: 2)
        out.append(UInt8(ascii: "T"))
        append(Int(secondOfDay / 3600), width: 2)
        out.append(UInt8(ascii: ":"))
        append(Int(secondOfDay / 60 % 60), width: 2)
        out.append(UInt8(ascii: ":"))
        append(Int(secondOfDay % 60), width: 2)
        if fractionDigits > 0 {
            out.append(UInt8(ascii: "."))
            append(Int(fraction), width: fractionDigits)
        }
        out.append(contentsOf: Array("+00:00".utf8))
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Calendar

    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
    /// `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysFromCivil` (`civil_from_days`).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
