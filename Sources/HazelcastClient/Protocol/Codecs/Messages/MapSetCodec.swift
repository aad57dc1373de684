/// Map.Set (0x010F00 / 0x010F01).
package enum MapSetCodec {
    package static let requestType: Int32 = 0x010F00
    package static let responseType: Int32 = 0x010F01

    package static func encodeRequest(_ request: MapWriteRequest, partitionId: Int32) -> ClientMessage {
        MapMessageLayout.encodeWriteRequest(request, type: requestType, partitionId: partitionId)
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapWriteRequest {
        try MapMessageLayout.decodeWriteRequest(message, what: "Map.Set request")
    }

    package static func encodeResponse(correlationId: Int64) -> ClientMessage {
        MapMessageLayout.encodeEmptyResponse(type: responseType, correlationId: correlationId)
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) {
        try MapMessageLayout.decodeEmptyResponse(message, type: responseType, what: "Map.Set response")
    }
}
