/// Parameters of Map.ReplaceIfSame: replace `key`'s value with `value` only while it equals `expected`.
package struct MapReplaceIfSameRequest: Sendable, Equatable {
    package var name: String
    package var key: HazelcastData
    package var expected: HazelcastData
    package var value: HazelcastData
    package var threadId: Int64

    package init(name: String, key: HazelcastData, expected: HazelcastData, value: HazelcastData, threadId: Int64 = 0) {
        self.name = name
        self.key = key
        self.expected = expected
        self.value = value
        self.threadId = threadId
    }
}

/// Map.ReplaceIfSame (0x010500 / 0x010501): a compare-and-set on one entry; the response says
/// whether the value was replaced.
package enum MapReplaceIfSameCodec {
    package static let requestType: Int32 = 0x010500
    package static let responseType: Int32 = 0x010501

    package static func encodeRequest(_ request: MapReplaceIfSameRequest, partitionId: Int32) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeInt64(request.threadId)
        var message = ClientMessage.request(type: requestType, partitionId: partitionId, fixed: fixed)
        StringCodec.encode(request.name, into: &message)
        DataCodec.encode(request.key, into: &message)
        DataCodec.encode(request.expected, into: &message)
        DataCodec.encode(request.value, into: &message)
        return message.finished()
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> MapReplaceIfSameRequest {
        var iterator = message.iterator(what: "Map.ReplaceIfSame request")
        let fixed = ByteReader(try iterator.next().content, what: iterator.what)
        let threadId = try fixed.int64(at: ClientMessage.requestHeaderSize)
        let name = try StringCodec.decode(&iterator)
        let key = try DataCodec.decode(&iterator)
        let expected = try DataCodec.decode(&iterator)
        let value = try DataCodec.decode(&iterator)
        return MapReplaceIfSameRequest(name: name, key: key, expected: expected, value: value, threadId: threadId)
    }

    package static func encodeResponse(replaced: Bool, correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeBool(replaced)
        return ClientMessage.response(type: responseType, correlationId: correlationId, fixed: fixed).finished()
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> Bool {
        var iterator = message.iterator(what: "Map.ReplaceIfSame response")
        let fixed = try ResponseHeader.open(&iterator, message: message, expectedType: responseType)
        return try fixed.bool(at: ClientMessage.responseHeaderSize)
    }
}
