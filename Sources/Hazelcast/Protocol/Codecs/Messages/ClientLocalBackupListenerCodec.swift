import Foundation

/// Client.LocalBackupListener (0x000F00 / 0x000F01): the response carries a registration uuid.
package enum ClientLocalBackupListenerCodec {
    package static let requestType: Int32 = 0x000F00
    package static let responseType: Int32 = 0x000F01

    package static func encodeResponse(registration: UUID, correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeUUID(registration)
        return ClientMessage.response(type: responseType, correlationId: correlationId, fixed: fixed).finished()
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> UUID? {
        var iterator = message.iterator(what: "Client.LocalBackupListener response")
        let fixed = try ResponseHeader.open(&iterator, message: message, expectedType: responseType)
        return try fixed.uuid(at: ClientMessage.responseHeaderSize)
    }
}
