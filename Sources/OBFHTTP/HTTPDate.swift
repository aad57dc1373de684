#if canImport(Glibc)
import Glibc
#endif

/// A `Date:` header line, rebuilt at most once per second.
struct HTTPDateCache {
    private(set) var line: [UInt8] = []
    private var second: Int = -1

    mutating func refresh() {
        let now = time(nil)
        guard now != second else { return }
        second = now
        var parts = tm()
        var clock = now
        gmtime_r(&clock, &parts)
        var out: [UInt8] = []
        out.reserveCapacity(40)
        ASCII.append("Date: ", to: &out)
        let days: [StaticString] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        ASCII.append(days[Int(parts.tm_wday) % 7], to: &out)
        ASCII.append(", ", to: &out)
        appendTwoDigits(Int(parts.tm_mday), to: &out)
        out.append(ASCII.space)
        ASCII.append(months[Int(parts.tm_mon) % 12], to: &out)
        out.append(ASCII.space)
        ASCII.appendDecimal(Int(parts.tm_year) + 1900, to: &out)
        out.append(ASCII.space)
        appendTwoDigits(Int(parts.tm_hour), to: &out)
        out.append(ASCII.colon)
        appendTwoDigits(Int(parts.tm_min), to: &out)
        out.append(ASCII.colon)
        appendTwoDigits(Int(parts.tm_sec), to: &out)
        ASCII.append(" GMT\r\n", to: &out)
        line = out
    }

    private func appendTwoDigits(_ value: Int, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: 0x30 + (value / 10) % 10))
        out.append(UInt8(truncatingIfNeeded: 0x30 + value % 10))
    }
}
