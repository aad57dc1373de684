/// The form of a step's answer, chosen by the request's `Accept` fields and `?include=`.
enum StepAnswerFormat: Equatable {
    /// `application/json; charset=utf-8` (the default), with what `include` asks for.
    case json(StepInclusion?)
    /// `application/octet-stream`: the report and the feature table as little-endian doubles
    /// (`BinaryFeatureTable`).
    case binaryTable

    /// The binary form when `accept` ranks `application/octet-stream` above `application/json`
    /// (by the q-value of the most specific range matching each, RFC 9110 12.5.1); JSON otherwise,
    /// also without an `Accept` field, for `*/*`, or when neither is acceptable (as before).
    /// The binary form always carries the table, so it refuses `include=features`.
    init(accept: [String], include: StepInclusion?) throws(RequestRejection) {
        let ranges = accept.flatMap { $0.split(separator: ",") }.compactMap(MediaRange.init)
        let binary = MediaRange.quality(of: BinaryFeatureTable.mediaType, in: ranges)
        guard binary > MediaRange.quality(of: "application/json", in: ranges) else {
            self = .json(include)
            return
        }
        guard include != .features else {
            throw .badRequest("invalid_query", "include=features has no application/octet-stream form; "
                              + "ask for application/json, or for include=feature_table")
        }
        self = .binaryTable
    }
}

/// One range of an `Accept` field: `type/subtype` (either may be `*`) and its q-value.
struct MediaRange {
    var type: Substring
    var subtype: Substring
    var quality: Double

    /// Parses `type/subtype;param=value;q=0.5`; nil when it is not a media range.
    init?(_ text: Substring) {
        let parts = text.split(separator: ";")
        guard let range = parts.first else { return nil }
        let names = range.split(separator: "/", omittingEmptySubsequences: false)
        guard names.count == 2 else { return nil }
        type = Self.trimmed(names[0])
        subtype = Self.trimmed(names[1])
        guard !type.isEmpty, !subtype.isEmpty else { return nil }
        quality = 1
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, Self.trimmed(pair[0]).lowercased() == "q" else { continue }
            guard let value = Double(Self.trimmed(pair[1])), value >= 0, value <= 1 else { return nil }
            quality = value
        }
    }

    /// 2 for an exact match, 1 for `type/*`, 0 for `*/*`; nil when the range does not match.
    func specificity(for mediaType: String) -> Int? {
        let names = mediaType.split(separator: "/")
        if type == "*" && subtype == "*" { return 0 }
        guard type.lowercased() == names[0] else { return nil }
        if subtype == "*" { return 1 }
        return subtype.lowercased() == names[1] ? 2 : nil
    }

    /// The q-value of the most specific range matching `mediaType` (lower-case); 0 when none does.
    static func quality(of mediaType: String, in ranges: [MediaRange]) -> Double {
        var best: (specificity: Int, quality: Double) = (-1, 0)
        for range in ranges {
            if let specificity = range.specificity(for: mediaType), specificity > best.specificity {
                best = (specificity, range.quality)
            }
        }
        return best.quality
    }

    private static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
