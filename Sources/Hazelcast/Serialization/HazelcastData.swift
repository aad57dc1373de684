/// A serialized value as a member stores it: `int32 BE partition hash` (0: none), `int32 BE type id`, payload.
public struct HazelcastData: Sendable, Hashable, CustomStringConvertible {
    /// Type id of `java.lang.String` (what `json.dumps(...)` stores through the Python client).
    public static let stringTypeId: Int32 = -11
    /// Type id of `HazelcastJsonValue`.
    public static let jsonValueTypeId: Int32 = -130
    /// Size of the partition hash and type id header.
    public static let headerSize = 8

    /// The raw bytes, header included.
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Hashes the bytes as one block (the synthesized form would feed them one at a time;
    /// keys are hashed for every batched read).
    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (lhs: HazelcastData, rhs: HazelcastData) -> Bool {
        lhs.bytes == rhs.bytes
    }

    /// A String value (type −11).
    public init(string: String) {
        self.init(text: string, typeId: HazelcastData.stringTypeId)
    }

    /// A HazelcastJsonValue (type −130) holding `json` verbatim.
    public init(jsonValue json: String) {
        self.init(text: json, typeId: HazelcastData.jsonValueTypeId)
    }

    /// A String value (type −11) of text already encoded as UTF-8 (a JSON document a writer
    /// produced as bytes), without a round trip through `String`.
    public init(stringUTF8 utf8: [UInt8]) {
        self.init(utf8: utf8, typeId: HazelcastData.stringTypeId)
    }

    private init(text: String, typeId: Int32) {
        self.init(utf8: Array(text.utf8), typeId: typeId)
    }

    private init(utf8: [UInt8], typeId: Int32) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(HazelcastData.headerSize + 4 + utf8.count)
        HazelcastData.appendBigEndian(0, to: &bytes)
        HazelcastData.appendBigEndian(typeId, to: &bytes)
        HazelcastData.appendBigEndian(Int32(truncatingIfNeeded: utf8.count), to: &bytes)
        bytes.append(contentsOf: utf8)
        self.bytes = bytes
    }

    /// The type id, or nil when the bytes are too short to hold a header.
    public var typeId: Int32? {
        bytes.count >= HazelcastData.headerSize ? HazelcastData.readBigEndian(bytes, at: 4) : nil
    }

    /// The hash that places the value in a partition: the explicit partition hash when non-zero,
    /// else MurmurHash3 of the payload.
    public var partitionHash: Int32 {
        if bytes.count >= 4 {
            let explicit = HazelcastData.readBigEndian(bytes, at: 0)
            if explicit != 0 { return explicit }
        }
        let payloadStart = min(bytes.count, HazelcastData.headerSize)
        return bytes.withUnsafeBytes { raw in
            MurmurHash3.x86_32(UnsafeRawBufferPointer(rebasing: raw[payloadStart...]), seed: MurmurHash3.hazelcastSeed)
        }
    }

    /// The partition this value belongs to, given the cluster's partition count.
    public func partitionId(partitionCount: Int) -> Int {
        PartitionIndex.of(hash: partitionHash, partitionCount: partitionCount)
    }

    /// Decodes a String (−11) or HazelcastJsonValue (−130) value; any other type id, a bad
    /// length or invalid UTF-8 throws.
    public func decodeText() throws(HazelcastDataError) -> HazelcastText {
        let (kind, utf8) = try textBytes()
        return HazelcastText(kind: kind, text: String(decoding: utf8, as: UTF8.self))
    }

    /// The UTF-8 bytes of a String (−11) or HazelcastJsonValue (−130) value, checked as
    /// `decodeText()` checks them but without building a String.
    public func textBytes() throws(HazelcastDataError) -> (kind: HazelcastText.Kind, utf8: ArraySlice<UInt8>) {
        guard bytes.count >= HazelcastData.headerSize else {
            throw .tooShort(byteCount: bytes.count)
        }
        let kind: HazelcastText.Kind
        switch HazelcastData.readBigEndian(bytes, at: 4) {
        case HazelcastData.stringTypeId: kind = .string
        case HazelcastData.jsonValueTypeId: kind = .jsonValue
        case let other: throw .unsupportedType(typeId: other)
        }
        guard bytes.count >= HazelcastData.headerSize + 4 else {
            throw .tooShort(byteCount: bytes.count)
        }
        let declared = Int(HazelcastData.readBigEndian(bytes, at: HazelcastData.headerSize))
        let available = bytes.count - HazelcastData.headerSize - 4
        guard declared >= 0 else { throw .nullString }
        guard declared == available else { throw .lengthMismatch(declared: declared, available: available) }
        let utf8 = bytes[(HazelcastData.headerSize + 4)...]
        guard Self.isValidUTF8(utf8) else { throw .invalidUTF8 }
        return (kind, utf8)
    }

    /// ASCII (what `json.dumps` writes by default) is checked byte by byte; anything else goes
    /// through the standard library's validation.
    private static func isValidUTF8(_ utf8: ArraySlice<UInt8>) -> Bool {
        let isASCII = utf8.withUnsafeBytes { raw in
            var combined: UInt8 = 0
            for byte in raw { combined |= byte }
            return combined < 0x80
        }
        return isASCII || String(validating: utf8, as: UTF8.self) != nil
    }

    public var description: String {
        let hex = bytes.prefix(64).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
        return "HazelcastData(\(bytes.count) bytes: \(hex)\(bytes.count > 64 ? "…" : ""))"
    }

    private static func appendBigEndian(_ value: Int32, to bytes: inout [UInt8]) {
        let raw = UInt32(bitPattern: value)
        bytes.append(UInt8(truncatingIfNeeded: raw >> 24))
        bytes.append(UInt8(truncatingIfNeeded: raw >> 16))
        bytes.append(UInt8(truncatingIfNeeded: raw >> 8))
        bytes.append(UInt8(truncatingIfNeeded: raw))
    }

    /// Callers guarantee `offset + 4 <= bytes.count`.
    private static func readBigEndian(_ bytes: [UInt8], at offset: Int) -> Int32 {
        let raw = UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
        return Int32(bitPattern: raw)
    }
}

/// The text held by a String or HazelcastJsonValue value.
public struct HazelcastText: Sendable, Equatable {
    /// Which serialized type carried the text.
    public enum Kind: Sendable, Equatable {
        /// `java.lang.String` (type −11).
        case string
        /// `HazelcastJsonValue` (type −130).
        case jsonValue
    }

    public var kind: Kind
    public var text: String

    public init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// Why a value could not be decoded as text.
public enum HazelcastDataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer bytes than the header and length need.
    case tooShort(byteCount: Int)
    /// Neither String (−11) nor HazelcastJsonValue (−130).
    case unsupportedType(typeId: Int32)
    /// The length field is −1 (a null string) or negative.
    case nullString
    /// The length field disagrees with the bytes present.
    case lengthMismatch(declared: Int, available: Int)
    /// The payload is not valid UTF-8.
    case invalidUTF8

    public var description: String {
        switch self {
        case .tooShort(let count): return "value too short (\(count) bytes)"
        case .unsupportedType(let typeId): return "unsupported value type id \(typeId) (expected -11 String or -130 HazelcastJsonValue)"
        case .nullString: return "value holds a null string"
        case .lengthMismatch(let declared, let available): return "value declares \(declared) bytes of text but holds \(available)"
        case .invalidUTF8: return "value is not valid UTF-8"
        }
    }
}
