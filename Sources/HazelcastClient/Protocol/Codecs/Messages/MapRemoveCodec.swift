/// Map.Remove (0x010300 / 0x010301).
package enum MapRemoveCodec {
    package static let requestType: Int32 = 0x010300
    package static let responseType: Int32 = 0x010301

    package static func encodeRequest(_ request: MapKeyRequest, partitionId: Int32) -> ClientMessage {
        MapMessageLayout.encodeKeyRequest(request, type: requestType, partitionId: partitionId)
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapKeyRequest {
        try MapMessageLayout.decodeKeyRequest(message, what: "Map.Remove request")
    }

    package static func encodeResponse(_ value: HazelcastData?, correlationId: Int64) -> ClientMessage {
        MapMessageLayout.encodeNullableDataResponse(value, type: responseType, correlationId: correlationId)
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> HazelcastData? {
        try MapMessageLayout.decodeNullableDataResponse(message, type: responseType, what: "Map.Remove response")
    }
}
