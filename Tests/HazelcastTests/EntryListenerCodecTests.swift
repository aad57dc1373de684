import Foundation
import Testing
@testable import Hazelcast

/// Map.AddEntryListener, its entry events and Map.RemoveEntryListener against the messages of
/// a recorded session between hazelcast-python-client 5.7.0 and a real Hazelcast 5.7.0 member
/// (`shared/reference/hz-captures`): each frame as its flags value and payload hex.
@Suite("Entry listener codecs")
struct EntryListenerCodecTests {
    static let mapName = "DOLPHIN_FEATURES"
    static let ethKey = HazelcastData(string: "asset_ETHUSDT_ob")
    static let document = #"{"timestamp": "2026-03-26T12:34:56.789000+00:00", "bid_notional": [1.0, 2.0], "ask_notional": [3.0, 4.0]}"#
    static let documentHex = "00000000fffffff5000000697b2274696d657374616d70223a2022323032362d30332d32365431323a33343a35362e3738393030302b30303a3030222c20226269645f6e6f74696f6e616c223a205b312e302c20322e305d2c202261736b5f6e6f74696f6e616c223a205b332e302c20342e305d7d"

    /// A message from the capture's frames: (flags value, payload hex).
    static func captured(_ frames: [(UInt16, String)]) -> ClientMessage {
        ClientMessage(frames: frames.map { Frame(flags: $0.0, content: hexBytes($0.1)) })
    }

    @Test func addEntryListenerRequestAsTheOfficialClientSendsIt() throws {
        // include_value=True, flags ADDED|REMOVED|UPDATED, local_only=False (a unisocket client).
        var message = MapAddEntryListenerCodec.encodeRequest(.init(
            name: Self.mapName, includeValue: true, flags: [.added, .removed, .updated], localOnly: false))
        message.setCorrelationId(5)
        let recorded = Self.captured([
            (0xc000, "001901000500000000000000ffffffff010700000000"), (0x2000, "444f4c5048494e5f4645415455524553"),
        ])
        #expect(message == recorded)
        let decoded = try MapAddEntryListenerCodec.decodeRequest(recorded)
        #expect(decoded == .init(name: Self.mapName, includeValue: true, flags: [.added, .removed, .updated], localOnly: false))
    }

    @Test func addEntryListenerResponseCarriesTheRegistrationId() throws {
        let recorded = Self.captured([(0xe000, "01190100050000000000000000000e41da26a9d962972d67cd5b93496590")])
        let id = try #require(try MapAddEntryListenerCodec.decodeResponse(recorded))
        let encoded = MapAddEntryListenerCodec.encodeResponse(registration: id, correlationId: 5)
        #expect(encoded == recorded)
    }

    @Test func addedEventOfAPut() throws {
        // put of a new key: ADDED with the value, no old value, on partition 54.
        let recorded = Self.captured([
            (0xc200, "021901000500000000000000360000000100000000c24b6b4794741375ffe6f5ef16523ab001000000"),
            (0x0000, hex(Self.ethKey.bytes)), (0x0000, Self.documentHex), (0x0400, ""), (0x2400, ""),
        ])
        let event = try #require(try MapAddEntryListenerCodec.decodeEvent(recorded))
        #expect(event.type == .added)
        #expect(event.key == Self.ethKey)
        #expect(try event.value?.decodeText().text == Self.document)
        #expect(event.oldValue == nil && event.mergingValue == nil)
        #expect(event.partitionId == 54)
        #expect(event.affectedEntries == 1)
        #expect(event.member != nil)
        var encoded = MapAddEntryListenerCodec.encodeEvent(event, correlationId: 5)
        encoded.setCorrelationId(5)
        #expect(encoded == recorded)
    }

    @Test func removedEventCarriesTheOldValueOnly() throws {
        let solKey = HazelcastData(string: "asset_SOLUSDT_ob")
        let recorded = Self.captured([
            (0xc200, "021901000500000000000000cf0000000200000000c24b6b4794741375ffe6f5ef16523ab001000000"),
            (0x0000, hex(solKey.bytes)), (0x0400, ""), (0x0000, Self.documentHex), (0x2400, ""),
        ])
        let event = try #require(try MapAddEntryListenerCodec.decodeEvent(recorded))
        #expect(event.type == .removed)
        #expect(event.key == solKey)
        #expect(event.value == nil)
        #expect(try event.oldValue?.decodeText().text == Self.document)
        #expect(event.partitionId == 207)
        #expect(MapAddEntryListenerCodec.encodeEvent(event, correlationId: 5) == recorded)
    }

    @Test func otherEventTypesAreNotEntryEvents() throws {
        let partitionsView = ClientAddClusterViewListenerCodec.encodePartitionsView(version: 1, owners: [], correlationId: 2)
        #expect(try MapAddEntryListenerCodec.decodeEvent(partitionsView) == nil)
    }

    @Test func removeEntryListenerRequestAndResponse() throws {
        let registration = try #require(try MapAddEntryListenerCodec.decodeResponse(
            Self.captured([(0xe000, "01190100050000000000000000000e41da26a9d962972d67cd5b93496590")])))
        var message = MapRemoveEntryListenerCodec.encodeRequest(name: Self.mapName, registration: registration)
        message.setCorrelationId(18)
        let recorded = Self.captured([
            (0xc000, "001a01001200000000000000ffffffff000e41da26a9d962972d67cd5b93496590"),
            (0x2000, "444f4c5048494e5f4645415455524553"),
        ])
        #expect(message == recorded)
        let decoded = try MapRemoveEntryListenerCodec.decodeRequest(recorded)
        #expect(decoded.name == Self.mapName && decoded.registration == registration)
        let response = Self.captured([(0xe000, "011a010012000000000000000001")])
        #expect(try MapRemoveEntryListenerCodec.decodeResponse(response) == true)
        #expect(MapRemoveEntryListenerCodec.encodeResponse(removed: true, correlationId: 18) == response)
    }
}
