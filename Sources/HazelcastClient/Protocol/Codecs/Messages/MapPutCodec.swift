/// Map.Put (0x010100 / 0x010101).
package enum MapPutCodec {
    package static let requestType: Int32 = 0x010100
    package static let responseType: Int32 = 0x010101

    package static func encodeRequest(_ request: MapWriteRequest, partitionId: Int32) -> ClientMessage {
        MapMessageLayout.encodeWriteRequest(request, type: requestType, partitionId: partitionId)
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapWriteRequest {
        try MapMessageLayout.decodeWriteRequest(message, what: "Map.Put request")
    }

    package static func encodeResponse(_ previous: HazelcastData?, correlationId: Int64) -> ClientMessage {
        MapMessageLayout.encodeNullableDataResponse(previous, type: responseType, correlationId: correlationId)
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> HazelcastData? {
        try MapMessageLayout.decodeNullableDataResponse(message, type: responseType, what: "Map.Put response")
    }
}
