/// Client.Statistics (0x000C00 / 0x000C01): the response is empty.
package enum ClientStatisticsCodec {
    package static let requestType: Int32 = 0x000C00
    package static let responseType: Int32 = 0x000C01

    package static func encodeResponse(correlationId: Int64) -> ClientMessage {
        ClientMessage.response(type: responseType, correlationId: correlationId).finished()
    }
}
