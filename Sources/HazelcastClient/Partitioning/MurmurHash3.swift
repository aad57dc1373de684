/// MurmurHash3 x86 32-bit, as Hazelcast uses it to place keys in partitions.
package enum MurmurHash3 {
    /// The seed Hazelcast uses for partition hashing.
    package static let hazelcastSeed: UInt32 = 0x0100_0193

    /// Hashes `data` (4-byte blocks read little-endian) and returns the result as a signed int32.
    package static func x86_32<Bytes: Collection>(_ data: Bytes, seed: UInt32) -> Int32 where Bytes.Element == UInt8 {
        let c1: UInt32 = 0xcc9e_2d51
        let c2: UInt32 = 0x1b87_3593
        var h1 = seed
        var iterator = data.makeIterator()
        var length: UInt32 = 0
        var tail: [UInt8] = []
        tail.reserveCapacity(4)
        while let byte = iterator.next() {
            length &+= 1
            tail.append(byte)
            guard tail.count == 4 else { continue }
            var k1 = UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24
            tail.removeAll(keepingCapacity: true)
            k1 &*= c1
            k1 = rotateLeft(k1, 15)
            k1 &*= c2
            h1 ^= k1
            h1 = rotateLeft(h1, 13)
            h1 = h1 &* 5 &+ 0xe654_6b64
        }
        if !tail.isEmpty {
            var k1: UInt32 = 0
            for (index, byte) in tail.enumerated() { k1 ^= UInt32(byte) << UInt32(8 * index) }
            k1 &*= c1
            k1 = rotateLeft(k1, 15)
            k1 &*= c2
            h1 ^= k1
        }
        h1 ^= length
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
