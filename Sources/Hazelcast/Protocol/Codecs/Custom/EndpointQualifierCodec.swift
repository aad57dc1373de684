/// Identifies a member's server socket kind (0 member, 1 client, …) and an optional identifier.
package struct EndpointQualifier: Sendable, Hashable {
    package static let memberProtocol: Int32 = 0
    package static let clientProtocol: Int32 = 1

    package var type: Int32
    package var identifier: String?

    package init(type: Int32, identifier: String? = nil) {
        self.type = type
        self.identifier = identifier
    }
}

/// EndpointQualifier: fixed type (int32), then a nullable identifier string.
package enum EndpointQualifierCodec {
    package static func encode(_ qualifier: EndpointQualifier, into message: inout ClientMessage) {
        var fixed = ByteWriter()
        fixed.writeInt32(qualifier.type)
        CustomStructure.begin(fixed, into: &message)
        NullableCodec.encode(qualifier.identifier, into: &message, StringCodec.encode)
        CustomStructure.end(into: &message)
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> EndpointQualifier {
        let fixed = try CustomStructure.open(&iterator, "EndpointQualifier")
        let type = try fixed.int32(at: 0)
        let identifier = try NullableCodec.decode(&iterator, StringCodec.decode)
        try CustomStructure.close(&iterator)
        return EndpointQualifier(type: type, identifier: identifier)
    }
}
