/// One frame of the Hazelcast Open Binary Client Protocol: `int32 LE length` (header included),
/// `uint16 LE flags`, then the content.
package struct Frame: Sendable, Equatable {
    /// Size of the length and flags header in front of every frame.
    package static let headerSize = 6

    package var flags: UInt16
    package var content: [UInt8]

    package init(flags: UInt16 = 0, content: [UInt8] = []) {
        self.flags = flags
        self.content = content
    }

    /// The size of the frame on the wire.
    package var encodedSize: Int { Frame.headerSize + content.count }

    package func has(_ flag: UInt16) -> Bool { flags & flag == flag }

    package var isBeginStructure: Bool { has(FrameFlags.beginDataStructure) }
    package var isEndStructure: Bool { has(FrameFlags.endDataStructure) }
    package var isNull: Bool { has(FrameFlags.isNull) }
    package var isFinal: Bool { has(FrameFlags.isFinal) }

    /// Appends the wire form of this frame to `buffer`.
    package func encode(into buffer: inout [UInt8]) {
        let length = UInt32(truncatingIfNeeded: encodedSize)
        buffer.append(UInt8(truncatingIfNeeded: length))
        buffer.append(UInt8(truncatingIfNeeded: length >> 8))
        buffer.append(UInt8(truncatingIfNeeded: length >> 16))
        buffer.append(UInt8(truncatingIfNeeded: length >> 24))
        buffer.append(UInt8(truncatingIfNeeded: flags))
        buffer.append(UInt8(truncatingIfNeeded: flags >> 8))
        buffer.append(contentsOf: content)
    }

    /// An empty frame that opens a nested structure.
    package static var begin: Frame { Frame(flags: FrameFlags.beginDataStructure) }
    /// An empty frame that closes a nested structure.
    package static var end: Frame { Frame(flags: FrameFlags.endDataStructure) }
    /// An empty frame standing for a null value.
    package static var null: Frame { Frame(flags: FrameFlags.isNull) }
}

/// Frame flag bits.
package enum FrameFlags {
    package static let beginFragment: UInt16 = 1 << 15
    package static let endFragment: UInt16 = 1 << 14
    package static let unfragmented: UInt16 = beginFragment | endFragment
    package static let isFinal: UInt16 = 1 << 13
    package static let beginDataStructure: UInt16 = 1 << 12
    package static let endDataStructure: UInt16 = 1 << 11
    package static let isNull: UInt16 = 1 << 10
    package static let isEvent: UInt16 = 1 << 9
    package static let backupAware: UInt16 = 1 << 8
    package static let backupEvent: UInt16 = 1 << 7
}
