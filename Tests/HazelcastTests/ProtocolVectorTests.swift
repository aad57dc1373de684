import Foundation
import Testing
import Hazelcast

/// The byte vectors of the protocol reference notes, reproduced exactly. The notes print the
/// initial frame's flags as the flag value (`c000`, `e000`); on the wire that uint16 is
/// little-endian (`00c0`, `00e0`), which is what the official Python client emits and what is
/// written below. Every other byte is as in the notes.
@Suite("Reference byte vectors")
struct ProtocolVectorTests {
    static let mapName = "DOLPHIN_FEATURES"
    static let btcKey = HazelcastData(string: "asset_BTCUSDT_ob")
    static let ethKey = HazelcastData(string: "asset_ETHUSDT_ob")

    @Test func stringKeyData() {
        #expect(hex(Self.btcKey.bytes) == "00000000fffffff50000001061737365745f425443555344545f6f62")
        #expect(Self.btcKey.typeId == -11)
    }

    @Test func partitionHashAndIds() {
        #expect(Self.btcKey.partitionHash == 1_116_402_642)
        #expect(Self.btcKey.partitionId(partitionCount: 271) == 256)
        #expect(Self.ethKey.partitionId(partitionCount: 271) == 54)
    }

    /// Hashes of payloads of every tail length (0 to 3 bytes past the last 4-byte block), as the
    /// official Python client's `hazelcast.hash.murmur_hash3_x86_32` computes them for
    /// `8 zero header bytes + payload`.
    @Test(arguments: [
        ("", Int32(-1_585_187_909)), ("a", -1_686_100_800), ("ab", 312_914_265), ("abc", -2_068_121_803),
        ("abcd", -973_615_161), ("abcde", 192_444_886), ("hello", 1_425_223_722),
        ("The quick brown fox jumps over the lazy dog", -1_613_998_370),
    ])
    func partitionHashOfEveryTailLength(payload: String, expected: Int32) {
        let data = HazelcastData(bytes: [UInt8](repeating: 0, count: 8) + Array(payload.utf8))
        #expect(data.partitionHash == expected)
        #expect(MurmurHash3.x86_32(Array(payload.utf8), seed: MurmurHash3.hazelcastSeed) == expected)
        #expect(MurmurHash3.x86_32(Array(payload.utf8).lazy.map { $0 }, seed: MurmurHash3.hazelcastSeed) == expected)
    }

    @Test func stringAndJsonValueData() {
        #expect(hex(HazelcastData(string: #"{"a":1}"#).bytes) == "00000000fffffff5000000077b2261223a317d")
        #expect(hex(HazelcastData(jsonValue: #"{"a":1}"#).bytes) == "00000000ffffff7e000000077b2261223a317d")
    }

    @Test func explicitPartitionHashWins() {
        var bytes = Self.btcKey.bytes
        bytes[3] = 7
        #expect(HazelcastData(bytes: bytes).partitionHash == 7)
        #expect(PartitionIndex.of(hash: Int32.min, partitionCount: 271) == 0)
        #expect(PartitionIndex.of(hash: -10, partitionCount: 271) == 10)
    }

    @Test func mapGetRequest() {
        var message = MapGetCodec.encodeRequest(MapKeyRequest(name: Self.mapName, key: Self.btcKey, threadId: 0), partitionId: 256)
        message.setCorrelationId(1)
        #expect(hex(message.encoded()) == hex(hexBytes("""
            1e000000 00c0 00020100 0100000000000000 00010000 0000000000000000
            16000000 0000 444f4c5048494e5f4645415455524553
            22000000 0020 00000000fffffff50000001061737365745f425443555344545f6f62
            """)))
    }

    @Test func mapGetAllRequest() {
        var message = MapGetAllCodec.encodeRequest(name: Self.mapName, keys: [Self.btcKey, Self.ethKey], partitionId: -1)
        message.setCorrelationId(2)
        #expect(hex(message.encoded()) == hex(hexBytes("""
            16000000 00c0 00230100 0200000000000000 ffffffff
            16000000 0000 444f4c5048494e5f4645415455524553
            06000000 0010
            22000000 0000 00000000fffffff50000001061737365745f425443555344545f6f62
            22000000 0000 00000000fffffff50000001061737365745f455448555344545f6f62
            06000000 0028
            """)))
    }

    @Test func authenticationRequest() throws {
        let uuid = try #require(UUID(uuidString: "01020304-0506-0708-090a-0b0c0d0e0f10"))
        var message = ClientAuthenticationCodec.encodeRequest(.init(
            clusterName: "dev", username: nil, password: nil, uuid: uuid, clientType: "PYH",
            serializationVersion: 1, clientHazelcastVersion: "5.7.0", clientName: "hz.client_0", labels: []))
        message.setCorrelationId(3)
        #expect(hex(message.encoded()) == hex(hexBytes("""
            28000000 00c0 00010000 0300000000000000 ffffffff 00 0807060504030201 100f0e0d0c0b0a09 01
            09000000 0000 646576
            06000000 0004
            06000000 0004
            09000000 0000 505948
            0b000000 0000 352e372e30
            11000000 0000 687a2e636c69656e745f30
            06000000 0010
            06000000 0028
            """)))
    }

    @Test func pingRequest() {
        var message = ClientPingCodec.encodeRequest()
        message.setCorrelationId(4)
        #expect(hex(message.encoded()) == hex(hexBytes("16000000 00e0 000b0000 0400000000000000 ffffffff")))
    }

    @Test func mapSetRequest() {
        var message = MapSetCodec.encodeRequest(
            MapWriteRequest(name: Self.mapName, key: Self.btcKey, value: HazelcastData(string: #"{"a":1}"#), threadId: 0, ttlMillis: -1),
            partitionId: -1)
        message.setCorrelationId(5)
        #expect(hex(message.encoded()) == hex(hexBytes("""
            26000000 00c0 000f0100 0500000000000000 ffffffff 0000000000000000 ffffffffffffffff
            16000000 0000 444f4c5048494e5f4645415455524553
            22000000 0000 00000000fffffff50000001061737365745f425443555344545f6f62
            19000000 0020 00000000fffffff5000000077b2261223a317d
            """)))
    }

    @Test func uuidHalvesRoundTrip() throws {
        let uuid = try #require(UUID(uuidString: "01020304-0506-0708-090a-0b0c0d0e0f10"))
        let (msb, lsb) = uuid.hazelcastHalves
        #expect(msb == 0x0102_0304_0506_0708)
        #expect(lsb == 0x090a_0b0c_0d0e_0f10)
        #expect(UUID(hazelcastMSB: msb, lsb: lsb) == uuid)
    }

    @Test func murmurMatchesReferenceImplementationOnOddLengths() {
        // Values from the Python client's murmur_hash3_x86_32 over the Data bytes of these strings.
        let expected: [(String, Int32)] = [
            ("", 923_237_662),
            ("a", 2_099_876_635),
            ("ab", 1_322_496_121),
            ("abc", -1_708_417_075),
            ("abcd", -1_778_745_003),
        ]
        for (text, hash) in expected {
            #expect(HazelcastData(string: text).partitionHash == hash, "\(text)")
        }
    }
}
