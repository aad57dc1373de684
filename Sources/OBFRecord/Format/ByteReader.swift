/// Why a record could not be read.
public struct RecordFormatError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(_ message: String) { self.message = message }
}

/// Reads what `ByteWriter` wrote, checking every length against what is left.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], from offset: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = offset
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    private mutating func take(_ count: Int) throws(RecordFormatError) -> Int {
        guard count >= 0, count <= remaining else { throw RecordFormatError("record truncated at byte \(offset)") }
        defer { offset += count }
        return offset
    }

    mutating func u8() throws(RecordFormatError) -> UInt8 {
        bytes[try take(1)]
    }

    mutating func u32() throws(RecordFormatError) -> UInt32 {
        let start = try take(4)
        var value: UInt32 = 0
        for index in (0..<4).reversed() { value = value << 8 | UInt32(bytes[start + index]) }
        return value
    }

    mutating func u64() throws(RecordFormatError) -> UInt64 {
        let start = try take(8)
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[start + index]) }
        return value
    }

    mutating func i64() throws(RecordFormatError) -> Int64 { Int64(bitPattern: try u64()) }

    mutating func f64() throws(RecordFormatError) -> Double { Double(bitPattern: try u64()) }

    mutating func varint() throws(RecordFormatError) -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try u8()
            guard shift < 63 else { throw RecordFormatError("varint too long at byte \(offset)") }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard value <= UInt64(Int.max) else { throw RecordFormatError("varint out of range at byte \(offset)") }
        return Int(value)
    }

    mutating func bool() throws(RecordFormatError) -> Bool {
        switch try u8() {
        case 0: return false
        case 1: return true
        case let other: throw RecordFormatError("flag \(other) is neither 0 nor 1 at byte \(offset - 1)")
        }
    }

    mutating func optionalF64() throws(RecordFormatError) -> Double? { try bool() ? try f64() : nil }

    mutating func optionalI64() throws(RecordFormatError) -> Int64? { try bool() ? try i64() : nil }

    mutating func blob() throws(RecordFormatError) -> [UInt8] {
        let count = try varint()
        let start = try take(count)
        return Array(bytes[start..<start + count])
    }

    mutating func string() throws(RecordFormatError) -> String {
        let count = try varint()
        let start = try take(count)
        return String(decoding: bytes[start..<start + count], as: UTF8.self)
    }

    mutating func doubles(max limit: Int) throws(RecordFormatError) -> [Double] {
        let count = try varint()
        guard count <= limit, count * 8 <= remaining else { throw RecordFormatError("\(count) numbers at byte \(offset)") }
        var values: [Double] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try f64()) }
        return values
    }
}
