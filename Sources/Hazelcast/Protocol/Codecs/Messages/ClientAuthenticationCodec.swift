import Foundation

/// Client.Authentication (0x000100 / 0x000101).
package enum ClientAuthenticationCodec {
    package static let requestType: Int32 = 0x000100
    package static let responseType: Int32 = 0x000101

    /// Authentication status values.
    package enum Status {
        package static let authenticated: UInt8 = 0
        package static let credentialsFailed: UInt8 = 1
        package static let serializationVersionMismatch: UInt8 = 2
        package static let notAllowedInCluster: UInt8 = 3
    }

    package struct Request: Sendable, Equatable {
        package var clusterName: String
        package var username: String?
        package var password: String?
        package var uuid: UUID?
        package var clientType: String
        package var serializationVersion: UInt8
        package var clientHazelcastVersion: String
        package var clientName: String
        package var labels: [String]

        package init(
            clusterName: String, username: String?, password: String?, uuid: UUID?, clientType: String,
            serializationVersion: UInt8 = 1, clientHazelcastVersion: String, clientName: String, labels: [String] = []
        ) {
            self.clusterName = clusterName
            self.username = username
            self.password = password
            self.uuid = uuid
            self.clientType = clientType
            self.serializationVersion = serializationVersion
            self.clientHazelcastVersion = clientHazelcastVersion
            self.clientName = clientName
            self.labels = labels
        }
    }

    package struct Response: Sendable {
        package var status: UInt8
        package var memberUuid: UUID?
        package var serializationVersion: UInt8
        package var partitionCount: Int32
        package var clusterId: UUID?
        package var failoverSupported: Bool
        package var address: HazelcastAddress?
        package var serverHazelcastVersion: String

        package init(
            status: UInt8, memberUuid: UUID?, serializationVersion: UInt8 = 1, partitionCount: Int32, clusterId: UUID?,
            failoverSupported: Bool = false, address: HazelcastAddress?, serverHazelcastVersion: String
        ) {
            self.status = status
            self.memberUuid = memberUuid
            self.serializationVersion = serializationVersion
            self.partitionCount = partitionCount
            self.clusterId = clusterId
            self.failoverSupported = failoverSupported
            self.address = address
            self.serverHazelcastVersion = serverHazelcastVersion
        }
    }

    package static func encodeRequest(_ request: Request) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeUUID(request.uuid)
        fixed.writeUInt8(request.serializationVersion)
        var message = ClientMessage.request(type: requestType, fixed: fixed)
        StringCodec.encode(request.clusterName, into: &message)
        NullableCodec.encode(request.username, into: &message, StringCodec.encode)
        NullableCodec.encode(request.password, into: &message, StringCodec.encode)
        StringCodec.encode(request.clientType, into: &message)
        StringCodec.encode(request.clientHazelcastVersion, into: &message)
        StringCodec.encode(request.clientName, into: &message)
        ListCodec.encode(request.labels, into: &message, StringCodec.encode)
        return message.finished()
    }

    package static func decodeRequest(_ message: ClientMessage) throws(HazelcastError) -> Request {
        var iterator = message.iterator(what: "Client.Authentication request")
        let fixed = ByteReader(try iterator.next().content, what: iterator.what)
        let offset = ClientMessage.requestHeaderSize
        let uuid = try fixed.uuid(at: offset)
        let serializationVersion = try fixed.uint8(at: offset + ByteReader.uuidSize)
        let clusterName = try StringCodec.decode(&iterator)
        let username = try NullableCodec.decode(&iterator, StringCodec.decode)
        let password = try NullableCodec.decode(&iterator, StringCodec.decode)
        let clientType = try StringCodec.decode(&iterator)
        let version = try StringCodec.decode(&iterator)
        let clientName = try StringCodec.decode(&iterator)
        let labels = try ListCodec.decode(&iterator, StringCodec.decode)
        return Request(clusterName: clusterName, username: username, password: password, uuid: uuid,
                       clientType: clientType, serializationVersion: serializationVersion,
                       clientHazelcastVersion: version, clientName: clientName, labels: labels)
    }

    package static func encodeResponse(_ response: Response, correlationId: Int64) -> ClientMessage {
        var fixed = ByteWriter()
        fixed.writeUInt8(response.status)
        fixed.writeUUID(response.memberUuid)
        fixed.writeUInt8(response.serializationVersion)
        fixed.writeInt32(response.partitionCount)
        fixed.writeUUID(response.clusterId)
        fixed.writeBool(response.failoverSupported)
        var message = ClientMessage.response(type: responseType, correlationId: correlationId, fixed: fixed)
        NullableCodec.encode(response.address, into: &message, AddressCodec.encode)
        StringCodec.encode(response.serverHazelcastVersion, into: &message)
        return message.finished()
    }

    package static func decodeResponse(_ message: ClientMessage) throws(HazelcastError) -> Response {
        var iterator = message.iterator(what: "Client.Authentication response")
        let fixed = try ResponseHeader.open(&iterator, message: message, expectedType: responseType)
        let base = ClientMessage.responseHeaderSize
        let status = try fixed.uint8(at: base)
        let memberUuid = try fixed.uuid(at: base + 1)
        let serializationVersion = try fixed.uint8(at: base + 18)
        let partitionCount = try fixed.int32(at: base + 19)
        let clusterId = try fixed.uuid(at: base + 23)
        let failoverSupported = fixed.has(1, at: base + 40) ? try fixed.bool(at: base + 40) : false
        let address = try NullableCodec.decode(&iterator, AddressCodec.decode)
        let serverVersion = try StringCodec.decode(&iterator)
        return Response(status: status, memberUuid: memberUuid, serializationVersion: serializationVersion,
                        partitionCount: partitionCount, clusterId: clusterId, failoverSupported: failoverSupported,
                        address: address, serverHazelcastVersion: serverVersion)
    }
}
