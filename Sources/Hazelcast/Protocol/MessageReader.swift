/// Cuts a byte stream into frames and messages, and reassembles fragmented messages
/// by fragmentation id. Malformed input throws; it never traps.
package struct MessageReader: Sendable {
    /// Frames larger than this are treated as corrupt input.
    package let maxFrameSize: Int
    /// Messages (after reassembly) larger than this are treated as corrupt input.
    package let maxMessageSize: Int
    /// At most this many fragmented messages may be in progress at once.
    package let maxOpenFragments: Int

    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var currentFrames: [Frame] = []
    private var currentSize = 0
    private var fragments: [Int64: (frames: [Frame], size: Int)] = [:]

    package init(maxFrameSize: Int = 64 << 20, maxMessageSize: Int = 256 << 20, maxOpenFragments: Int = 64) {
        self.maxFrameSize = maxFrameSize
        self.maxMessageSize = maxMessageSize
        self.maxOpenFragments = maxOpenFragments
    }

    /// Bytes received but not yet consumed.
    package var bufferedByteCount: Int { buffer.count - readIndex }

    package mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Consumes `count` raw bytes (for a connection preamble) if available.
    package mutating func takeRawBytes(_ count: Int) -> [UInt8]? {
        guard bufferedByteCount >= count else { return nil }
        defer { readIndex += count }
        return Array(buffer[readIndex..<(readIndex + count)])
    }

    /// The next complete message, or nil when more bytes are needed.
    package mutating func nextMessage() throws(HazelcastError) -> ClientMessage? {
        while let frame = try nextFrame() {
            currentSize += frame.encodedSize
            guard currentSize <= maxMessageSize else {
                throw .protocol("message exceeds \(maxMessageSize) bytes")
            }
            currentFrames.append(frame)
            guard frame.isFinal else { continue }
            let frames = currentFrames
            let size = currentSize
            // The next message likely has as many frames: one allocation instead of several regrowths.
            currentFrames = []
            currentFrames.reserveCapacity(frames.count)
            currentSize = 0
            if let message = try assemble(frames, size: size) {
                return message
            }
        }
        return nil
    }

    private mutating func nextFrame() throws(HazelcastError) -> Frame? {
        guard bufferedByteCount >= Frame.headerSize else { return nil }
        // The 6 header bytes are present (checked above): read them in place, without a copy.
        let at = readIndex
        let length = Int(Int32(bitPattern: UInt32(buffer[at]) | UInt32(buffer[at + 1]) << 8
            | UInt32(buffer[at + 2]) << 16 | UInt32(buffer[at + 3]) << 24))
        let flags = UInt16(buffer[at + 4]) | UInt16(buffer[at + 5]) << 8
        guard length >= Frame.headerSize else {
            throw .protocol("frame length \(length) is shorter than the \(Frame.headerSize)-byte header")
        }
        guard length <= maxFrameSize else {
            throw .protocol("frame length \(length) exceeds the limit of \(maxFrameSize) bytes")
        }
        guard bufferedByteCount >= length else { return nil }
        let start = readIndex + Frame.headerSize
        let content = Array(buffer[start..<(readIndex + length)])
        readIndex += length
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return Frame(flags: flags, content: content)
    }

    private mutating func assemble(_ frames: [Frame], size: Int) throws(HazelcastError) -> ClientMessage? {
        guard let first = frames.first else { return nil }
        if first.has(FrameFlags.unfragmented) {
            return try validated(ClientMessage(frames: frames))
        }
        let fragmentationId = try ByteReader(first.content, what: "fragment header").int64(at: 0)
        let rest = Array(frames.dropFirst())
        let restSize = size - first.encodedSize
        if first.has(FrameFlags.beginFragment) {
            guard fragments[fragmentationId] != nil || fragments.count < maxOpenFragments else {
                throw .protocol("more than \(maxOpenFragments) fragmented messages in progress")
            }
            fragments[fragmentationId] = (rest, restSize)
            return nil
        }
        guard var existing = fragments[fragmentationId] else {
            throw .protocol("fragment \(fragmentationId) arrived without its first part")
        }
        existing.frames.append(contentsOf: rest)
        existing.size += restSize
        guard existing.size <= maxMessageSize else {
            throw .protocol("fragmented message exceeds \(maxMessageSize) bytes")
        }
        if first.has(FrameFlags.endFragment) {
            fragments[fragmentationId] = nil
            return try validated(ClientMessage(frames: existing.frames))
        }
        fragments[fragmentationId] = existing
        return nil
    }

    private func validated(_ message: ClientMessage) throws(HazelcastError) -> ClientMessage {
        guard let first = message.frames.first, first.content.count >= ClientMessage.minimumHeaderSize else {
            throw .protocol("initial frame shorter than the \(ClientMessage.minimumHeaderSize)-byte message header")
        }
        return message
    }
}
