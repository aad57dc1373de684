import JSON

/// Decodes and validates one order-book snapshot document (features.md §1).
///
/// The byte decoder walks the top-level object once: it converts only
/// `timestamp`, `bid_notional`, `ask_notional`, `bid_depth` and `ask_depth`,
/// and checks every other member for well-formedness without building it.
///
/// Rules, in the order they are applied (the first that fails is the reason):
/// 1. the document is RFC 8259 JSON (`notJSON`), at most `maxBytes` long
///    (`tooLarge`) and nested at most `maxDepth` deep (`tooDeep`); a syntax
///    error anywhere wins over any problem with the fields;
/// 2. it is an object (`notObject`);
/// 3. none of the five known keys appears twice (`duplicateField`): which of
///    two values is meant cannot be known, so neither is trusted. Repeats of
///    unknown keys are ignored like the keys themselves;
/// 4. `timestamp` is present (`missingTimestamp`) and is either an ISO-8601
///    string with an offset (`ISO8601Timestamp`) or a finite JSON number of
///    Unix seconds (`badTimestamp` otherwise, including `null`);
/// 5. `bid_notional` and `ask_notional` are present (`missingNotional`) and
///    are arrays of numbers (`badArray`; `null` counts as present and bad);
/// 6. `bid_depth` and `ask_depth`, when present, are arrays of numbers
///    (`badArray`). An explicit `null` counts as absent, as a producer that
///    has no depth may write `null` rather than leave the key out;
/// 7. then `validate(_:)`: finite timestamp, equal notional lengths,
///    `1 ≤ L ≤ 50`, finite values `≥ 0` (`-0.0` included), depth arrays of
///    length `L` with finite values `≥ 0`.
///
/// A number too large for a Double (`1e400`) becomes infinity and so fails
/// the finiteness rule; `NaN` and `Infinity` are not JSON at all.
public enum SnapshotDecoder {
    /// The largest band count `L` accepted.
    public static let maxBands = 50
    /// The largest document accepted, in bytes (1 MiB).
    public static let maxBytes = JSONValue.defaultMaxBytes
    /// The deepest nesting of arrays and objects accepted anywhere in a document.
    public static let maxDepth = JSONValue.defaultMaxDepth

    public static func decode(_ bytes: [UInt8]) -> Result<OrderBookSnapshot, InvalidSnapshotReason> {
        bytes.withUnsafeBufferPointer { decode($0) }
    }

    public static func decode(_ text: String) -> Result<OrderBookSnapshot, InvalidSnapshotReason> {
        var text = text
        return text.withUTF8 { decode($0) }
    }

    public static func decode(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<OrderBookSnapshot, InvalidSnapshotReason> {
        decodeWithProvenance(buffer).snapshot
    }

    /// `decode`, also returning the producer's `_push_seq` and `_pushed_at` when the document
    /// has them as numbers (a timestamp: an ISO-8601 string or Unix seconds). They are never a
    /// reason to reject a snapshot: a missing or malformed one is nil.
    public static func decodeWithProvenance(_ buffer: UnsafeBufferPointer<UInt8>)
        -> (snapshot: Result<OrderBookSnapshot, InvalidSnapshotReason>, provenance: SnapshotProvenance) {
        guard buffer.count <= maxBytes else { return (.failure(.tooLarge), SnapshotProvenance()) }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return (.failure(.notJSON), SnapshotProvenance()) }
        var scanner = JSONScanner(base: base, count: buffer.count, maxDepth: maxDepth)
        let fields: Fields
        do throws(JSONParseError) {
            scanner.skipWhitespace()
            guard scanner.current == UInt8(ascii: "{") else {
                try scanner.skipValue(depth: 0)
                try scanner.finish()
                return (.failure(.notObject), SnapshotProvenance())
            }
            fields = try scanTopLevelObject(&scanner)
            try scanner.finish()
        } catch {
            return (.failure(reason(for: error)), SnapshotProvenance())
        }
        let provenance = fields.provenance
        return (assemble(fields).map { snapshot in
            var snapshot = snapshot
            snapshot.provenance = provenance
            return snapshot
        }, provenance)
    }

