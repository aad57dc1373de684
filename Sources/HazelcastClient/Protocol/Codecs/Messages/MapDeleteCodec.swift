/// Map.Delete (0x010900 / 0x010901).
package enum MapDeleteCodec {
    package static let requestType: Int32 = 0x010900
    package static let responseType: Int32 = 0x010901

    package static func encodeRequest(_ request: MapKeyRequest, partitionId: Int32) -> ClientMessage {
        MapMessageLayout.encodeKeyRequest(request, type: requestType, partitionId: partitionId)
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapKeyRequest {
        try MapMessageLayout.decodeKeyRequest(message, what: "Map.Delete request")
    }

    package static func encodeResponse(correlationId: Int64) -> ClientMessage {
        MapMessageLayout.encodeEmptyResponse(type: responseType, correlationId: correlationId)
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) {
        try MapMessageLayout.decodeEmptyResponse(message, type: responseType, what: "Map.Delete response")
    }
}
