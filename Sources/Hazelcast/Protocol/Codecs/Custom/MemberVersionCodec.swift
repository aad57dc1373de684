/// A member's codebase version, major.minor.patch.
package struct MemberVersion: Sendable, Equatable {
    package var major: Int8
    package var minor: Int8
    package var patch: Int8

    package init(major: Int8, minor: Int8, patch: Int8) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }
}

/// MemberVersion: three fixed bytes.
package enum MemberVersionCodec {
    package static func encode(_ version: MemberVersion, into message: inout ClientMessage) {
        var fixed = ByteWriter()
        fixed.writeInt8(version.major)
        fixed.writeInt8(version.minor)
        fixed.writeInt8(version.patch)
        CustomStructure.begin(fixed, into: &message)
        CustomStructure.end(into: &message)
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> MemberVersion {
        let fixed = try CustomStructure.open(&iterator, "MemberVersion")
        let version = MemberVersion(major: try fixed.int8(at: 0), minor: try fixed.int8(at: 1), patch: try fixed.int8(at: 2))
        try CustomStructure.close(&iterator)
        return version
    }
}
