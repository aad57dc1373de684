/// A cursor over a message's frames used by decoders; running out of frames throws.
package struct FrameIterator: Sendable {
    private let frames: [Frame]
    private var index = 0
    /// Names the message being decoded in error messages.
    package let what: String

    package init(frames: [Frame], what: String) {
        self.frames = frames
        self.what = what
    }

    package func peek() -> Frame? {
        index < frames.count ? frames[index] : nil
    }

    package mutating func next() throws(HazelcastError) -> Frame {
        guard index < frames.count else {
            throw .protocol("\(what): message ended early (expected more than \(frames.count) frame(s))")
        }
        defer { index += 1 }
        return frames[index]
    }

    /// Consumes the next frame when it is a null frame and reports whether it was.
    package mutating func nextIsNull() -> Bool {
        guard let frame = peek(), frame.isNull else { return false }
        index += 1
        return true
    }

    /// Whether the next frame closes a structure.
    package func nextIsEnd() -> Bool {
        peek()?.isEndStructure ?? false
    }

    /// Consumes a BEGIN frame, throwing if the next frame is anything else.
    package mutating func expectBegin(_ structure: String) throws(HazelcastError) {
        let frame = try next()
        guard frame.isBeginStructure else {
            throw .protocol("\(what): expected the start of \(structure), got a frame with flags 0x\(String(frame.flags, radix: 16))")
        }
    }

    /// Skips frames up to and including the END frame matching an already consumed BEGIN,
    /// counting nested structures; a newer member may append fields a reader does not know.
    package mutating func skipToStructureEnd() throws(HazelcastError) {
        var depth = 1
        while depth > 0 {
            let frame = try next()
            if frame.isEndStructure {
                depth -= 1
            } else if frame.isBeginStructure {
                depth += 1
            }
        }
    }
}
