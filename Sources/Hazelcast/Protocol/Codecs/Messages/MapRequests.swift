/// Parameters of map requests addressed by one key (Get, Remove, Delete).
package struct MapKeyRequest: Sendable, Equatable {
    package var name: String
    package var key: HazelcastData
    package var threadId: Int64

    package init(name: String, key: HazelcastData, threadId: Int64 = 0) {
        self.name = name
        self.key = key
        self.threadId = threadId
    }
}

/// Parameters of map writes (Put, Set); `ttlMillis` −1 keeps the map's default.
package struct MapWriteRequest: Sendable, Equatable {
    package var name: String
    package var key: HazelcastData
    package var value: HazelcastData
    package var threadId: Int64
    package var ttlMillis: Int64

    package init(name: String, key: HazelcastData, value: HazelcastData, threadId: Int64 = 0, ttlMillis: Int64 = -1) {
        self.name = name
        self.key = key
        self.value = value
        self.threadId = threadId
        self.ttlMillis = ttlMillis
    }
}

/// Encoding shared by the map codecs.
package enum MapMessageLayout {
    package static func encodeKeyRequest(_ request: MapKeyRequest, type: Int32, partitionId: Int32) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeInt64(request.threadId)
        var message = ClientMessage.request(type: type, partitionId: partitionId, fixed: fixed)
        StringCodec.encode(request.name, into: &message)
        DataCodec.encode(request.key, into: &message)
        return message.finished()
    }

    package static func decodeKeyRequest(_ message: ClientMessage, what: String) throws(HazelcastError) -> MapKeyRequest {
        var iterator = message.iterator(what: what)
        let fixed = ByteReader(try iterator.next().content, what: what)
        let threadId = try fixed.int64(at: ClientMessage.requestHeaderSize)
        let name = try StringCodec.decode(&iterator)
        let key = try DataCodec.decode(&iterator)
        return MapKeyRequest(name: name, key: key, threadId: threadId)
    }

    package static func encodeWriteRequest(_ request: MapWriteRequest, type: Int32, partitionId: Int32) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeInt64(request.threadId)
        fixed.writeInt64(request.ttlMillis)
        var message = ClientMessage.request(type: type, partitionId: partitionId, fixed: fixed)
        StringCodec.encode(request.name, into: &message)
        DataCodec.encode(request.key, into: &message)
        DataCodec.encode(request.value, into: &message)
        return message.finished()
    }

    package static func decodeWriteRequest(_ message: ClientMessage, what: String) throws(HazelcastError) -> MapWriteRequest {
        var iterator = message.iterator(what: what)
        let fixed = ByteReader(try iterator.next().content, what: what)
        let threadId = try fixed.int64(at: ClientMessage.requestHeaderSize)
        let ttl = try fixed.int64(at: ClientMessage.requestHeaderSize + 8)
        let name = try StringCodec.decode(&iterator)
        let key = try DataCodec.decode(&iterator)
        let value = try DataCodec.decode(&iterator)
        return MapWriteRequest(name: name, key: key, value: value, threadId: threadId, ttlMillis: ttl)
    }

    package static func encodeNullableDataResponse(_ value: HazelcastData?, type: Int32, correlationId: Int64) -> ClientMessage {
        var message = ClientMessage.response(type: type, correlationId: correlationId)
        NullableCodec.encode(value, into: &message, DataCodec.encode)
        return message.finished()
    }

    package static func decodeNullableDataResponse(_ message: ClientMessage, type: Int32, what: String) throws(HazelcastError) -> HazelcastData? {
        var iterator = message.iterator(what: what)
        _ = try ResponseHeader.open(&iterator, message: message, expectedType: type)
        return try NullableCodec.decode(&iterator, DataCodec.decode)
    }

    package static func encodeEmptyResponse(type: Int32, correlationId: Int64) -> ClientMessage {
        ClientMessage.response(type: type, correlationId: correlationId).finished()
    }

    package static func decodeEmptyResponse(_ message: ClientMessage, type: Int32, what: String) throws(HazelcastError) {
        var iterator = message.iterator(what: what)
        _ = try ResponseHeader.open(&iterator, message: message, expectedType: type)
    }
}
