/// Building blocks shared by custom structures (Address, MemberInfo, …): BEGIN, an initial frame with
/// fixed-size fields, variable fields, END. Readers skip whatever a newer member appends.
package enum CustomStructure {
    /// Appends BEGIN and the initial frame holding `fixed`.
    package static func begin(_ fixed: ByteWriter, into message: inout ClientMessage) {
        message.append(.begin)
        message.append(Frame(content: fixed.bytes))
    }

    package static func end(into message: inout ClientMessage) {
        message.append(.end)
    }

    /// Consumes BEGIN and returns a reader over the initial frame's fixed fields.
    package static func open(_ iterator: inout FrameIterator, _ name: String) throws(HazelcastError) -> ByteReader {
        try iterator.expectBegin(name)
        let initial = try iterator.next()
        return ByteReader(initial.content, what: "\(iterator.what) \(name)")
    }

    /// Skips unknown trailing frames and consumes the structure's END.
    package static func close(_ iterator: inout FrameIterator) throws(HazelcastError) {
        try iterator.skipToStructureEnd()
    }
}
