/// Map.GetAll (0x012300 / 0x012301). Members of 4.x and 5.x run it as a partition task: every key
/// must belong to the request's partition, and keys of other partitions are silently left out.
package enum MapGetAllCodec {
    package static let requestType: Int32 = 0x012300
    package static let responseType: Int32 = 0x012301

    package static func encodeRequest(name: String, keys: [HazelcastData], partitionId: Int32) -> ClientMessage {
        var message = ClientMessage.request(type: requestType, partitionId: partitionId)
        StringCodec.encode(name, into: &message)
        ListCodec.encode(keys, into: &message, DataCodec.encode)
        return message.finished()
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> (name: String, keys: [HazelcastData]) {
        var iterator = message.iterator(what: "Map.GetAll request")
        _ = try iterator.next()
        let name = try StringCodec.decode(&iterator)
        let keys = try ListCodec.decode(&iterator, DataCodec.decode)
        return (name, keys)
    }

    package static func encodeResponse(_ entries: [(HazelcastData, HazelcastData)], correlationId: Int64) -> ClientMessage {
        var message = ClientMessage.response(type: responseType, correlationId: correlationId)
        EntryListCodec.encode(entries, into: &message, key: DataCodec.encode, value: DataCodec.encode)
        return message.finished()
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> [(HazelcastData, HazelcastData)] {
        var iterator = message.iterator(what: "Map.GetAll response")
        _ = try ResponseHeader.open(&iterator, message: message, expectedType: responseType)
        return try EntryListCodec.decode(&iterator, key: DataCodec.decode, value: DataCodec.decode)
    }
}
