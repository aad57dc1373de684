/// A cursor over the bytes of one JSON document (RFC 8259).
///
/// Reads never go past `count`: `byte(at:)` answers 0 beyond the end, and 0 is
/// never valid where a token is expected, so a truncated document always ends
/// in a syntax error instead of an out-of-bounds read.
///
/// Strings must be valid UTF-8, control characters must be escaped, and a
/// `\u` escape of a UTF-16 surrogate must form a high+low pair (a lone
/// surrogate cannot become a Unicode scalar, so it is rejected).
public struct JSONScanner {
    public let base: UnsafePointer<UInt8>
    public let count: Int
    public let maxDepth: Int
    public var position: Int

    /// The bytes of a string token without its quotes.
    public struct StringSpan {
        /// Offset of the first byte after the opening quote.
        public var start: Int
        /// Offset of the closing quote.
        public var end: Int
        /// Whether the raw bytes contain a backslash escape.
        public var hasEscapes: Bool

        @inlinable public init(start: Int, end: Int, hasEscapes: Bool) {
            self.start = start
            self.end = end
            self.hasEscapes = hasEscapes
        }
    }

    @inlinable public init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
        self.position = 0
        // RFC 8259 §8.1: a parser may ignore a leading byte order mark.
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            position = 3
        }
    }

    // MARK: Bytes

    @inlinable @inline(__always)
    public func byte(at offset: Int) -> UInt8 {
        offset < count ? base[offset] : 0
    }

    @inlinable @inline(__always)
    public var current: UInt8 { byte(at: position) }

    @inlinable @inline(__always)
    public func failure(_ kind: JSONParseError.Kind, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(kind: kind, offset: min(offset ?? position, count))
    }

    /// After a member or element: consumes the `,` that announces another one (true) or the
    /// `close` that ends the object or array (false), with the whitespace around a comma;
    /// anything else is a syntax error at that byte.
    @inlinable @inline(__always)
    public mutating func moreItems(before close: UInt8) throws(JSONParseError) -> Bool {
        skipWhitespace()
        let b = current
        if b == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
            return true
        }
        guard b == close else { throw failure(.syntax) }
        position += 1
        return false
    }

    @inlinable @inline(__always)
    public mutating func skipWhitespace() {
        while position < count {
            let b = base[position]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            position += 1
        }
    }

    /// Consumes `byte` or fails.
    @inlinable @inline(__always)
    public mutating func expect(_ byte: UInt8) throws(JSONParseError) {
        guard current == byte else { throw failure(.syntax) }
        position += 1
    }

    /// After the top-level value: only whitespace may follow.
    @inlinable public mutating func finish() throws(JSONParseError) {
        skipWhitespace()
        guard position == count else { throw failure(.syntax) }
    }

    // MARK: Literals

    /// Consumes `true`, `false` or `null` starting at the cursor.
    @inlinable public mutating func skipLiteral() throws(JSONParseError) {
        let p = position
        switch byte(at: p) {
        case UInt8(ascii: "t"):
            guard byte(at: p + 1) == UInt8(ascii: "r"), byte(at: p + 2) == UInt8(ascii: "u"),
                  byte(at: p + 3) == UInt8(ascii: "e") else { throw failure(.syntax) }
            position = p + 4
        case UInt8(ascii: "f"):
            guard byte(at: p + 1) == UInt8(ascii: "a"), byte(at: p + 2) == UInt8(ascii: "l"),
                  byte(at: p + 3) == UInt8(ascii: "s"), byte(at: p + 4) == UInt8(ascii: "e")
            else { throw failure(.syntax) }
            position = p + 5
        case UInt8(ascii: "n"):
            guard byte(at: p + 1) == UInt8(ascii: "u"), byte(at: p + 2) == UInt8(ascii: "l"),
                  byte(at: p + 3) == UInt8(ascii: "l") else { throw failure(.syntax) }
            position = p + 4
        default:
            throw failure(.syntax)
        }
    }

    // MARK: Strings

    /// Scans a string token (the cursor is on its opening quote), validating
    /// escapes and UTF-8, and leaves the cursor after the closing quote.
    @inlinable public mutating func scanString() throws(JSONParseError) -> StringSpan {
        var p = position + 1
        let start = p
        var escapes = false
        while p < count {
            let b = base[p]
            if b >= 0x20 && b < 0x80 && b != 0x22 && b != 0x5C {
                p += 1
                continue
            }
            if b == 0x22 {
                position = p + 1
                return StringSpan(start: start, end: p, hasEscapes: escapes)
            }
            if b == 0x5C {
                escapes = true
                p = try skipEscape(at: p)
            } else if b < 0x20 {
                throw failure(.syntax, at: p)
            } else {
                p = try skipUTF8Sequence(at: p)
            }
        }
        throw failure(.syntax, at: p)
    }

    /// Validates the escape at `p` (a backslash); returns the offset after it.
    @inlinable @inline(__always)
    public func skipEscape(at p: Int) throws(JSONParseError) -> Int {
        switch byte(at: p + 1) {
        case 0x22, 0x5C, 0x2F, UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
             UInt8(ascii: "r"), UInt8(ascii: "t"):
            return p + 2
        case UInt8(ascii: "u"):
            let unit = try hex4(at: p + 2)
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard byte(at: p + 6) == 0x5C, byte(at: p + 7) == UInt8(ascii: "u") else {
                    throw failure(.syntax, at: p)
                }
                let low = try hex4(at: p + 8)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw failure(.syntax, at: p) }
                return p + 12
            }
            guard unit < 0xDC00 || unit > 0xDFFF else { throw failure(.syntax, at: p) }
            return p + 6
        default:
            throw failure(.syntax, at: p)
        }
    }

    @inlinable @inline(__always)
    public func hex4(at p: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 {
            let b = byte(at: p + i)
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b &- UInt8(ascii: "A") &+ 10
            default: throw failure(.syntax, at: p + i)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence (Unicode Table 3-7) starting at
    /// `p`; returns the offset after it.
    @inlinable @inline(__always)
    public func skipUTF8Sequence(at p: Int) throws(JSONParseError) -> Int {
        @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        let lead = byte(at: p)
        switch lead {
        case 0xC2...0xDF:
            guard isContinuation(byte(at: p + 1)) else { break }
            return p + 2
        case 0xE0...0xEF:
            let b1 = byte(at: p + 1)
            let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80
            let high: UInt8 = lead == 0xED ? 0x9F : 0xBF
            guard b1 >= low, b1 <= high, isContinuation(byte(at: p + 2)) else { break }
            return p + 3
        case 0xF0...0xF4:
            let b1 = byte(at: p + 1)
            let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF
            guard b1 >= low, b1 <= high, isContinuation(byte(at: p + 2)),
                  isContinuation(byte(at: p + 3)) else { break }
            return p + 4
        default:
            break
        }
        throw failure(.syntax, at: p)
    }

    /// The unescaped UTF-8 bytes of an already validated string token.
    @inlinable public func unescapedBytes(_ span: StringSpan) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(span.end - span.start)
        var p = span.start
        while p < span.end {
            let b = base[p]
            guard b == 0x5C else {
                out.append(b)
                p += 1
                continue
            }
            let e = byte(at: p + 1)
            switch e {
            case UInt8(ascii: "b"): out.append(0x08); p += 2
            case UInt8(ascii: "f"): out.append(0x0C); p += 2
            case UInt8(ascii: "n"): out.append(0x0A); p += 2
            case UInt8(ascii: "r"): out.append(0x0D); p += 2
            case UInt8(ascii: "t"): out.append(0x09); p += 2
            case UInt8(ascii: "u"):
                // Validated by `scanString`; a failure here cannot happen, but
                // it degrades to U+FFFD instead of trapping.
                var scalar: UInt32 = 0xFFFD
                var next = p + 6
                if let unit = try? hex4(at: p + 2) {
                    if unit >= 0xD800 && unit <= 0xDBFF, let low = try? hex4(at: p + 8) {
                        scalar = 0x10000 + ((unit - 0xD800) << 10) + (low &- 0xDC00)
                        next = p + 12
                    } else {
                        scalar = unit
                    }
                }
                Self.appendUTF8(scalar, to: &out)
                p = next
            default:
                out.append(e) // `"`, `\` and `/` stand for themselves
                p += 2
            }
        }
        return out
    }

    @inlinable public static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(truncatingIfNeeded: scalar))
        case 0x80..<0x800:
            out.append(0xC0 | UInt8(truncatingIfNeeded: scalar >> 6))
            out.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        case 0x800..<0x10000:
            out.append(0xE0 | UInt8(truncatingIfNeeded: scalar >> 12))
            out.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 6) & 0x3F))
            out.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        default:
            out.append(0xF0 | UInt8(truncatingIfNeeded: (scalar >> 18) & 0x07))
            out.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 12) & 0x3F))
            out.append(0x80 | UInt8(truncatingIfNeeded: (scalar >> 6) & 0x3F))
            out.append(0x80 | UInt8(truncatingIfNeeded: scalar & 0x3F))
        }
    }

    @inlinable public func string(_ span: StringSpan) -> String {
        if span.hasEscapes {
            return String(decoding: unescapedBytes(span), as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(start: base + span.start, count: span.end - span.start),
                      as: UTF8.self)
    }

    /// Runs `body` on the unescaped bytes of a validated string token, copying
    /// only when the token contains escapes.
    @inlinable public func withUnescapedBytes<R>(_ span: StringSpan, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if span.hasEscapes {
            return unescapedBytes(span).withUnsafeBufferPointer(body)
        }
        return body(UnsafeBufferPointer(start: base + span.start, count: span.end - span.start))
    }

    // MARK: Numbers

    @inlinable @inline(__always)
    public static func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

    /// Checks the grammar of a number token and leaves the cursor after it.
    @inlinable public mutating func skipNumber() throws(JSONParseError) {
        var p = position
        if byte(at: p) == UInt8(ascii: "-") { p += 1 }
        let first = byte(at: p)
        if first == UInt8(ascii: "0") {
            p += 1
        } else if Self.isDigit(first) {
            p += 1
            while Self.isDigit(byte(at: p)) { p += 1 }
        } else {
            throw failure(.syntax, at: p)
        }
        if byte(at: p) == UInt8(ascii: ".") {
            p += 1
            guard Self.isDigit(byte(at: p)) else { throw failure(.syntax, at: p) }
            while Self.isDigit(byte(at: p)) { p += 1 }
        }
        let e = byte(at: p)
        if e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            p += 1
            let sign = byte(at: p)
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { p += 1 }
            guard Self.isDigit(byte(at: p)) else { throw failure(.syntax, at: p) }
            while Self.isDigit(byte(at: p)) { p += 1 }
        }
        position = p
    }

    /// Reads a number token, correctly rounded to the nearest Double. Values
    /// beyond the Double range become ±infinity (the caller decides whether
    /// that is acceptable); values below it become ±0.
    @inlinable public mutating func readNumber() throws(JSONParseError) -> Double {
        let start = position
        var p = position
        var negative = false
        if byte(at: p) == UInt8(ascii: "-") {
            negative = true
            p += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0     // digits held in `mantissa` (at most 19)
        var exponent = 0        // value = mantissa · 10^exponent (before dropped digits)
        var dropped = false     // a nonzero digit did not fit in `mantissa`

        let first = byte(at: p)
        if first == UInt8(ascii: "0") {
            p += 1
        } else if Self.isDigit(first) {
            while true {
                let d = byte(at: p) &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    significant += 1
                } else {
                    exponent += 1
                    if d != 0 { dropped = true }
                }
                p += 1
            }
        } else {
            throw failure(.syntax, at: p)
        }
        if byte(at: p) == UInt8(ascii: ".") {
            p += 1
            guard Self.isDigit(byte(at: p)) else { throw failure(.syntax, at: p) }
            while true {
                let d = byte(at: p) &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if mantissa == 0 && d == 0 {
                    exponent -= 1
                } else if significant < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                    significant += 1
                    exponent -= 1
                } else if d != 0 {
                    dropped = true
                }
                p += 1
            }
        }
        let e = byte(at: p)
        if e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            p += 1
            var exponentNegative = false
            let sign = byte(at: p)
            if sign == UInt8(ascii: "+") {
                p += 1
            } else if sign == UInt8(ascii: "-") {
                exponentNegative = true
                p += 1
            }
            guard Self.isDigit(byte(at: p)) else { throw failure(.syntax, at: p) }
            var explicit = 0
            while true {
                let d = byte(at: p) &- UInt8(ascii: "0")
                guard d < 10 else { break }
                // Saturate far beyond any digit count a document can hold.
                if explicit < 100_000_000_000_000_000 { explicit = explicit * 10 + Int(d) }
                p += 1
            }
            exponent += exponentNegative ? -explicit : explicit
        }
        position = p

        let magnitude: Double
        if mantissa == 0 {
            magnitude = 0
        } else if !dropped, let exact = DecimalConversion.convert(mantissa: mantissa, exponent: exponent) {
            magnitude = exact
        } else if exponent + significant > 310 {
            // ≥ 10^310 > Double.greatestFiniteMagnitude
            magnitude = .infinity
        } else if exponent + significant < -330 {
            // < 10^-330, below half the smallest subnormal
            magnitude = 0
        } else {
            let text = UnsafeBufferPointer(start: base + start, count: p - start)
            return DecimalConversion.fallback(text)
        }
        return negative ? -magnitude : magnitude
    }

    // MARK: Skipping whole values

    /// Validates one value of any kind. `depth` is the number of containers
    /// already open around it.
    @inlinable public mutating func skipValue(depth: Int) throws(JSONParseError) {
        switch current {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"):
            try skipObject(depth: depth + 1)
        case UInt8(ascii: "["):
            try skipArray(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            try skipLiteral()
        default:
            throw failure(.syntax)
        }
    }

    /// The cursor is on `{`; `depth` counts this object.
    @inlinable public mutating func skipObject(depth: Int) throws(JSONParseError) {
        guard depth <= maxDepth else { throw failure(.tooDeep) }
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failure(.syntax) }
            _ = try scanString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try skipValue(depth: depth)
            guard try moreItems(before: UInt8(ascii: "}")) else { return }
        }
    }

    /// The cursor is on `[`; `depth` counts this array.
    @inlinable public mutating func skipArray(depth: Int) throws(JSONParseError) {
        guard depth <= maxDepth else { throw failure(.tooDeep) }
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return
        }
        while true {
            try skipValue(depth: depth)
            guard try moreItems(before: UInt8(ascii: "]")) else { return }
        }
    }

    // MARK: Building values

    @inlinable public mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        switch current {
        case UInt8(ascii: "\""):
            return .string(string(try scanString()))
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try readNumber())
        case UInt8(ascii: "t"):
            try skipLiteral()
            return .bool(true)
        case UInt8(ascii: "f"):
            try skipLiteral()
            return .bool(false)
        case UInt8(ascii: "n"):
            try skipLiteral()
            return .null
        default:
            throw failure(.syntax)
        }
    }

    @inlinable public mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw failure(.tooDeep) }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            guard current == UInt8(ascii: "\"") else { throw failure(.syntax) }
            let keyOffset = position
            let key = string(try scanString())
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let value = try parseValue(depth: depth)
            guard members.updateValue(value, forKey: key) == nil else {
                throw failure(.duplicateKey, at: keyOffset)
            }
            guard try moreItems(before: UInt8(ascii: "}")) else { return .object(members) }
        }
    }

    @inlinable public mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw failure(.tooDeep) }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            guard try moreItems(before: UInt8(ascii: "]")) else { return .array(elements) }
        }
    }
}
