/// Address: fixed port (int32), then the host string.
package enum AddressCodec {
    package static func encode(_ address: HazelcastAddress, into message: inout ClientMessage) {
        var fixed = ByteWriter()
        fixed.writeInt32(Int32(truncatingIfNeeded: address.port))
        CustomStructure.begin(fixed, into: &message)
        StringCodec.encode(address.host, into: &message)
        CustomStructure.end(into: &message)
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> HazelcastAddress {
        let fixed = try CustomStructure.open(&iterator, "Address")
        let port = try fixed.int32(at: 0)
        let host = try StringCodec.decode(&iterator)
        try CustomStructure.close(&iterator)
        return HazelcastAddress(host: host, port: Int(port))
    }
}
