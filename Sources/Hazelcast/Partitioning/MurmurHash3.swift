/// MurmurHash3 x86 32-bit, as Hazelcast uses it to place keys in partitions.
package enum MurmurHash3 {
    /// The seed Hazelcast uses for partition hashing.
    package static let hazelcastSeed: UInt32 = 0x0100_0193

    /// Hashes `data` (4-byte blocks read little-endian) and returns the result as a signed int32.
    package static func x86_32<Bytes: Collection>(_ data: Bytes, seed: UInt32) -> Int32 where Bytes.Element == UInt8 {
        if let hash = data.withContiguousStorageIfAvailable({ x86_32(UnsafeRawBufferPointer($0), seed: seed) }) {
            return hash
        }
        return Array(data).withUnsafeBytes { x86_32($0, seed: seed) }
    }

    /// Hashes the bytes of `data`.
    package static func x86_32(_ data: UnsafeRawBufferPointer, seed: UInt32) -> Int32 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h1 = seed
        let blockEnd = data.count & ~3
        var offset = 0
        while offset < blockEnd {
            var k1 = UInt32(data[offset]) | UInt32(data[offset + 1]) << 8
                | UInt32(data[offset + 2]) << 16 | UInt32(data[offset + 3]) << 24
            k1 &*= c1
            k1 = rotateLeft(k1, 15)
            k1 &*= c2
            h1 ^= k1
            h1 = rotateLeft(h1, 13)
            h1 = h1 &* 5 &+ 0xe654_6b64
            offset += 4
        }
        if blockEnd < data.count {
            var k1: UInt32 = 0
            for index in blockEnd..<data.count { k1 ^= UInt32(data[index]) << UInt32(8 * (index - blockEnd)) }
            k1 &*= c1
            k1 = rotateLeft(k1, 15)
            k1 &*= c2
            h1 ^= k1
        }
        h1 ^= UInt32(truncatingIfNeeded: data.count)
        h1 ^= h1 >> 16
        h1 &*= 0x85eb_ca6b
        h1 ^= h1 >> 13
        h1 &*= 0xc2b2_ae35
        h1 ^= h1 >> 16
        return Int32(bitPattern: h1)
    }

    private static func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value << count) | (value >> (32 - count))
    }
}
