/// Map.Get (0x010200 / 0x010201).
package enum MapGetCodec {
    package static let requestType: Int32 = 0x010200
    package static let responseType: Int32 = 0x010201

    package static func encodeRequest(_ request: MapKeyRequest, partitionId: Int32) -> ClientMessage {
        MapMessageLayout.encodeKeyRequest(request, type: requestType, partitionId: partitionId)
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapKeyRequest {
        try MapMessageLayout.decodeKeyRequest(message, what: "Map.Get request")
    }

    package static func encodeResponse(_ value: HazelcastData?, correlationId: Int64) -> ClientMessage {
        MapMessageLayout.encodeNullableDataResponse(value, type: responseType, correlationId: correlationId)
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> HazelcastData? {
        try MapMessageLayout.decodeNullableDataResponse(message, type: responseType, what: "Map.Get response")
    }
}
