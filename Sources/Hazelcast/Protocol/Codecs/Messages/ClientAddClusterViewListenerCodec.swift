import Foundation

/// Client.AddClusterViewListener (0x000300 / 0x000301) and its MembersView (0x000302) and
/// PartitionsView (0x000303) events.
package enum ClientAddClusterViewListenerCodec {
    package static let requestType: Int32 = 0x000300
    package static let responseType: Int32 = 0x000301
    package static let membersViewEventType: Int32 = 0x000302
    package static let partitionsViewEventType: Int32 = 0x000303

    /// A decoded cluster view event.
    package enum Event: Sendable {
        case members(version: Int32, members: [MemberInfo])
        case partitions(version: Int32, owners: [(UUID?, [Int32])])
    }

    package static func encodeRequest() -> ClientMessage {
        ClientMessage.request(type: requestType).finished()
    }

    package static func encodeResponse(correlationId: Int64) -> ClientMessage {
        ClientMessage.response(type: responseType, correlationId: correlationId).finished()
    }

    package static func encodeMembersView(version: Int32, members: [MemberInfo], correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeInt32(version)
        var message = ClientMessage.event(type: membersViewEventType, correlationId: correlationId, fixed: fixed)
        ListCodec.encode(members, into: &message, MemberInfoCodec.encode)
        return message.finished()
    }

    package static func encodePartitionsView(version: Int32, owners: [(UUID, [Int32])], correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeInt32(version)
        var message = ClientMessage.event(type: partitionsViewEventType, correlationId: correlationId, fixed: fixed)
        UUIDToIntegerListCodec.encode(owners, into: &message)
        return message.finished()
    }

    /// Decodes a cluster view event; nil for an event type this codec does not know.
    package static func decodeEvent(_ message: ClientMessage) throws(HazelcastError) -> Event? {
        switch message.messageType {
        case membersViewEventType:
            var iterator = message.iterator(what: "MembersView event")
            let fixed = ByteReader(try iterator.next().content, what: iterator.what)
            let version = try fixed.int32(at: ClientMessage.eventHeaderSize)
            return .members(version: version, members: try ListCodec.decode(&iterator, MemberInfoCodec.decode))
        case partitionsViewEventType:
            var iterator = message.iterator(what: "PartitionsView event")
            let fixed = ByteReader(try iterator.next().content, what: iterator.what)
            let version = try fixed.int32(at: ClientMessage.eventHeaderSize)
            return .partitions(version: version, owners: try UUIDToIntegerListCodec.decode(&iterator))
        default:
            return nil
        }
    }
}
