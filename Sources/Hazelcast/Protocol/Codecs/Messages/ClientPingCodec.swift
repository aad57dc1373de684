/// Client.Ping (0x000B00 / 0x000B01): no parameters, empty response.
package enum ClientPingCodec {
    package static let requestType: Int32 = 0x000B00
    package static let responseType: Int32 = 0x000B01

    package static func encodeRequest() -> ClientMessage {
        ClientMessage.request(type: requestType).finished()
    }

    package static func encodeResponse(correlationId: Int64) -> ClientMessage {
        ClientMessage.response(type: responseType, correlationId: correlationId).finished()
    }
}
