/// Client.Error (message type 0): a list of ErrorHolder, the first being the outermost error.
package enum ErrorCodec {
    package static let messageType: Int32 = 0

    package static func encode(_ holders: [ErrorHolder], correlationId: Int64) -> ClientMessage {
        var message = ClientMessage.response(type: messageType, correlationId: correlationId)
        ListCodec.encode(holders, into: &message, ErrorHolderCodec.encode)
        return message.finished()
    }

    package static func decode(_ message: ClientMessage) throws(HazelcastError) -> [ErrorHolder] {
        var iterator = message.iterator(what: "error response")
        _ = try iterator.next()
        return try ListCodec.decode(&iterator, ErrorHolderCodec.decode)
    }

    /// Turns an error response into the error thrown to the caller.
    package static func error(from message: ClientMessage) -> HazelcastError {
        do {
            let holders = try decode(message)
            guard let first = holders.first else {
                return .server(code: 0, className: "unknown", message: "the member sent an empty error list")
            }
            return .server(code: first.errorCode, className: first.className, message: first.message)
        } catch {
            return error
        }
    }
}
