/// A map operation on one key: its request type (the response's is the next number) and its
/// name in error messages. The request and response layouts come from the protocols below,
/// so each operation is declared by what it is, not by repeating how it is encoded.
package protocol MapKeyOperation {
    static var requestType: Int32 { get }
    static var name: String { get }
}

extension MapKeyOperation {
    package static var responseType: Int32 { requestType + 1 }
}

/// Requests holding a key (Get, Remove, Delete).
package protocol MapKeyRequestLayout: MapKeyOperation {}

extension MapKeyRequestLayout {
    package static func encodeRequest(_ request: MapKeyRequest, partitionId: Int32) -> ClientMessage {
        MapMessageLayout.encodeKeyRequest(request, type: requestType, partitionId: partitionId)
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapKeyRequest {
        try MapMessageLayout.decodeKeyRequest(message, what: "\(name) request")
    }
}

/// Requests holding a key and a value (Put, Set, PutIfAbsent).
package protocol MapWriteRequestLayout: MapKeyOperation {}

extension MapWriteRequestLayout {
    package static func encodeRequest(_ request: MapWriteRequest, partitionId: Int32) -> ClientMessage {
        MapMessageLayout.encodeWriteRequest(request, type: requestType, partitionId: partitionId)
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapWriteRequest {
        try MapMessageLayout.decodeWriteRequest(message, what: "\(name) request")
    }
}

/// Responses holding a nullable value (the value, the previous or the existing one).
package protocol MapValueResponseLayout: MapKeyOperation {}

extension MapValueResponseLayout {
    package static func encodeResponse(_ value: HazelcastData?, correlationId: Int64) -> ClientMessage {
        MapMessageLayout.encodeNullableDataResponse(value, type: responseType, correlationId: correlationId)
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> HazelcastData? {
        try MapMessageLayout.decodeNullableDataResponse(message, type: responseType, what: "\(name) response")
    }
}

/// Responses holding nothing.
package protocol MapEmptyResponseLayout: MapKeyOperation {}

extension MapEmptyResponseLayout {
    package static func encodeResponse(correlationId: Int64) -> ClientMessage {
        MapMessageLayout.encodeEmptyResponse(type: responseType, correlationId: correlationId)
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) {
        try MapMessageLayout.decodeEmptyResponse(message, type: responseType, what: "\(name) response")
    }
}

/// Map.Get (0x010200 / 0x010201): the value of a key.
package enum MapGetCodec: MapKeyRequestLayout, MapValueResponseLayout {
    package static let requestType: Int32 = 0x010200
    package static let name = "Map.Get"
}

/// Map.Remove (0x010300 / 0x010301): removes a key, answering its value.
package enum MapRemoveCodec: MapKeyRequestLayout, MapValueResponseLayout {
    package static let requestType: Int32 = 0x010300
    package static let name = "Map.Remove"
}

/// Map.Delete (0x010900 / 0x010901): removes a key.
package enum MapDeleteCodec: MapKeyRequestLayout, MapEmptyResponseLayout {
    package static let requestType: Int32 = 0x010900
    package static let name = "Map.Delete"
}

/// Map.Put (0x010100 / 0x010101): stores a value, answering the previous one.
package enum MapPutCodec: MapWriteRequestLayout, MapValueResponseLayout {
    package static let requestType: Int32 = 0x010100
    package static let name = "Map.Put"
}

/// Map.Set (0x010F00 / 0x010F01): stores a value.
package enum MapSetCodec: MapWriteRequestLayout, MapEmptyResponseLayout {
    package static let requestType: Int32 = 0x010F00
    package static let name = "Map.Set"
}

/// Map.PutIfAbsent (0x010E00 / 0x010E01): stores the value only when the key is absent; the
/// response holds the value already there (nil when this request stored its own).
package enum MapPutIfAbsentCodec: MapWriteRequestLayout, MapValueResponseLayout {
    package static let requestType: Int32 = 0x010E00
    package static let name = "Map.PutIfAbsent"
}
