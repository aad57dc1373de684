import Foundation
import Hazelcast
import HazelcastTestMember
import TestTiming
import Testing

/// Entry listeners over the real protocol against the test member: events in order per key,
/// registration on every connection, again after a reconnect, and coverage per partition.
@Suite("Entry listeners")
struct EntryListenerTests {
    static let mapName = "DOLPHIN_FEATURES"

    /// Records what a listener hears.
    final class Notices: Sendable {
        private let recorded = MutexBox<[EntryListenerNotice]>([])
        func add(_ notice: EntryListenerNotice) { recorded.withLock { $0.append(notice) } }
        var all: [EntryListenerNotice] { recorded.withLock { $0 } }
        var events: [EntryEvent] {
            all.compactMap { if case .event(let event, _) = $0 { return event } else { return nil } }
        }
        var registrations: Int {
            all.filter { if case .registered = $0 { return true } else { return false } }.count
        }
        var endedRegistrations: Int {
            all.filter { if case .unregistered = $0 { return true } else { return false } }.count
        }
        func values(of key: HazelcastData) -> [String?] {
            events.filter { $0.key == key }.map { try? $0.value?.decodeText().text }
        }
    }

    @Test func putsUpdatesAndRemovesArriveInOrderPerKey() async throws {
        try await withConnectedClient { client, member in
            let notices = Notices()
            let listener = client.addEntryListener(map: Self.mapName) { notices.add($0) }
            #expect(await eventually { notices.registrations == 1 })
            #expect(await eventually { client.coverage(of: listener).isComplete })
            let keys = (0..<8).map { HazelcastData(string: "asset_K\($0)USDT_ob") }
            for round in 0..<25 {
                for key in keys { try await client.set(map: Self.mapName, key: key, value: HazelcastData(string: "v\(round)")) }
            }
            try await client.delete(map: Self.mapName, key: keys[0])
            #expect(await eventually { notices.events.count == 8 * 25 + 1 })
            for key in keys {
                let values = notices.values(of: key)
                let expected: [String?] = (0..<25).map { "v\($0)" } + (key == keys[0] ? [nil] : [])
                #expect(values == expected, "events of \(key)")
            }
            let first = notices.events.filter { $0.key == keys[1] }
            #expect(first.first?.type == .added)
            #expect(first.dropFirst().allSatisfy { $0.type == .updated })
            #expect(first.last.flatMap { try? $0.oldValue?.decodeText().text } == "v23")
            #expect(notices.events.last?.type == .removed)
            // Removed: no more events, and the member forgot the registration.
            await client.removeEntryListener(listener)
            try await client.set(map: Self.mapName, key: keys[2], value: HazelcastData(string: "after"))
            let delivered = member.entryEventCounts.delivered
            try await client.set(map: Self.mapName, key: keys[3], value: HazelcastData(string: "after"))
            #expect(member.entryEventCounts.delivered == delivered)
            #expect(!notices.values(of: keys[2]).contains("after"))
        }
    }

    @Test func withoutValuesOnlyKeysArrive() async throws {
        try await withConnectedClient { client, _ in
            let notices = Notices()
            _ = client.addEntryListener(map: Self.mapName, includeValue: false, flags: [.added]) { notices.add($0) }
            #expect(await eventually { notices.registrations == 1 })
            let key = HazelcastData(string: "asset_NOVALUEUSDT_ob")
            try await client.set(map: Self.mapName, key: key, value: HazelcastData(string: "a"))
            try await client.set(map: Self.mapName, key: key, value: HazelcastData(string: "b"))
            #expect(await eventually { notices.events.count == 1 })
            try await Task.sleep(for: .milliseconds(200))
            #expect(notices.events.count == 1, "an UPDATED event reached a listener of ADDED only")
            #expect(notices.events.first?.key == key && notices.events.first?.value == nil)
        }
    }

    @Test func registersAgainAfterTheMemberRestarts() async throws {
        try await withConnectedClient { client, member in
            let notices = Notices()
            let listener = client.addEntryListener(map: Self.mapName) { notices.add($0) }
            #expect(await eventually { notices.registrations == 1 })
            member.stop()
            #expect(await eventually { notices.endedRegistrations == 1 })
            #expect(!client.coverage(of: listener).isComplete)
            try member.start()
            #expect(await eventually { notices.registrations == 2 })
            #expect(await eventually { client.coverage(of: listener).isComplete })
            let key = HazelcastData(string: "asset_AFTERUSDT_ob")
            try await client.set(map: Self.mapName, key: key, value: HazelcastData(string: "back"))
            #expect(await eventually { notices.values(of: key) == ["back"] })
        }
    }

    @Test func droppedEventsNeverArrive() async throws {
        try await withConnectedClient { client, member in
            let notices = Notices()
            _ = client.addEntryListener(map: Self.mapName) { notices.add($0) }
            #expect(await eventually { notices.registrations == 1 })
            let lost = HazelcastData(string: "asset_LOSTUSDT_ob")
            let kept = HazelcastData(string: "asset_KEPTUSDT_ob")
            member.droppedEventKeys = [lost]
            try await client.set(map: Self.mapName, key: lost, value: HazelcastData(string: "x"))
            try await client.set(map: Self.mapName, key: kept, value: HazelcastData(string: "y"))
            #expect(await eventually { notices.values(of: kept) == ["y"] })
            #expect(notices.values(of: lost).isEmpty)
            #expect(member.entryEventCounts.dropped == 1)
            #expect(try await client.get(map: Self.mapName, key: lost) == HazelcastData(string: "x"))
        }
    }

    @Test func aSmartClientHearsEachMemberForItsOwnPartitionsOnce() async throws {
        let cluster = HazelcastTestCluster(memberCount: 3, logger: testLogger("cluster"))
        let ports = try cluster.start()
        defer { cluster.stop() }
        var configuration = testConfiguration(ports: [ports[0]])
        configuration.smartRouting = true
        let client = try HazelcastClient(configuration: configuration, logger: testLogger("client"))
        defer { Task { await client.shutdown() } }
        try await client.connect(timeout: TestBounds.unchecked)
        #expect(await eventually { client.connectedMemberCount == 3 })
        let notices = Notices()
        let listener = client.addEntryListener(map: Self.mapName) { notices.add($0) }
        #expect(await eventually { notices.registrations == 3 })
        #expect(await eventually { client.coverage(of: listener).isComplete })
        let keys = (0..<60).map { HazelcastData(string: "asset_COIN\($0)USDT_ob") }
        for key in keys { try await client.set(map: Self.mapName, key: key, value: HazelcastData(string: "v")) }
        #expect(await eventually { notices.events.count == keys.count })
        try await Task.sleep(for: .milliseconds(200))
        #expect(notices.events.count == keys.count, "an event arrived twice")
        #expect(Set(notices.events.compactMap(\.key)) == Set(keys))
        // Each event came over the connection to its partition's owner.
        let coverage = client.coverage(of: listener)
        for notice in notices.all {
            guard case .event(let event, let connection) = notice else { continue }
            #expect(coverage.connection(forPartition: Int(event.partitionId)) == connection)
        }
        // A member down: its partitions are no longer covered, the others still are.
        cluster.members[2].stop()
        #expect(await eventually { client.connectedMemberCount == 2 })
        let partial = client.coverage(of: listener)
        for partition in 0..<271 {
            #expect((partial.connection(forPartition: partition) == nil) == (cluster.owner(ofPartition: partition) == 2))
        }
        await client.shutdown()
    }
}
