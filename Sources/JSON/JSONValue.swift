#if canImport(Glibc)
import Glibc // libm: rounding used by Double → Int64 conversions
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed JSON document (RFC 8259).
///
/// Numbers are held as the nearest Double (correctly rounded); a number too
/// large for a Double becomes ±infinity, one too small ±0. Objects are
/// dictionaries: a document repeating a key within one object is rejected
/// (`JSONParseError.Kind.duplicateKey`) rather than silently keeping one value.
/// Keys compare as Swift strings, so two canonically equivalent spellings
/// (`"é"` precomposed and decomposed) count as the same key.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The deepest nesting of arrays and objects accepted by default.
    public static let defaultMaxDepth = 64
    /// The largest document accepted by default, in bytes (1 MiB).
    public static let defaultMaxBytes = 1 << 20

    /// Parses one complete document; anything but whitespace after the value
    /// is an error.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth,
                             maxBytes: Int = defaultMaxBytes) -> Result<JSONValue, JSONParseError> {
        bytes.withUnsafeBufferPointer { parse($0, maxDepth: maxDepth, maxBytes: maxBytes) }
    }

    public static func parse(_ text: String, maxDepth: Int = defaultMaxDepth,
                             maxBytes: Int = defaultMaxBytes) -> Result<JSONValue, JSONParseError> {
        var text = text
        return text.withUTF8 { parse($0, maxDepth: maxDepth, maxBytes: maxBytes) }
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth,
                             maxBytes: Int = defaultMaxBytes) -> Result<JSONValue, JSONParseError> {
        guard buffer.count <= maxBytes else {
            return .failure(JSONParseError(kind: .tooLarge, offset: 0))
        }
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            return .failure(JSONParseError(kind: .syntax, offset: 0))
        }
        var scanner = JSONScanner(base: base, count: buffer.count, maxDepth: maxDepth)
        do throws(JSONParseError) {
            scanner.skipWhitespace()
            let value = try scanner.parseValue(depth: 0)
            try scanner.finish()
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    /// Checks that `buffer` is one well-formed document without building it.
    public static func validate(_ buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int = defaultMaxDepth,
                                maxBytes: Int = defaultMaxBytes) -> JSONParseError? {
        guard buffer.count <= maxBytes else { return JSONParseError(kind: .tooLarge, offset: 0) }
        guard let base = buffer.baseAddress, buffer.count > 0 else {
            return JSONParseError(kind: .syntax, offset: 0)
        }
        var scanner = JSONScanner(base: base, count: buffer.count, maxDepth: maxDepth)
        do throws(JSONParseError) {
            scanner.skipWhitespace()
            try scanner.skipValue(depth: 0)
            try scanner.finish()
            return nil
        } catch {
            return error
        }
    }

    // MARK: Access

    /// The member `key` of an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let elements) = self, elements.indices.contains(index) { return elements[index] }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The number as an Int64 when it is integral and in range.
    public var int64Value: Int64? {
        guard case .number(let value) = self else { return nil }
        return Int64(exactly: value)
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }
}

/// Why a byte sequence is not an acceptable JSON document.
public struct JSONParseError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Not RFC 8259 JSON: bad token, truncation, trailing bytes, invalid
        /// UTF-8 or escape, unpaired surrogate escape.
        case syntax
        /// Arrays and objects nested deeper than the limit.
        case tooDeep
        /// The document is larger than the limit.
        case tooLarge
        /// One object names the same key twice.
        case duplicateKey
    }

    public var kind: Kind
    /// Byte offset at which the problem was found.
    public var offset: Int

    public init(kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}
