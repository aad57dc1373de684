#if canImport(Glibc)
import Glibc
#endif

/// Where segments go: `DIR/YYYY-MM-DD/HHMMSS.mmm-WRITER.obfrec` (UTC), gzip-compressed to
/// `….obfrec.gz` once closed, with each day's closed segments listed in `DIR/YYYY-MM-DD/index.jsonl`.
public enum RecordLayout {
    public static let rawExtension = ".obfrec"
    public static let compressedExtension = ".obfrec.gz"
    public static let indexName = "index.jsonl"

    /// `YYYY-MM-DD` of Unix seconds `time`, UTC.
    public static func day(of time: Double) -> String {
        let parts = utc(time)
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))"
    }

    /// The file name of a segment opened at `time` by `writer`.
    static func segmentName(openedAt time: Double, writer: String) -> String {
        let parts = utc(time)
        let millis = Int((time - time.rounded(.down)) * 1000)
        let safe = String(writer.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(48))
        return "\(pad(parts.hour, 2))\(pad(parts.minute, 2))\(pad(parts.second, 2)).\(pad(millis, 3))-\(safe)\(rawExtension)"
    }

    /// Unix seconds of the start of the next UTC hour after `time`.
    static func nextHour(after time: Double) -> Double {
        ((time / 3600).rounded(.down) + 1) * 3600
    }

    private static func utc(_ time: Double) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var seconds = time_t(time.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
                Int(parts.tm_min), Int(parts.tm_sec))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
