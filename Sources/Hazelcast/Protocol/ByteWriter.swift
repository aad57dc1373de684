import Foundation

/// Appends little-endian fixed-size fields to a byte array.
package struct ByteWriter: Sendable {
    package private(set) var bytes: [UInt8]

    package init(capacity: Int = 32) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    package mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }
    package mutating func writeInt8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    package mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    package mutating func writeInt32(_ value: Int32) {
        let raw = UInt32(bitPattern: value)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: raw >> UInt32(shift))) }
    }

    package mutating func writeInt64(_ value: Int64) {
        let raw = UInt64(bitPattern: value)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: raw >> UInt64(shift))) }
    }

    /// A UUID takes 17 bytes: an is-null byte, then the most and least significant halves as int64 LE.
    package mutating func writeUUID(_ value: UUID?) {
        guard let value else {
            writeBool(true)
            writeInt64(0)
            writeInt64(0)
            return
        }
        writeBool(false)
        let (msb, lsb) = value.hazelcastHalves
        writeInt64(msb)
        writeInt64(lsb)
    }
}

/// Bounds-checked little-endian reads from a frame's content; short input throws, never traps.
package struct ByteReader: Sendable {
    package let bytes: [UInt8]
    package let what: String

    package init(_ bytes: [UInt8], what: String) {
        self.bytes = bytes
        self.what = what
    }

    package func has(_ count: Int, at offset: Int) -> Bool {
        offset >= 0 && count >= 0 && offset <= bytes.count - count
    }

    private func require(_ count: Int, at offset: Int) throws(HazelcastError) {
        guard has(count, at: offset) else {
            throw .protocol("\(what): needs \(count) byte(s) at offset \(offset), frame has \(bytes.count)")
        }
    }

    package func uint8(at offset: Int) throws(HazelcastError) -> UInt8 {
        try require(1, at: offset)
        return bytes[offset]
    }

    package func int8(at offset: Int) throws(HazelcastError) -> Int8 {
        Int8(bitPattern: try uint8(at: offset))
    }

    package func bool(at offset: Int) throws(HazelcastError) -> Bool {
        try uint8(at: offset) != 0
    }

    package func int32(at offset: Int) throws(HazelcastError) -> Int32 {
        try require(4, at: offset)
        var raw: UInt32 = 0
        for index in 0..<4 { raw |= UInt32(bytes[offset + index]) << UInt32(8 * index) }
        return Int32(bitPattern: raw)
    }

    package func int64(at offset: Int) throws(HazelcastError) -> Int64 {
        try require(8, at: offset)
        var raw: UInt64 = 0
        for index in 0..<8 { raw |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
        return Int64(bitPattern: raw)
    }

    package func uuid(at offset: Int) throws(HazelcastError) -> UUID? {
        try require(ByteReader.uuidSize, at: offset)
        if try bool(at: offset) { return nil }
        return UUID(hazelcastMSB: try int64(at: offset + 1), lsb: try int64(at: offset + 9))
    }

    package static let uuidSize = 17
}

extension UUID {
    /// The most and least significant 64 bits, as Java's `java.util.UUID` holds them.
    package var hazelcastHalves: (msb: Int64, lsb: Int64) {
        let u = uuid
        let first = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7]
        let second = [u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        func pack(_ bytes: [UInt8]) -> Int64 {
            Int64(bitPattern: bytes.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) })
        }
        return (pack(first), pack(second))
    }

    /// Builds a UUID from Java's most and least significant 64-bit halves.
    package init(hazelcastMSB msb: Int64, lsb: Int64) {
        let m = UInt64(bitPattern: msb)
        let l = UInt64(bitPattern: lsb)
        func byte(_ value: UInt64, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> UInt64(56 - 8 * index)) }
        self.init(uuid: (
            byte(m, 0), byte(m, 1), byte(m, 2), byte(m, 3), byte(m, 4), byte(m, 5), byte(m, 6), byte(m, 7),
            byte(l, 0), byte(l, 1), byte(l, 2), byte(l, 3), byte(l, 4), byte(l, 5), byte(l, 6), byte(l, 7)
        ))
    }
}
