import Foundation
import Hazelcast

/// What the member does with one request.
enum MemberReply {
    /// Write these messages, in order.
    case send([ClientMessage])
    /// Close the connection.
    case close(String)
}

/// Per-connection facts a handler needs.
struct ConnectionContext: Sendable {
    /// The member's address as this client reached it.
    var localAddress: HazelcastAddress
    var isAuthenticated: Bool
    /// The connection itself, where entry listeners registered on it send their events.
    var connection: MemberConnection
}

/// Answers requests the way a Hazelcast 5.x member does, for the messages this project uses and
/// those the official Python client sends.
struct RequestHandler: Sendable {
    let clusterName: String
    let credentials: (username: String, password: String)?
    let partitionCount: Int
    let topology: ClusterTopology
    let memberIndex: Int
    let clusterId: UUID
    let serverVersion: String
    let store: MapStore
    /// The store's listeners: its changes are published to them.
    var listeners: EntryListenerRegistry { store.listeners }

    private var memberUUID: UUID { topology.uuid(of: memberIndex) }

    // Java error codes used below.
    private static let illegalArgument: Int32 = 23
    private static let unsupportedOperation: Int32 = 61
    private static let serialization: Int32 = 21

    func handle(_ request: ClientMessage, context: inout ConnectionContext) -> MemberReply {
        let correlationId = request.correlationId
        let type = request.messageType
        if !context.isAuthenticated && type != ClientAuthenticationCodec.requestType {
            return .close("request 0x\(String(type, radix: 16)) before authentication")
        }
        do {
            switch type {
            case ClientAuthenticationCodec.requestType:
                return try authenticate(request, context: &context)
            case ClientPingCodec.requestType:
                return .send([ClientPingCodec.encodeResponse(correlationId: correlationId)])
            case ClientAddClusterViewListenerCodec.requestType:
                return .send(clusterView(correlationId: correlationId, context: context))
            case ClientLocalBackupListenerCodec.requestType:
                return .send([ClientLocalBackupListenerCodec.encodeResponse(registration: UUID(), correlationId: correlationId)])
            case ClientCreateProxyCodec.requestType:
                _ = try ClientCreateProxyCodec.decodeRequest(request)
                return .send([ClientCreateProxyCodec.encodeResponse(correlationId: correlationId)])
            case ClientStatisticsCodec.requestType:
                return .send([ClientStatisticsCodec.encodeResponse(correlationId: correlationId)])
            case MapAddEntryListenerCodec.requestType:
                let listener = try MapAddEntryListenerCodec.decodeRequest(request)
                let id = UUID()
                listeners.add(.init(id: id, request: listener, correlationId: correlationId, memberIndex: memberIndex,
                                    connection: context.connection))
                return .send([MapAddEntryListenerCodec.encodeResponse(registration: id, correlationId: correlationId)])
            case MapRemoveEntryListenerCodec.requestType:
                let removal = try MapRemoveEntryListenerCodec.decodeRequest(request)
                let removed = removal.registration.map { listeners.remove(id: $0) } ?? false
                return .send([MapRemoveEntryListenerCodec.encodeResponse(removed: removed, correlationId: correlationId)])
            case MapGetCodec.requestType, MapPutCodec.requestType, MapSetCodec.requestType,
                 MapRemoveCodec.requestType, MapDeleteCodec.requestType, MapGetAllCodec.requestType,
                 MapPutIfAbsentCodec.requestType, MapReplaceIfSameCodec.requestType:
                return .send([try mapOperation(request)])
            default:
                return .send([error(Self.unsupportedOperation, "java.lang.UnsupportedOperationException",
                                    "Unrecognized client message received with type: 0x\(String(type, radix: 16))",
                                    correlationId: correlationId)])
            }
        } catch {
            return .send([self.error(Self.serialization, "com.hazelcast.nio.serialization.HazelcastSerializationException",
                                     "cannot decode request: \(error)", correlationId: correlationId)])
        }
    }

    private func authenticate(_ message: ClientMessage, context: inout ConnectionContext) throws -> MemberReply {
        let request = try ClientAuthenticationCodec.decodeRequest(message)
        // The order of checks follows a member's: serialization version, then cluster name and
        // credentials. Without security configured a member rejects any username or password.
        var status = ClientAuthenticationCodec.Status.authenticated
        if request.serializationVersion != 1 {
            status = ClientAuthenticationCodec.Status.serializationVersionMismatch
        } else if request.clusterName != clusterName {
            status = ClientAuthenticationCodec.Status.credentialsFailed
        } else if let credentials {
            if request.username != credentials.username || request.password != credentials.password {
                status = ClientAuthenticationCodec.Status.credentialsFailed
            }
        } else if request.username != nil || request.password != nil {
            status = ClientAuthenticationCodec.Status.credentialsFailed
        }
        let authenticated = status == ClientAuthenticationCodec.Status.authenticated
        context.isAuthenticated = authenticated
        let response = ClientAuthenticationCodec.Response(
            status: status, memberUuid: authenticated ? memberUUID : nil, serializationVersion: 1,
            partitionCount: Int32(partitionCount), clusterId: clusterId,
            failoverSupported: false, address: authenticated ? context.localAddress : nil,
            serverHazelcastVersion: serverVersion)
        return .send([ClientAuthenticationCodec.encodeResponse(response, correlationId: message.correlationId)])
    }

