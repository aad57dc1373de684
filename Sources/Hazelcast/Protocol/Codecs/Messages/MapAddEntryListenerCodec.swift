import Foundation

/// Map.AddEntryListener (0x011900 / 0x011901) and its entry event (0x011902).
package enum MapAddEntryListenerCodec {
    package static let requestType: Int32 = 0x011900
    package static let responseType: Int32 = 0x011901
    package static let eventType: Int32 = 0x011902

    /// The request's parameters.
    package struct Request: Sendable, Equatable {
        package var name: String
        package var includeValue: Bool
        package var flags: EntryEventFlags
        /// True: only the events of the partitions the receiving member owns.
        package var localOnly: Bool

        package init(name: String, includeValue: Bool, flags: EntryEventFlags, localOnly: Bool) {
            self.name = name
            self.includeValue = includeValue
            self.flags = flags
            self.localOnly = localOnly
        }
    }

    package static func encodeRequest(_ request: Request) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeBool(request.includeValue)
        fixed.writeInt32(request.flags.rawValue)
        fixed.writeBool(request.localOnly)
        var message = ClientMessage.request(type: requestType, fixed: fixed)
        StringCodec.encode(request.name, into: &message)
        return message.finished()
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> Request {
        var iterator = message.iterator(what: "Map.AddEntryListener request")
        let fixed = ByteReader(try iterator.next().content, what: iterator.what)
        let header = ClientMessage.requestHeaderSize
        let includeValue = try fixed.bool(at: header)
        let flags = EntryEventFlags(rawValue: try fixed.int32(at: header + 1))
        let localOnly = try fixed.bool(at: header + 5)
        return Request(name: try StringCodec.decode(&iterator), includeValue: includeValue, flags: flags, localOnly: localOnly)
    }

    package static func encodeResponse(registration: UUID, correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeUUID(registration)
        return ClientMessage.response(type: responseType, correlationId: correlationId, fixed: fixed).finished()
    }

    /// The registration id the member gave the listener.
    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> UUID? {
        var iterator = message.iterator(what: "Map.AddEntryListener response")
        let fixed = try ResponseHeader.open(&iterator, message: message, expectedType: responseType)
        return try fixed.uuid(at: ClientMessage.responseHeaderSize)
    }

    package static func encodeEvent(_ event: EntryEvent, correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeInt32(event.type.rawValue)
        fixed.writeUUID(event.member)
        fixed.writeInt32(event.affectedEntries)
        var message = ClientMessage.event(
            type: eventType, correlationId: correlationId, partitionId: event.partitionId, fixed: fixed)
        for value in [event.key, event.value, event.oldValue, event.mergingValue] {
            NullableCodec.encode(value, into: &message, DataCodec.encode)
        }
        return message.finished()
    }

    /// Decodes an entry event; nil for another event type.
    package static func decodeEvent(_ message: ClientMessage) throws(HazelcastError) -> EntryEvent? {
        guard message.messageType == eventType else { return nil }
        var iterator = message.iterator(what: "entry event")
        let fixed = ByteReader(try iterator.next().content, what: iterator.what)
        let header = ClientMessage.eventHeaderSize
        let type = EntryEventFlags(rawValue: try fixed.int32(at: header))
        let member = try fixed.uuid(at: header + 4)
        let affected = try fixed.int32(at: header + 4 + ByteReader.uuidSize)
        let key = try NullableCodec.decode(&iterator, DataCodec.decode)
        let value = try NullableCodec.decode(&iterator, DataCodec.decode)
        let oldValue = try NullableCodec.decode(&iterator, DataCodec.decode)
        let mergingValue = try NullableCodec.decode(&iterator, DataCodec.decode)
        return EntryEvent(type: type, key: key, value: value, oldValue: oldValue, mergingValue: mergingValue,
                          member: member, affectedEntries: affected, partitionId: message.partitionId)
    }
}

/// Map.RemoveEntryListener (0x011A00 / 0x011A01).
package enum MapRemoveEntryListenerCodec {
    package static let requestType: Int32 = 0x011A00
    package static let responseType: Int32 = 0x011A01

    package static func encodeRequest(name: String, registration: UUID) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeUUID(registration)
        var message = ClientMessage.request(type: requestType, fixed: fixed)
        StringCodec.encode(name, into: &message)
        return message.finished()
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> (name: String, registration: UUID?) {
        var iterator = message.iterator(what: "Map.RemoveEntryListener request")
        let fixed = ByteReader(try iterator.next().content, what: iterator.what)
        let registration = try fixed.uuid(at: ClientMessage.requestHeaderSize)
        return (try StringCodec.decode(&iterator), registration)
    }

    package static func encodeResponse(removed: Bool, correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeBool(removed)
        return ClientMessage.response(type: responseType, correlationId: correlationId, fixed: fixed).finished()
    }

    /// Whether the member knew the registration.
    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> Bool {
        var iterator = message.iterator(what: "Map.RemoveEntryListener response")
        let fixed = try ResponseHeader.open(&iterator, message: message, expectedType: responseType)
        return try fixed.bool(at: ClientMessage.responseHeaderSize)
    }
}
