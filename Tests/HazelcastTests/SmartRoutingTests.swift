import Foundation
import Hazelcast
import HazelcastTestMember
import TestTiming
import Testing

@Suite("Smart routing over a test cluster")
struct SmartRoutingTests {
    static let mapName = "DOLPHIN_FEATURES"
    static let keys = (0..<60).map { HazelcastData(string: "asset_COIN\($0)USDT_ob") }

    static func ownedCount(_ cluster: HazelcastTestCluster, member: Int, partitionsOf keys: [HazelcastData]) -> Int {
        Set(keys.map { $0.partitionId(partitionCount: 271) }).filter { cluster.owner(ofPartition: $0) == member }.count
    }

    static func withSmartClient(_ body: (HazelcastClient, HazelcastTestCluster) async throws -> Void) async throws {
        let cluster = HazelcastTestCluster(memberCount: 3, logger: testLogger("cluster"))
        let ports = try cluster.start()
        defer { cluster.stop() }
        var configuration = testConfiguration(ports: [ports[0]])
        configuration.smartRouting = true
        let client = try HazelcastClient(configuration: configuration, logger: testLogger("client"))
        do {
            try await client.connect(timeout: TestBounds.unchecked)
            #expect(await eventually { client.connectedMemberCount == 3 })
            try await body(client, cluster)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    @Test func sendsEachPartitionsRequestsToItsOwner() async throws {
        try await Self.withSmartClient { client, cluster in
            for (index, key) in Self.keys.enumerated() {
                try await client.set(map: Self.mapName, key: key, value: HazelcastData(string: "v\(index)"))
            }
            for (index, member) in cluster.members.enumerated() {
                let expected = Self.keys.filter { cluster.owner(ofPartition: $0.partitionId(partitionCount: 271)) == index }.count
                #expect(member.requestCount(messageType: 0x010F00) == expected, "Map.Set on member \(index)")
            }
            let values = try await client.getAll(map: Self.mapName, keys: Self.keys)
            #expect(values.count == Self.keys.count)
            for (index, member) in cluster.members.enumerated() {
                #expect(member.requestCount(messageType: 0x012300) == Self.ownedCount(cluster, member: index, partitionsOf: Self.keys),
                        "Map.GetAll on member \(index)")
            }
            #expect(try await client.get(map: Self.mapName, key: Self.keys[7]) == HazelcastData(string: "v7"))
        }
    }

    @Test func fallsBackToTheMainConnectionWhenAnOwnerIsDown() async throws {
        try await Self.withSmartClient { client, cluster in
            for key in Self.keys { cluster.members[0].put(map: Self.mapName, key: key, value: HazelcastData(string: "x")) }
            cluster.members[2].stop()
            #expect(await eventually { client.connectedMemberCount == 2 })
            #expect(client.isConnected)
            let before = cluster.members[0].requestCount(messageType: 0x012300)
            let values = try await client.getAll(map: Self.mapName, keys: Self.keys)
            #expect(values.count == Self.keys.count)
            let expected = Self.ownedCount(cluster, member: 0, partitionsOf: Self.keys) + Self.ownedCount(cluster, member: 2, partitionsOf: Self.keys)
            #expect(cluster.members[0].requestCount(messageType: 0x012300) - before == expected)
        }
    }

    @Test func losingTheMainConnectionDropsTheOthersAndReconnects() async throws {
        try await Self.withSmartClient { client, cluster in
            cluster.members[0].stop()
            #expect(await eventually { !client.isConnected })
            #expect(client.connectedMemberCount == 0)
            try cluster.members[0].start()
            #expect(await eventually { client.isConnected && client.connectedMemberCount == 3 })
            #expect(client.reconnectCount == 1)
        }
    }
}
