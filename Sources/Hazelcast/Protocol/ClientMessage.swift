/// A protocol message: a chain of frames whose first frame is the initial frame
/// (message type, correlation id, then partition id or backup acks, then fixed-size fields).
package struct ClientMessage: Sendable, Equatable {
    package var frames: [Frame]

    package init(frames: [Frame]) {
        self.frames = frames
    }

    // Offsets inside the initial frame's content.
    package static let messageTypeOffset = 0
    package static let correlationIdOffset = 4
    package static let partitionIdOffset = 12
    /// Content size of a request or event header (type, correlation id, partition id).
    package static let requestHeaderSize = 16
    package static let eventHeaderSize = 16
    /// Content size of a response header (type, correlation id, backup acks).
    package static let responseHeaderSize = 13
    /// The smallest initial frame content an inbound message may have (type and correlation id).
    package static let minimumHeaderSize = 12

    private var header: ByteReader { ByteReader(frames.first?.content ?? [], what: "message header") }

    /// The message type, or -1 when the initial frame is too short to hold one.
    package var messageType: Int32 { (try? header.int32(at: Self.messageTypeOffset)) ?? -1 }

    /// The correlation id, or -1 when the initial frame is too short to hold one.
    package var correlationId: Int64 { (try? header.int64(at: Self.correlationIdOffset)) ?? -1 }

    /// The partition id of a request or event, or -1 when absent.
    package var partitionId: Int32 { (try? header.int32(at: Self.partitionIdOffset)) ?? -1 }

    /// The flags of the initial frame.
    package var initialFlags: UInt16 { frames.first?.flags ?? 0 }

    package var isEvent: Bool { initialFlags & FrameFlags.isEvent != 0 }

    package mutating func setCorrelationId(_ id: Int64) {
        overwriteHeader(at: Self.correlationIdOffset, with: UInt64(bitPattern: id), width: 8)
    }

    private mutating func overwriteHeader(at offset: Int, with value: UInt64, width: Int) {
        guard var first = frames.first, first.content.count >= offset + width else { return }
        for index in 0..<width {
            first.content[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(8 * index))
        }
        frames[0] = first
    }

    /// The wire form of the whole message.
    package func encoded() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(encodedSize)
        encode(into: &buffer)
        return buffer
    }

    /// The size of the whole message on the wire.
    package var encodedSize: Int { frames.reduce(0) { $0 + $1.encodedSize } }

    /// Appends the wire form of the whole message to `buffer`.
    package func encode(into buffer: inout [UInt8]) {
        for frame in frames { frame.encode(into: &buffer) }
    }

    /// Writes `id` into the correlation id field of the encoded, unfragmented message that starts
    /// at `start` in `bytes` (its initial frame's header comes first, then the message header).
    package static func patchCorrelationId(_ id: Int64, inMessageAt start: Int, of bytes: inout [UInt8]) {
        let offset = start + Frame.headerSize + correlationIdOffset
        guard offset + 8 <= bytes.count else { return }
        let raw = UInt64(bitPattern: id)
        for index in 0..<8 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: raw >> UInt64(8 * index))
        }
    }

    /// A cursor over the frames, for decoders.
    package func iterator(what: String) -> FrameIterator {
        FrameIterator(frames: frames, what: what)
    }

    // MARK: Building

    /// Starts a request: the initial frame holds type, a zero correlation id, the partition id and `fixed`.
    package static func request(type: Int32, partitionId: Int32 = -1, fixed: ByteWriter = ByteWriter()) -> ClientMessage {
        var header = ByteWriter(capacity: requestHeaderSize + fixed.bytes.count)
        header.writeInt32(type)
        header.writeInt64(0)
        header.writeInt32(partitionId)
        return ClientMessage(frames: [Frame(flags: FrameFlags.unfragmented, content: header.bytes + fixed.bytes)])
    }

    /// Starts a response: the initial frame holds type, correlation id, zero backup acks and `fixed`.
    package static func response(type: Int32, correlationId: Int64, fixed: ByteWriter = ByteWriter()) -> ClientMessage {
        var header = ByteWriter(capacity: responseHeaderSize + fixed.bytes.count)
        header.writeInt32(type)
        header.writeInt64(correlationId)
        header.writeUInt8(0)
        return ClientMessage(frames: [Frame(flags: FrameFlags.unfragmented, content: header.bytes + fixed.bytes)])
    }

    /// Starts an event: the initial frame holds type, the listener's correlation id, the partition id and `fixed`.
    package static func event(type: Int32, correlationId: Int64, partitionId: Int32 = -1, fixed: ByteWriter = ByteWriter()) -> ClientMessage {
        var header = ByteWriter(capacity: eventHeaderSize + fixed.bytes.count)
        header.writeInt32(type)
        header.writeInt64(correlationId)
        header.writeInt32(partitionId)
        return ClientMessage(frames: [Frame(flags: FrameFlags.unfragmented | FrameFlags.isEvent, content: header.bytes + fixed.bytes)])
    }

    package mutating func append(_ frame: Frame) {
        frames.append(frame)
    }

    /// Marks the last frame as the final one; call once all frames are added.
    package consuming func finished() -> ClientMessage {
        if let last = frames.indices.last {
            frames[last].flags |= FrameFlags.isFinal
        }
        return self
    }
}
