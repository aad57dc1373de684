import Foundation
import HazelcastTestMember
import Testing
@testable import Hazelcast

/// Map.PutIfAbsent and Map.ReplaceIfSame: the requests as the official client sends them to a
/// real 5.7.0 member (`shared/reference/hz-captures`), and their semantics on the test member.
@Suite("Conditional writes")
struct ConditionalWriteTests {
    static let mapName = "DOLPHIN_FEATURES"
    static let key = HazelcastData(string: "state_v")

    static func captured(_ frames: [(UInt16, String)]) -> ClientMessage {
        ClientMessage(frames: frames.map { Frame(flags: $0.0, content: hexBytes($0.1)) })
    }

    @Test func putIfAbsentRequestAndResponses() throws {
        var message = MapPutIfAbsentCodec.encodeRequest(
            MapWriteRequest(name: Self.mapName, key: Self.key, value: HazelcastData(string: "1"),
                            threadId: 0x7f1f_b33f_1b80, ttlMillis: -1), partitionId: 192)
        message.setCorrelationId(15)
        #expect(message == Self.captured([
            (0xc000, "000e01000f00000000000000c0000000801b3fb31f7f0000ffffffffffffffff"),
            (0x0000, "444f4c5048494e5f4645415455524553"), (0x0000, "00000000fffffff50000000773746174655f76"),
            (0x2000, "00000000fffffff50000000131"),
        ]))
        // Stored: a null previous value.
        #expect(try MapPutIfAbsentCodec.decodeResponse(Self.captured([(0xc000, "010e01000f0000000000000000"), (0x2400, "")])) == nil)
    }

    @Test func replaceIfSameRequestAndResponses() throws {
        var message = MapReplaceIfSameCodec.encodeRequest(MapReplaceIfSameRequest(
            name: Self.mapName, key: Self.key, expected: HazelcastData(string: "1"), value: HazelcastData(string: "2"),
            threadId: 0x7f1f_b33f_1b80), partitionId: 192)
        message.setCorrelationId(16)
        let recorded = Self.captured([
            (0xc000, "000501001000000000000000c0000000801b3fb31f7f0000"),
            (0x0000, "444f4c5048494e5f4645415455524553"), (0x0000, "00000000fffffff50000000773746174655f76"),
            (0x0000, "00000000fffffff50000000131"), (0x2000, "00000000fffffff50000000132"),
        ])
        #expect(message == recorded)
        #expect(try MapReplaceIfSameCodec.decodeRequest(recorded).expected == HazelcastData(string: "1"))
        #expect(try MapReplaceIfSameCodec.decodeResponse(Self.captured([(0xe000, "0105010010000000000000000001")])) == true)
        #expect(try MapReplaceIfSameCodec.decodeResponse(Self.captured([(0xe000, "0105010011000000000000000000")])) == false)
        #expect(MapReplaceIfSameCodec.encodeResponse(replaced: true, correlationId: 16)
                == Self.captured([(0xe000, "0105010010000000000000000001")]))
    }

    @Test func compareAndSetOnTheTestMember() async throws {
        try await withConnectedClient { client, _ in
            let one = HazelcastData(string: "1"), two = HazelcastData(string: "2"), three = HazelcastData(string: "3")
            let stored = try await client.putIfAbsent(map: Self.mapName, key: Self.key, value: one)
            let refused = try await client.putIfAbsent(map: Self.mapName, key: Self.key, value: two)
            let matching = try await client.replaceIfSame(map: Self.mapName, key: Self.key, expected: one, value: two)
            let stale = try await client.replaceIfSame(map: Self.mapName, key: Self.key, expected: one, value: three)
            let current = try await client.get(map: Self.mapName, key: Self.key)
            #expect(stored == nil && refused == one)
            #expect(matching && !stale)
            #expect(current == two)
            let absent = HazelcastData(string: "state_none")
            let onAbsent = try await client.replaceIfSame(map: Self.mapName, key: absent, expected: one, value: two)
            let stillAbsent = try await client.get(map: Self.mapName, key: absent)
            #expect(!onAbsent && stillAbsent == nil)
        }
    }
}
