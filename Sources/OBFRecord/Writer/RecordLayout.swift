import OBFEngine

/// Where segments go: `DIR/YYYY-MM-DD/HHMMSS.mmm-WRITER.obfrec` (UTC), gzip-compressed to
/// `….obfrec.gz` once closed, with each day's closed segments listed in `DIR/YYYY-MM-DD/index.jsonl`.
public enum RecordLayout {
    public static let rawExtension = ".obfrec"
    public static let compressedExtension = ".obfrec.gz"
    public static let indexName = "index.jsonl"

    /// `YYYY-MM-DD` of Unix seconds `time`, UTC.
    public static func day(of time: Double) -> String {
        String(utc(time.rounded(.down), fractionDigits: 0).prefix(10))
    }

    /// The file name of a segment opened at `time` by `writer`.
    static func segmentName(openedAt time: Double, writer: String) -> String {
        // `YYYY-MM-DDTHH:MM:SS.mmmZ`, the milliseconds cut (not rounded) as the day is: `HHMMSS.mmm`.
        let clock = utc((time * 1000).rounded(.down) / 1000, fractionDigits: 3).dropFirst(11).prefix(12).filter { $0 != ":" }
        let safe = String(writer.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(48))
        return "\(clock)-\(safe)\(rawExtension)"
    }

    /// Unix seconds of the start of the next UTC hour after `time`.
    static func nextHour(after time: Double) -> Double {
        ((time / 3600).rounded(.down) + 1) * 3600
    }

    /// `time` in ISO 8601 UTC (`ISO8601Timestamp`); the epoch for a time it cannot write.
    private static func utc(_ time: Double, fractionDigits: Int) -> String {
        ISO8601Timestamp.format(time, fractionDigits: fractionDigits)
            ?? ISO8601Timestamp.format(0, fractionDigits: fractionDigits) ?? ""
    }
}