    private func clusterView(correlationId: Int64, context: ConnectionContext) -> [ClientMessage] {
        let parts = serverVersion.split(separator: ".").compactMap { Int8($0) }
        let version = MemberVersion(major: parts.first ?? 5, minor: parts.dropFirst().first ?? 0,
                                    patch: parts.dropFirst(2).first ?? 0)
        let events = topology.addViewListener(.init(
            connection: context.connection, correlationId: correlationId, memberIndex: memberIndex,
            address: context.localAddress, version: version))
        return [ClientAddClusterViewListenerCodec.encodeResponse(correlationId: correlationId)] + events
    }

    /// Map operations run on the request's partition, as on a real member: a negative partition id
    /// is rejected, and a key sent with another partition's id is looked up in that partition.
    private func mapOperation(_ request: ClientMessage) throws -> ClientMessage {
        let correlationId = request.correlationId
        let partition = Int(request.partitionId)
        guard partition >= 0 && partition < partitionCount else {
            return error(Self.illegalArgument, "java.lang.IllegalArgumentException",
                         "Partition ID cannot be negative!", correlationId: correlationId)
        }
        switch request.messageType {
        case MapGetCodec.requestType:
            let get = try MapGetCodec.decodeRequest(request)
            try requireKey(get.key)
            return MapGetCodec.encodeResponse(store.get(map: get.name, partition: partition, key: get.key), correlationId: correlationId)
        case MapPutCodec.requestType:
            let put = try MapPutCodec.decodeRequest(request)
            try requireKey(put.key)
            let previous = store.put(map: put.name, partition: partition, key: put.key, value: put.value)
            return MapPutCodec.encodeResponse(previous, correlationId: correlationId)
        case MapSetCodec.requestType:
            let set = try MapSetCodec.decodeRequest(request)
            try requireKey(set.key)
            store.put(map: set.name, partition: partition, key: set.key, value: set.value)
            return MapSetCodec.encodeResponse(correlationId: correlationId)
        case MapRemoveCodec.requestType:
            let remove = try MapRemoveCodec.decodeRequest(request)
            try requireKey(remove.key)
            return MapRemoveCodec.encodeResponse(store.remove(map: remove.name, partition: partition, key: remove.key),
                                                 correlationId: correlationId)
        case MapPutIfAbsentCodec.requestType:
            let put = try MapPutIfAbsentCodec.decodeRequest(request)
            try requireKey(put.key)
            return MapPutIfAbsentCodec.encodeResponse(store.putIfAbsent(map: put.name, partition: partition, key: put.key,
                                                                        value: put.value), correlationId: correlationId)
        case MapReplaceIfSameCodec.requestType:
            let replace = try MapReplaceIfSameCodec.decodeRequest(request)
            try requireKey(replace.key)
            let replaced = store.replace(map: replace.name, partition: partition, key: replace.key,
                                         ifSameAs: replace.expected, with: replace.value)
            return MapReplaceIfSameCodec.encodeResponse(replaced: replaced, correlationId: correlationId)
        case MapDeleteCodec.requestType:
            let delete = try MapDeleteCodec.decodeRequest(request)
            try requireKey(delete.key)
            store.remove(map: delete.name, partition: partition, key: delete.key)
            return MapDeleteCodec.encodeResponse(correlationId: correlationId)
        default:
            let (name, keys) = try MapGetAllCodec.decodeRequest(request)
            let ownKeys = keys.filter { $0.partitionId(partitionCount: partitionCount) == partition }
            return MapGetAllCodec.encodeResponse(store.entries(map: name, partition: partition, keys: ownKeys),
                                                 correlationId: correlationId)
        }
    }

    private func requireKey(_ key: HazelcastData) throws {
        guard key.bytes.count >= HazelcastData.headerSize else {
            throw MemberRequestError.nullKey
        }
    }

    private func error(_ code: Int32, _ className: String, _ message: String, correlationId: Int64) -> ClientMessage {
        ErrorCodec.encode([ErrorHolder(errorCode: code, className: className, message: message)], correlationId: correlationId)
    }
}

/// A request the member refuses.
enum MemberRequestError: Error, CustomStringConvertible {
    case nullKey

    var description: String {
        switch self {
        case .nullKey: return "Null key is not allowed!"
        }
    }
}
