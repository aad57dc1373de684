import Foundation

/// A cluster member as listed in a MembersView event.
package struct MemberInfo: Sendable {
    package var uuid: UUID?
    package var isLiteMember: Bool
    package var address: HazelcastAddress
    package var attributes: [(String, String)]
    package var version: MemberVersion
    /// Absent on 4.0 members.
    package var addressMap: [(EndpointQualifier, HazelcastAddress)]?

    package init(
        uuid: UUID?, isLiteMember: Bool = false, address: HazelcastAddress, attributes: [(String, String)] = [],
        version: MemberVersion, addressMap: [(EndpointQualifier, HazelcastAddress)]? = nil
    ) {
        self.uuid = uuid
        self.isLiteMember = isLiteMember
        self.address = address
        self.attributes = attributes
        self.version = version
        self.addressMap = addressMap
    }

    /// The address clients should use: the CLIENT endpoint if advertised, else the MEMBER one, else `address`.
    package var clientAddress: HazelcastAddress {
        guard let addressMap else { return address }
        let clientQualifier = EndpointQualifier(type: EndpointQualifier.clientProtocol)
        let memberQualifier = EndpointQualifier(type: EndpointQualifier.memberProtocol)
        return addressMap.first { $0.0 == clientQualifier }?.1
            ?? addressMap.first { $0.0 == memberQualifier }?.1
            ?? address
    }
}

/// MemberInfo: fixed uuid and lite-member flag; Address, attributes map, MemberVersion, then
/// (since 4.0.1) the address map keyed by EndpointQualifier.
package enum MemberInfoCodec {
    package static func encode(_ member: MemberInfo, into message: inout ClientMessage) {
        var fixed = ByteWriter()
        fixed.writeUUID(member.uuid)
        fixed.writeBool(member.isLiteMember)
        CustomStructure.begin(fixed, into: &message)
        AddressCodec.encode(member.address, into: &message)
        EntryListCodec.encode(member.attributes, into: &message, key: StringCodec.encode, value: StringCodec.encode)
        MemberVersionCodec.encode(member.version, into: &message)
        if let addressMap = member.addressMap {
            EntryListCodec.encode(addressMap, into: &message, key: EndpointQualifierCodec.encode, value: AddressCodec.encode)
        }
        CustomStructure.end(into: &message)
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> MemberInfo {
        let fixed = try CustomStructure.open(&iterator, "MemberInfo")
        let uuid = try fixed.uuid(at: 0)
        let isLite = try fixed.bool(at: ByteReader.uuidSize)
        let address = try AddressCodec.decode(&iterator)
        let attributes = try EntryListCodec.decode(&iterator, key: StringCodec.decode, value: StringCodec.decode)
        let version = try MemberVersionCodec.decode(&iterator)
        var addressMap: [(EndpointQualifier, HazelcastAddress)]?
        if let next = iterator.peek(), !next.isEndStructure {
            addressMap = try EntryListCodec.decode(&iterator, key: EndpointQualifierCodec.decode, value: AddressCodec.decode)
        }
        try CustomStructure.close(&iterator)
        return MemberInfo(uuid: uuid, isLiteMember: isLite, address: address, attributes: attributes,
                          version: version, addressMap: addressMap)
    }
}
