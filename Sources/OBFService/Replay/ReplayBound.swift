import OBFEngine

/// Where a replay starts or ends, or what `--explain` looks up: a bar, or a time (the newest
/// step answered at or before it).
public enum ReplayBound: Sendable, Equatable, CustomStringConvertible {
    case bar(Int64)
    /// Unix seconds.
    case time(Double)

    /// A bar (a whole number) or an ISO 8601 UTC time such as `2026-12-04T12:34:56Z`.
    public init?(_ text: String) {
        if let bar = Int64(text), bar >= 0 {
            self = .bar(bar)
        } else if let time = ISO8601Timestamp.parse(text) {
            self = .time(time)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .bar(let bar): "bar \(bar)"
        case .time(let time): ISO8601Timestamp.format(time, fractionDigits: 3) ?? "\(time)"
        }
    }

    /// True when a step at `bar`, answered at `time`, is at or after this bound.
    func admitsFrom(bar: Int64, time: Double) -> Bool {
        switch self {
        case .bar(let from): bar >= from
        case .time(let from): time >= from
        }
    }

    /// True when a step at `bar`, answered at `time`, is at or before this bound.
    func admitsTo(bar: Int64, time: Double) -> Bool {
        switch self {
        case .bar(let to): bar <= to
        case .time(let to): time <= to
        }
    }
}