    /// Applies the same rules to an already parsed document (for example a
    /// replay line parsed to read its other members).
    public static func decode(_ value: JSONValue) -> Result<OrderBookSnapshot, InvalidSnapshotReason> {
        guard case .object(let members) = value else { return .failure(.notObject) }
        var fields = Fields()
        switch members["timestamp"] {
        case nil:
            fields.timestamp = .absent
        case .string(let text)?:
            fields.timestamp = ISO8601Timestamp.parse(text).map { .value($0) } ?? .invalid
        case .number(let seconds)?:
            fields.timestamp = seconds.isFinite ? .value(seconds) : .invalid
        default:
            fields.timestamp = .invalid
        }
        func numbers(_ member: JSONValue?, nullIsAbsent: Bool) -> Field<[Double]> {
            switch member {
            case nil:
                return .absent
            case .null?:
                return nullIsAbsent ? .absent : .invalid
            case .array(let elements)?:
                var values: [Double] = []
                values.reserveCapacity(elements.count)
                for element in elements {
                    guard case .number(let x) = element else { return .invalid }
                    values.append(x)
                }
                return .value(values)
            default:
                return .invalid
            }
        }
        fields.bidNotional = numbers(members["bid_notional"], nullIsAbsent: false)
        fields.askNotional = numbers(members["ask_notional"], nullIsAbsent: false)
        fields.bidDepth = numbers(members["bid_depth"], nullIsAbsent: true)
        fields.askDepth = numbers(members["ask_depth"], nullIsAbsent: true)
        var provenance = SnapshotProvenance()
        if case .number(let sequence)? = members["_push_seq"], sequence.isFinite, abs(sequence) < 9e15 {
            provenance.pushSequence = Int64(sequence)
        }
        switch members["_pushed_at"] {
        case .string(let text)?: provenance.pushedAt = ISO8601Timestamp.parse(text)
        case .number(let seconds)? where seconds.isFinite: provenance.pushedAt = seconds
        default: break
        }
        return assemble(fields).map { snapshot in
            var snapshot = snapshot
            snapshot.provenance = provenance
            return snapshot
        }
    }

    /// The value rules of features.md §1 for a structured snapshot (rule 7
    /// above); nil when it is valid.
    public static func validate(_ snapshot: OrderBookSnapshot) -> InvalidSnapshotReason? {
        guard snapshot.timestamp.isFinite else { return .badTimestamp }
        let bands = snapshot.bidNotional.count
        guard snapshot.askNotional.count == bands else { return .lengthMismatch }
        guard bands >= 1 && bands <= maxBands else { return .badLength }
        guard allFiniteNonNegative(snapshot.bidNotional),
              allFiniteNonNegative(snapshot.askNotional) else { return .badArray }
        for depth in [snapshot.bidDepth, snapshot.askDepth] {
            guard let depth else { continue }
            guard depth.count == bands else { return .lengthMismatch }
            guard allFiniteNonNegative(depth) else { return .badArray }
        }
        return nil
    }

    // MARK: Implementation

    @inline(__always)
    static func allFiniteNonNegative(_ values: [Double]) -> Bool {
        // NaN fails both comparisons; -0.0 >= 0 holds.
        for x in values where !(x >= 0 && x < .infinity) { return false }
        return true
    }

    enum Field<Value> {
        case absent
        case invalid
        case value(Value)
    }

    struct Fields {
        var timestamp: Field<Double> = .absent
        var bidNotional: Field<[Double]> = .absent
        var askNotional: Field<[Double]> = .absent
        var bidDepth: Field<[Double]> = .absent
        var askDepth: Field<[Double]> = .absent
        var duplicate = false
        var provenance = SnapshotProvenance()
    }

    enum Key: UInt8 {
        case timestamp = 1
        case bidNotional = 2
        case askNotional = 4
        case bidDepth = 8
        case askDepth = 16
    }

    static func reason(for error: JSONParseError) -> InvalidSnapshotReason {
        switch error.kind {
        case .syntax: return .notJSON
        case .tooDeep: return .tooDeep
        case .tooLarge: return .tooLarge
        case .duplicateKey: return .duplicateField
        }
    }

    static func assemble(_ fields: Fields) -> Result<OrderBookSnapshot, InvalidSnapshotReason> {
        if fields.duplicate { return .failure(.duplicateField) }
        let timestamp: Double
        switch fields.timestamp {
        case .absent: return .failure(.missingTimestamp)
        case .invalid: return .failure(.badTimestamp)
        case .value(let t): timestamp = t
        }
        let bid: [Double]
        let ask: [Double]
        switch (fields.bidNotional, fields.askNotional) {
        case (.absent, _), (_, .absent): return .failure(.missingNotional)
        case (.value(let b), .value(let a)): bid = b; ask = a
        default: return .failure(.badArray)
        }
        var bidDepth: [Double]?
        var askDepth: [Double]?
        switch fields.bidDepth {
        case .absent: bidDepth = nil
        case .invalid: return .failure(.badArray)
        case .value(let d): bidDepth = d
        }
        switch fields.askDepth {
        case .absent: askDepth = nil
        case .invalid: return .failure(.badArray)
        case .value(let d): askDepth = d
        }
        let snapshot = OrderBookSnapshot(timestamp: timestamp, bidNotional: bid, askNotional: ask,
                                         bidDepth: bidDepth, askDepth: askDepth)
        if let reason = validate(snapshot) { return .failure(reason) }
        return .success(snapshot)
    }

