/// Checks shared by response decoders.
package enum ResponseHeader {
    /// Returns a reader over the initial frame's content after verifying the message type.
    package static func open(
        _ iterator: inout FrameIterator, message: ClientMessage, expectedType: Int32
    ) throws(HazelcastError) -> ByteReader {
        guard message.messageType == expectedType else {
            throw .protocol("\(iterator.what): expected message type 0x\(String(expectedType, radix: 16)), got 0x\(String(message.messageType, radix: 16))")
        }
        let initial = try iterator.next()
        return ByteReader(initial.content, what: iterator.what)
    }
}