    /// The cursor is on the `{` of the top-level object.
    static func scanTopLevelObject(_ s: inout JSONScanner) throws(JSONParseError) -> Fields {
        var fields = Fields()
        var seen: UInt8 = 0
        s.position += 1
        s.skipWhitespace()
        if s.current == UInt8(ascii: "}") {
            s.position += 1
            return fields
        }
        while true {
            guard s.current == UInt8(ascii: "\"") else { throw s.failure(.syntax) }
            let span = try s.scanString()
            let key = knownKey(span, in: s)
            s.skipWhitespace()
            try s.expect(UInt8(ascii: ":"))
            s.skipWhitespace()
            if let key, seen & key.rawValue == 0 {
                seen |= key.rawValue
                switch key {
                case .timestamp: fields.timestamp = try readTimestamp(&s)
                case .bidNotional: fields.bidNotional = try readNumbers(&s, nullIsAbsent: false)
                case .askNotional: fields.askNotional = try readNumbers(&s, nullIsAbsent: false)
                case .bidDepth: fields.bidDepth = try readNumbers(&s, nullIsAbsent: true)
                case .askDepth: fields.askDepth = try readNumbers(&s, nullIsAbsent: true)
                }
            } else if key == nil, let provenanceKey = provenanceKey(span, in: s) {
                switch provenanceKey {
                case .pushSequence:
                    let c = s.current
                    if c == UInt8(ascii: "-") || JSONScanner.isDigit(c) {
                        let value = try s.readNumber()
                        fields.provenance.pushSequence = value.isFinite && abs(value) < 9e15 ? Int64(value) : nil
                    } else {
                        try s.skipValue(depth: 1)
                    }
                case .pushedAt:
                    if case .value(let seconds) = try readTimestamp(&s) { fields.provenance.pushedAt = seconds }
                }
            } else {
                if key != nil { fields.duplicate = true }
                try s.skipValue(depth: 1)
            }
            guard try s.moreItems(before: UInt8(ascii: "}")) else { return fields }
        }
    }

    static func knownKey(_ span: JSONScanner.StringSpan, in s: JSONScanner) -> Key? {
        s.withUnescapedBytes(span) { bytes in
            guard let p = bytes.baseAddress else { return nil }
            switch bytes.count {
            case 9:
                if equals(p, "timestamp") { return .timestamp }
                if equals(p, "bid_depth") { return .bidDepth }
                if equals(p, "ask_depth") { return .askDepth }
            case 12:
                if equals(p, "bid_notional") { return .bidNotional }
                if equals(p, "ask_notional") { return .askNotional }
            default:
                break
            }
            return nil
        }
    }

    enum ProvenanceKey {
        case pushSequence, pushedAt
    }

    static func provenanceKey(_ span: JSONScanner.StringSpan, in s: JSONScanner) -> ProvenanceKey? {
        s.withUnescapedBytes(span) { bytes in
            guard let p = bytes.baseAddress else { return nil }
            if bytes.count == 9 && equals(p, "_push_seq") { return .pushSequence }
            if bytes.count == 10 && equals(p, "_pushed_at") { return .pushedAt }
            return nil
        }
    }

    /// Whether the bytes at `p` (at least as many as `literal` has) spell `literal`.
    @inline(__always)
    static func equals(_ p: UnsafePointer<UInt8>, _ literal: StaticString) -> Bool {
        let q = literal.utf8Start
        for i in 0..<literal.utf8CodeUnitCount where p[i] != q[i] { return false }
        return true
    }

    static func readTimestamp(_ s: inout JSONScanner) throws(JSONParseError) -> Field<Double> {
        let b = s.current
        if b == UInt8(ascii: "\"") {
            let span = try s.scanString()
            let seconds = s.withUnescapedBytes(span) { ISO8601Timestamp.parse($0) }
            return seconds.map { .value($0) } ?? .invalid
        }
        if b == UInt8(ascii: "-") || JSONScanner.isDigit(b) {
            let seconds = try s.readNumber()
            return seconds.isFinite ? .value(seconds) : .invalid
        }
        try s.skipValue(depth: 1)
        return .invalid
    }

    /// Reads an array of numbers (a member of the top-level object). Anything
    /// else, or an array holding anything but numbers, is checked for syntax
    /// and reported as `.invalid`.
    static func readNumbers(_ s: inout JSONScanner, nullIsAbsent: Bool) throws(JSONParseError) -> Field<[Double]> {
        let b = s.current
        if b == UInt8(ascii: "n") && nullIsAbsent {
            try s.skipLiteral()
            return .absent
        }
        guard b == UInt8(ascii: "[") else {
            try s.skipValue(depth: 1)
            return .invalid
        }
        guard 2 <= s.maxDepth else { throw s.failure(.tooDeep) }
        s.position += 1
        s.skipWhitespace()
        var values: [Double] = []
        if s.current == UInt8(ascii: "]") {
            s.position += 1
            return .value(values)
        }
        values.reserveCapacity(8)
        var numbersOnly = true
        while true {
            let c = s.current
            if c == UInt8(ascii: "-") || JSONScanner.isDigit(c) {
                let x = try s.readNumber()
                if numbersOnly { values.append(x) }
            } else {
                numbersOnly = false
                try s.skipValue(depth: 2)
            }
            guard try s.moreItems(before: UInt8(ascii: "]")) else { return numbersOnly ? .value(values) : .invalid }
        }
    }
}

/// Lets a reason be the failure of a `Result` (and be thrown).
extension InvalidSnapshotReason: Error {}
